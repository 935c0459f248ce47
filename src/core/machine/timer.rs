//! The machine's one table of named deadlines (monotonic ms); the driver arms one timer for
//! the earliest.

/// What a deadline is for.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Debug))]
pub enum Timer {
    /// The refresh budget holds the flight back until then.
    Budget = 0,
    /// A wait for a lock or for news: re-check then (staleness, takeover retry, give up hope).
    Wait = 1,
    /// The question to the other tabs goes unanswered then.
    Ask = 2,
    /// The auth request times out then.
    Request = 3,
}

/// How many named deadlines there are.
pub const COUNT: usize = 4;

const ALL: [Timer; COUNT] = [Timer::Budget, Timer::Wait, Timer::Ask, Timer::Request];

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

    /// Clears every deadline.
    pub fn clear_all(&mut self) {
        self.0 = [None; COUNT];
    }

    /// The earliest deadline.
    pub fn next(&self) -> Option<f64> {
        self.0.iter().flatten().copied().reduce(f64::min)
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
