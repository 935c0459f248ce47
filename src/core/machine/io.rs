//! What the refresh machine takes in ([`Input`]) and asks its driver to do ([`Output`]).
use alloc::string::String;

use crate::core::claims::Token;
use crate::core::error::Error;
use crate::core::protocol::Message;
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

/// One event for the machine.
#[cfg_attr(not(target_arch = "wasm32"), derive(Debug))]
pub enum Input {
    /// A caller wants a refresh (`call` names it in [`Output::Resolve`] / [`Output::Reject`]);
    /// it joins the flight under way, if any. `proactive`: the timer or a page event found the
    /// token due (never queue behind another tab first); `locks`: Web Locks are usable here.
    Refresh {
        /// The caller's id.
        call: u32,
        /// Whether no caller waits for the token right now.
        proactive: bool,
        /// Whether Web Locks are usable (else the driver's election decides).
        locks: bool,
    },
    /// The outcome of the lock request `id`.
    Lock {
        /// The request of [`Output::RequestLock`].
        id: u32,
        /// What it came to.
        outcome: LockOutcome,
    },
    /// News from other tabs (or a state change): a token may have arrived. `last_claim_seen`
    /// is when (monotonic ms) a refresher of another tab was last heard of, if ever: a live
    /// claim, or a release (the lock's next holder starts then, so its silence counts from
    /// there).
    News {
        /// Monotonic ms of the latest live claim heard of.
        last_claim_seen: Option<f64>,
    },
    /// The answer to [`Output::ReadFacts`].
    Facts {
        /// `document.cookie`.
        cookies: String,
        /// Whether a logout waits for the server's answer (in any tab).
        logout_pending: bool,
    },
    /// The complete answer (body read) of the auth request `id`, or its failure.
    Answer {
        /// The request of [`Output::SendAuth`].
        id: u32,
        /// The token it brought, or why not.
        result: Result<Token, Error>,
    },
    /// The driver's election (no Web Locks) ended: `won` the right to refresh with the claim
    /// made at `claim_at_ms`, or a newer token arrived.
    Elected {
        /// Whether this tab refreshes.
        won: bool,
        /// Epoch ms of this tab's claim.
        claim_at_ms: f64,
    },
    /// The answer to [`Output::QueryLocks`]: the client id of the holder of the refresh lock
    /// (`None`: nobody holds it).
    Holder {
        /// `navigator.locks.query()`'s `clientId` of the refresh lock's holder.
        client: Option<String>,
        /// Whether that holder is this tab (its client id is the one holding this tab's
        /// presence lock).
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
    },
    /// Abort the auth request `id` (its answer is no longer wanted).
    AbortAuth(u32),
    /// Answer with [`Input::Facts`].
    ReadFacts,
    /// Ask the browser who holds the refresh lock; answer with [`Input::Holder`].
    QueryLocks,
    /// Assign this to `document.cookie`.
    WriteCookie(String),
    /// Without Web Locks: run the election for a token newer than `before`; answer with
    /// [`Input::Elected`].
    Elect(Option<f64>),
    /// The elected refresh ended: this tab's election claim is over.
    EndElection,
}
