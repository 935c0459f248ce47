//! The numbers the machine's inputs and outputs travel as between the wasm
//! (src/api/machine.rs) and the JS driver (js/lib/driver/pump.js): one source, which
//! tests/wire.rs checks the driver's copy against.

/// The kinds of input of `Core.input(kind, id, x, y, data, mono, wall)`.
pub mod input {
    /// A caller wants a refresh: `id` the call, `x` 1 when proactive, `y` the order of the
    /// token a 401 answered (if any).
    pub const REFRESH: u8 = 0;
    /// Lock request `id` came to `x`: 0 refused, 1 granted, 2 Web Locks unavailable, 3 lost
    /// (stolen after the grant).
    pub const LOCK: u8 = 1;
    /// A message of another tab: `data` as received.
    pub const MESSAGE: u8 = 2;
    /// `data` the page's cookies, `x` the durable-logout marker (its epoch; none: no logout
    /// pending), `y` the stored session epoch (if any).
    pub const FACTS: u8 = 3;
    /// Auth answer `id`: `x` status, `y` the `Date` header (epoch ms), `data` the body.
    pub const ANSWER: u8 = 4;
    /// Auth request `id` failed with no answer: `data` the `TokenRelayError`.
    pub const FAILED: u8 = 5;
    /// A page event: `x` 1 when the page is visible.
    pub const PAGE: u8 = 6;
    /// The timer fired.
    pub const TIMER: u8 = 7;
    /// The client is disposed.
    pub const DISPOSE: u8 = 8;
    /// Who holds the refresh lock: `data` its client id (none: free), `x` 1 when it is this
    /// tab.
    pub const HOLDER: u8 = 9;
    /// `start()`: `id` the call.
    pub const START: u8 = 10;
    /// `login()`: `id` the call, `data` the JSON body.
    pub const LOGIN: u8 = 11;
    /// `logout()`: `id` the call.
    pub const LOGOUT: u8 = 12;
    /// A caller needs a usable token (`accessToken()`, `auth.fetch`): `id` the call.
    pub const ENSURE: u8 = 13;
    /// Whether another tab may be alive: `x` 1 when one may.
    pub const PRESENCE: u8 = 14;
}

/// The kinds of output of `Core.poll()`, the first item of `[kind, a, b, c]`.
pub mod output {
    /// The state changed.
    pub const CHANGED: u8 = 0;
    /// Resolve the caller `a`.
    pub const RESOLVE: u8 = 1;
    /// Reject the caller `a` with the `TokenRelayError` `b`.
    pub const REJECT: u8 = 2;
    /// Post the message `a` to the other tabs.
    pub const POST: u8 = 3;
    /// Request the Web Lock `c` in mode `b` (see `LockMode`) as request `a`.
    pub const REQUEST_LOCK: u8 = 4;
    /// Release (or withdraw) the lock request `a`.
    pub const RELEASE: u8 = 5;
    /// Send the auth request `a` to endpoint `b` (0 login, 1 refresh, 2 logout) with the JSON
    /// body `c` (if any).
    pub const SEND_AUTH: u8 = 6;
    /// Abort the auth request `a`.
    pub const ABORT_AUTH: u8 = 7;
    /// Read the facts (cookies, a pending logout) and feed them as `input::FACTS`.
    pub const READ_FACTS: u8 = 8;
    /// Assign `a` to `document.cookie`.
    pub const WRITE_COOKIE: u8 = 9;
    /// Set the durable-logout marker to `a` (the logout's session epoch), or clear it (`a`
    /// undefined).
    pub const MARK_LOGOUT: u8 = 10;
    /// Ask whether another tab may be alive and feed it as `input::PRESENCE`.
    pub const QUERY_PRESENCE: u8 = 11;
    /// Ask who holds the refresh lock and feed it as `input::HOLDER`.
    pub const QUERY_LOCKS: u8 = 12;
    /// Resolve the logout caller `a` with `confirmed` `b`.
    pub const LOGGED_OUT: u8 = 13;
    /// Store `a` as the session epoch of the origin.
    pub const SAVE_EPOCH: u8 = 14;
}
