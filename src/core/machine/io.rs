//! What the machine takes in ([`Input`]) and asks its driver to do ([`Output`]).
use alloc::string::String;

use crate::core::claims::Token;
use crate::core::error::Error;
use crate::core::protocol::{Envelope, Message};
use crate::core::response::AuthCall;

/// The two clocks read with every input: `monotonic_ms` for how long something lasted in this
/// tab (timers, staleness, the budget), `wall_ms` (epoch ms) for what other tabs and the
/// server see (claims, the cooldown stamp, token expiry).
#[derive(Clone, Copy)]
pub struct Now {
    /// A monotonic clock of this tab (`performance.now()`).
    pub monotonic_ms: f64,
    /// The wall clock (`Date.now()`).
    pub wall_ms: f64,
}

/// How a lock is asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Debug))]
pub enum LockMode {
    /// Queue until the lock is free.
    Wait = 0,
    /// Take it only if it is free right now.
    IfAvailable = 1,
    /// Take it from its holder (known to be stale).
    Steal = 2,
}

/// What a lock request came to.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Debug))]
pub enum LockOutcome {
    /// Granted: held until the machine outputs [`Output::Release`].
    Granted,
    /// Not granted: held elsewhere (`IfAvailable`), aborted, or stolen before the grant.
    Refused,
    /// Web Locks went away.
    Unavailable,
    /// A lock that was granted was taken away (stolen by a tab that judged this one stale).
    Lost,
}

/// A complete answer of the server to an auth request (its body read).
#[cfg_attr(not(target_arch = "wasm32"), derive(Debug))]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The token of a 2xx answer's body, or why it could not be read (unused for other
    /// statuses and for logout).
    pub token: Result<Token, Error>,
}

/// One event for the machine.
#[cfg_attr(not(target_arch = "wasm32"), derive(Debug))]
pub enum Input {
    /// `start()`: restore the session (a valid token held, a peer's, or the refresh cookie's).
    Start {
        /// The caller's id.
        call: u32,
    },
    /// `login(body)`: post `body` (JSON text) to the login endpoint.
    Login {
        /// The caller's id.
        call: u32,
        /// The JSON text of the credentials.
        body: String,
    },
    /// `logout()`: sign out every tab at once and tell the server until it answers.
    Logout {
        /// The caller's id.
        call: u32,
    },
    /// A caller wants a refresh (`call` names it in [`Output::Resolve`] / [`Output::Reject`]);
    /// it joins the flight under way, if any. `proactive`: a due token (never queue behind
    /// another tab first); `used`: the order of the token a request was refused with (a
    /// newer one held now ends the call at once).
    Refresh {
        /// The caller's id.
        call: u32,
        /// Whether no caller waits for the token right now.
        proactive: bool,
        /// The order of the token a 401 answered, if any.
        used: Option<f64>,
    },
    /// A caller needs a usable token: wait for the restore or refresh under way, refresh a
    /// due token; resolves whatever the outcome (the state says it).
    Ensure {
        /// The caller's id.
        call: u32,
    },
    /// A message of another tab, as received.
    Message(Envelope),
    /// A page event: `visible` after `visibilitychange` to visible, `focus`, `online` or
    /// `pageshow`; `false` for a page event of a hidden page.
    Page {
        /// Whether the page is visible.
        visible: bool,
    },
    /// The answer to [`Output::QueryPresence`]: whether another tab of the origin may be alive.
    Presence {
        /// False only when the browser shows no other live client.
        others: bool,
    },
    /// The outcome of the lock request `id`.
    Lock {
        /// The request of [`Output::RequestLock`].
        id: u32,
        /// What it came to.
        outcome: LockOutcome,
    },
    /// The answer to [`Output::ReadFacts`].
    Facts {
        /// `document.cookie`.
        cookies: String,
        /// The durable-logout marker: when (epoch ms) a logout that waits for the server's
        /// answer was asked (in any tab), if one does.
        logout_marker: Option<f64>,
        /// The latest session epoch a tab of the origin stored ([`Output::SaveEpoch`]).
        stored_epoch: Option<f64>,
    },
    /// The complete answer (body read) of the auth request `id`, or why there is none.
    Answer {
        /// The request of [`Output::SendAuth`].
        id: u32,
        /// The answer, or the failure (`network`, `disposed`).
        result: Result<Reply, Error>,
    },
    /// The answer to [`Output::QueryLocks`]: the client id of the holder of the refresh lock
    /// (`None`: nobody holds it).
    Holder {
        /// `navigator.locks.query()`'s `clientId` of the refresh lock's holder.
        client: Option<String>,
        /// Whether that holder is this tab.
        mine: bool,
    },
    /// The timer armed for [`super::Machine::poll_timeout`] fired.
    Timer,
    /// The client is disposed: every caller fails with `disposed`, every lock goes.
    Dispose,
}

/// One thing for the driver to do.
#[cfg_attr(not(target_arch = "wasm32"), derive(Debug))]
pub enum Output {
    /// The session changed: notify the listeners.
    Changed,
    /// The caller `call` is done.
    Resolve(u32),
    /// The caller `call` failed.
    Reject(u32, Error),
    /// The logout of caller `call` is done; `confirmed`: the server answered 2xx or 401.
    LoggedOut {
        /// The caller's id.
        call: u32,
        /// Whether the server confirmed it.
        confirmed: bool,
    },
    /// Post a message to the other tabs.
    Post(Message),
    /// Ask for the exclusive Web Lock `name`; answer with [`Input::Lock`].
    RequestLock {
        /// Names the request in [`Input::Lock`] and [`Output::Release`].
        id: u32,
        /// The lock's name.
        name: String,
        /// How.
        mode: LockMode,
    },
    /// Release the lock `id`, or withdraw its request (a grant that comes later is released).
    Release(u32),
    /// Send the auth request; answer with [`Input::Answer`] once its body is read.
    SendAuth {
        /// Names the request in [`Input::Answer`] and [`Output::AbortAuth`].
        id: u32,
        /// Which endpoint.
        call: AuthCall,
        /// The JSON body, if any.
        body: Option<String>,
    },
    /// Abort the auth request `id` (its answer is no longer wanted).
    AbortAuth(u32),
    /// Answer with [`Input::Facts`].
    ReadFacts,
    /// Ask the browser who holds the refresh lock; answer with [`Input::Holder`].
    QueryLocks,
    /// Ask the browser whether another tab may be alive; answer with [`Input::Presence`].
    QueryPresence,
    /// Assign this to `document.cookie`.
    WriteCookie(String),
    /// Set the durable-logout marker of the origin to the logout's session epoch, or clear it
    /// (`None`).
    MarkLogout(Option<f64>),
    /// Store the session epoch of a login or logout for the tabs that open later.
    SaveEpoch(f64),
}
