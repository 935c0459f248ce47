//! The machine's one table of named deadlines (monotonic ms); the driver arms one timer for
//! the earliest.

/// What a deadline is for.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Debug))]
pub enum Timer {
    /// The refresh budget holds the flight back until then.
    Budget = 0,
    /// A wait of the flight for a lock, for news or for an election round: re-check then
    /// (staleness, takeover retry, give up hope, count the claims).
    Wait = 1,
    /// The flight's question to the other tabs goes unanswered then.
    Ask = 2,
    /// The refresh request times out then.
    Request = 3,
    /// The token is due for a refresh then (or a failed refresh is retried: the backoff).
    Due = 4,
    /// Questions of other tabs are answered again then (at most one answer per interval).
    Answer = 5,
    /// The restore's question to the other tabs goes unanswered then.
    Restore = 6,
    /// The login request times out then.
    Login = 7,
    /// The logout request times out then.
    Logout = 8,
    /// The logout lock is released then (other tabs' view of the cleared marker has settled).
    Settle = 9,
}

/// How many named deadlines there are.
pub const COUNT: usize = 10;

const ALL: [Timer; COUNT] = [
    Timer::Budget,
    Timer::Wait,
    Timer::Ask,
    Timer::Request,
    Timer::Due,
    Timer::Answer,
    Timer::Restore,
    Timer::Login,
    Timer::Logout,
    Timer::Settle,
];

/// The deadlines that belong to a refresh flight (cleared when it ends).
pub const FLIGHT: [Timer; 4] = [Timer::Budget, Timer::Wait, Timer::Ask, Timer::Request];

/// Named deadlines.
#[derive(Default)]
pub struct Timers([Option<f64>; COUNT]);

impl Timers {
    /// Sets `timer` to fire at `at_ms`.
    pub fn set(&mut self, timer: Timer, at_ms: f64) {
        self.0[timer as usize] = Some(at_ms);
    }

    /// Clears `timer`.
    pub fn clear(&mut self, timer: Timer) {
        self.0[timer as usize] = None;
    }

    /// Whether `timer` is set.
    pub fn is_set(&self, timer: Timer) -> bool {
        self.0[timer as usize].is_some()
    }

    /// Clears every deadline.
    pub fn clear_all(&mut self) {
        self.0 = [None; COUNT];
    }

    /// The earliest deadline.
    pub fn next(&self) -> Option<f64> {
        self.0.iter().flatten().copied().reduce(f64::min)
    }

    /// Whether `timer` is set and due at `now_ms`.
    pub fn is_due(&self, timer: Timer, now_ms: f64) -> bool {
        self.0[timer as usize].is_some_and(|at| at <= now_ms)
    }

    /// The first timer due at `now_ms`, cleared.
    pub fn take_expired(&mut self, now_ms: f64) -> Option<Timer> {
        let timer = ALL
            .into_iter()
            .find(|t| self.0[*t as usize].is_some_and(|at| at <= now_ms))?;
        self.clear(timer);
        Some(timer)
    }
}
