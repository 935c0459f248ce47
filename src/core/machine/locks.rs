//! The Web Locks path of a flight: the lock tried (`ifAvailable`) or queued for, the holder's
//! staleness deadline, the takeover of a silent holder (the takeover lock, then `steal`).

use super::flight::Step;
use super::timer::Timer;
use super::{LockMode, LockOutcome, Machine, Now, Output, TAKEOVER_RETRY_MS};
use crate::core::coordination::stale_at;
use crate::core::error::Error;

impl Machine {
    pub(super) fn request_lock(&mut self, takeover: bool, mode: LockMode) -> u32 {
        let id = self.id();
        let name = if takeover {
            [self.channel.as_str(), ":takeover"].concat()
        } else {
            self.channel.clone()
        };
        self.out.push(Output::RequestLock { id, name, mode });
        id
    }

    pub(super) fn release(&mut self, id: Option<u32>) {
        if let Some(id) = id {
            self.out.push(Output::Release(id));
        }
    }

    /// Queues for the lock, re-checked at the holder's staleness deadline.
    pub(super) fn queue(&mut self, now: Now) {
        if let Some(f) = &mut self.flight {
            f.since.get_or_insert(now.monotonic_ms);
        }
        self.request_main();
        self.arm_stale();
    }

    pub(super) fn request_main(&mut self) {
        let id = self.request_lock(false, LockMode::Wait);
        if let Some(f) = &mut self.flight {
            f.main = Some(id);
            f.main_granted = false;
            f.step = Step::Queue;
        }
    }

    /// When (monotonic ms) the holder must be dead or frozen: silent since the later of the
    /// last claim heard and the start of the wait, longer than a live tab can be.
    pub(super) fn stale_deadline(&self) -> f64 {
        let since = self.flight.as_ref().and_then(|f| f.since).unwrap_or(0.0);
        let seen = self.last_claim_seen.map_or(since, |s| s.max(since));
        stale_at(seen, self.stale_bound_ms())
    }

    pub(super) fn arm_stale(&mut self) {
        let at = self.stale_deadline() + 1.0;
        self.timers.set(Timer::Wait, at);
    }

    /// In the queue: a newer token ends the wait; a stale holder is taken over by one waiter.
    pub(super) fn queue_check(&mut self, now: Now) {
        if self.has_newer() {
            self.finish(Ok(()));
        } else if now.monotonic_ms > self.stale_deadline() {
            self.timers.clear(Timer::Wait);
            let id = self.request_lock(true, LockMode::IfAvailable);
            if let Some(f) = &mut self.flight {
                f.takeover = Some(id);
                f.step = Step::Takeover;
            }
        } else {
            self.arm_stale();
        }
    }

    pub(super) fn on_lock(&mut self, id: u32, outcome: LockOutcome, now: Now) {
        let newer = self.has_newer();
        let Some(f) = &mut self.flight else { return };
        let main = f.main == Some(id);
        if !main && f.takeover != Some(id) {
            return; // a request withdrawn before its answer
        }
        if outcome == LockOutcome::Unavailable {
            let why = Error::Network("Web Locks became unavailable".into());
            return self.finish(Err(why));
        }
        let granted = outcome == LockOutcome::Granted;
        match (f.step, main) {
            (Step::TryLock, true) if granted => self.exclusive(),
            (Step::TryLock, true) => {
                f.main = None;
                f.step = Step::HopeNews;
                let at = now.monotonic_ms + self.stale_bound_ms();
                self.timers.set(Timer::Wait, at);
            }
            (Step::Queue, true) if granted => {
                self.timers.clear(Timer::Wait);
                self.exclusive();
            }
            (Step::Queue, true) => self.request_main(), // stolen or aborted: ask again
            (Step::Takeover, true) => {
                f.main_granted = granted;
                if !granted {
                    f.main = None;
                }
            }
            (Step::Takeover, false) => {
                if f.main_granted {
                    // Our turn came meanwhile: no takeover needed.
                    if !granted {
                        f.takeover = None;
                    }
                    self.exclusive();
                } else if !granted {
                    // Another waiter is taking over: look again a little later.
                    f.takeover = None;
                    f.step = Step::Queue;
                    if f.main.is_none() {
                        self.request_main();
                    }
                    self.timers
                        .set(Timer::Wait, now.monotonic_ms + TAKEOVER_RETRY_MS);
                } else if newer {
                    self.finish(Ok(()));
                } else {
                    let old = f.main.take();
                    self.release(old);
                    let id = self.request_lock(false, LockMode::Steal);
                    if let Some(f) = &mut self.flight {
                        f.main = Some(id);
                        f.step = Step::Steal;
                    }
                }
            }
            (Step::Steal, true) if granted => self.exclusive(),
            (Step::Steal, true) => {
                // Stolen in turn: ask again.
                let takeover = f.takeover.take();
                self.release(takeover);
                self.request_main();
                self.arm_stale();
            }
            _ => {}
        }
    }
}
