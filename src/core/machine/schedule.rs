//! When to refresh without being asked: at the token's due time, or after a failed refresh
//! with backoff; and again when the page becomes visible, gains focus, goes online or comes
//! back from the back/forward cache (background tabs have their timers throttled).

use super::flight::Caller;
use super::timer::Timer;
use super::{Machine, Now};
use crate::core::coordination::backoff_ms;
use crate::core::session::Status;

/// The longest the schedule sleeps: expiry is a wall-clock time, the timer counts monotonic
/// time, so a wall clock set forward (a sleep, a clock fix) is noticed within this.
pub const SCHEDULE_CHECK_MS: f64 = 30_000.0;

impl Machine {
    /// Re-arms the refresh schedule when what it depends on changed (the session, the
    /// failures, a flight's end): at the due time, or after the backoff when the last refresh
    /// failed transiently; none without a token (unless a failed restore is retried) and
    /// none while a flight is under way (its end re-arms it).
    pub(super) fn rearm_due(&mut self, now: Now) {
        let key = (
            self.session.revision(),
            self.failures,
            self.flight.is_some() || self.disposed,
        );
        if self.due_key == Some(key) {
            return;
        }
        self.due_key = Some(key);
        self.timers.clear(Timer::Due);
        if key.2 {
            return;
        }
        let retry = (self.failures > 0).then(|| backoff_ms(self.failures - 1));
        let ahead = self.refresh_ahead_ms();
        let due_at = self.session.token().map(|t| t.refresh_due_at_ms(ahead));
        let delay = match (due_at, retry) {
            // + 1: timers may fire a hair early.
            (Some(at), retry) => Some((at - now.wall_ms + 1.0).max(retry.unwrap_or(0.0))),
            (None, retry) if self.session.status() == Status::Unknown => retry,
            (None, _) => None,
        };
        if let Some(delay) = delay {
            let delay = delay.clamp(0.0, SCHEDULE_CHECK_MS);
            self.timers.set(Timer::Due, now.monotonic_ms + delay);
        }
    }

    /// The schedule's timer: a proactive refresh when the token is due (or a failed restore
    /// is retried). A timer that found nothing due is armed again (the wall clock moved).
    pub(super) fn on_due(&mut self, now: Now) {
        self.due_key = None;
        self.refresh_if_due(now);
    }

    /// A page event: a logout waiting for the server is sent again (online again, say); a
    /// visible page refreshes a due token.
    pub(super) fn on_page(&mut self, visible: bool) {
        self.retry_logout();
        if visible {
            let now = self.now;
            self.refresh_if_due(now);
        }
    }

    fn refresh_if_due(&mut self, now: Now) {
        if self.flight.is_some() {
            return;
        }
        let due = if self.session.token().is_some() {
            self.due(now.wall_ms)
        } else {
            self.session.status() == Status::Unknown && self.failures > 0
        };
        if due {
            self.fly(Caller::Own, true, now);
        }
    }
}
