//! The Web Locks path of a flight: the lock tried (`ifAvailable`) or queued for, the holder's
//! staleness deadline, the takeover of a silent holder (the takeover lock, then `steal`).

use alloc::string::String;

use super::flight::Step;
use super::timer::Timer;
use super::{LockMode, LockOutcome, Machine, Now, Output, TAKEOVER_RETRY_MS, TAKEOVER_SETTLE_MS};
use crate::core::coordination::stale_at;
use crate::core::error::Error;
use crate::core::protocol::Message;
use crate::core::text::concat;

impl Machine {
    pub(super) fn request_lock(&mut self, takeover: bool, mode: LockMode) -> u32 {
        let id = self.id();
        let name = if takeover {
            concat(&[self.options.channel.as_str(), ":takeover"])
        } else {
            self.options.channel.clone()
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
        self.arm_stale(now);
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
    pub(super) fn stale_deadline(&self, now: Now) -> f64 {
        let since = self.flight.as_ref().and_then(|f| f.since).unwrap_or(0.0);
        let seen = self.last_claim_seen(now).map_or(since, |s| s.max(since));
        stale_at(seen, self.stale_bound_ms())
    }

    pub(super) fn arm_stale(&mut self, now: Now) {
        let at = self.stale_deadline(now) + 1.0;
        self.timers.set(Timer::Wait, at);
    }

    /// In the queue: a newer token ends the wait; a stale holder is taken over by one waiter.
    pub(super) fn queue_check(&mut self, now: Now) {
        if self.has_newer() {
            self.finish(Ok(()));
        } else if now.monotonic_ms > self.stale_deadline(now) {
            // Who is the silent holder? Only that one may be taken over.
            self.timers.clear(Timer::Wait);
            if let Some(f) = &mut self.flight {
                f.step = Step::Suspect;
                f.suspected_at = Some(now.monotonic_ms);
            }
            self.out.push(Output::QueryLocks);
        } else {
            self.arm_stale(now);
        }
    }

    pub(super) fn on_lock(&mut self, id: u32, outcome: LockOutcome, now: Now) {
        if self.on_logout_lock(id, outcome, now) {
            return;
        }
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
        if outcome == LockOutcome::Lost {
            // Stolen: the tab that took it over refreshes. Unless the request is out already,
            // this tab gives up the right and waits in the queue for the token.
            let before_request = matches!(
                f.step,
                Step::Plan | Step::Heard | Step::Ask(_) | Step::LogoutCheck | Step::Confirm
            );
            if main && matches!(f.step, Step::Stolen) {
                // Stolen in turn while it settled: back in the queue.
                let takeover = f.takeover.take();
                self.release(takeover);
                self.request_main();
                self.arm_stale(now);
            } else if main && f.exclusive && before_request {
                f.exclusive = false;
                f.main = None;
                f.since = Some(now.monotonic_ms);
                self.timers.clear(Timer::Ask);
                self.out.push(Output::Post(Message::Released));
                self.request_main();
                self.arm_stale(now);
            }
            return;
        }
        let granted = outcome == LockOutcome::Granted;
        match (f.step, main) {
            (Step::TryLock, true) if granted => self.exclusive(),
            (Step::TryLock, true) if newer => {
                f.main = None;
                self.finish(Ok(())); // the token came while the lock was asked for
            }
            (Step::TryLock, true) if f.proactive => {
                f.main = None;
                f.step = Step::HopeNews;
                let at = now.monotonic_ms + self.stale_bound_ms();
                self.timers.set(Timer::Wait, at);
            }
            (Step::TryLock, true) => {
                // Held by another tab: queue. That tab may be refreshing, and the lock can
                // reach this tab before its token and its cooldown stamp do (the plan waits).
                f.busy_at = Some(now.wall_ms);
                self.queue(now);
            }
            (Step::Queue | Step::Suspect | Step::Verify | Step::Settle, true) if granted => {
                self.timers.clear(Timer::Wait);
                let takeover = f.takeover.take();
                self.release(takeover);
                self.exclusive();
            }
            (Step::Queue, true) => self.request_main(), // stolen or aborted: ask again
            (Step::Suspect | Step::Verify | Step::Settle, true) => f.main = None, // asked again later
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
                    // Steal only from the holder judged stale: ask again who holds it.
                    f.step = Step::Verify;
                    self.out.push(Output::QueryLocks);
                }
            }
            (Step::Steal, true) if granted => {
                // Stolen: a last wait, longer than a channel message takes, for the claim of a
                // holder that thawed just before the steal and is about to send.
                f.step = Step::Stolen;
                f.took_over = true;
                let at = now.monotonic_ms + TAKEOVER_SETTLE_MS;
                self.timers.set(Timer::Wait, at);
            }
            (Step::Steal, true) => {
                // Stolen in turn: ask again.
                let takeover = f.takeover.take();
                self.release(takeover);
                self.request_main();
                self.arm_stale(now);
            }
            _ => {}
        }
    }

    /// Who holds the lock: the suspect, then (holding the takeover lock) the same one again,
    /// after a last wait; or, about to send, whether it is still this tab.
    pub(super) fn on_holder(&mut self, client: Option<String>, mine: bool, now: Now) {
        if matches!(self.step(), Some(Step::Confirm)) && self.has_newer() {
            // The refresher's token came while the lock was confirmed (the lock can reach a
            // tab before that token and the cooldown stamp do): nothing left to send.
            return self.finish(Ok(()));
        }
        let Some(f) = &mut self.flight else { return };
        match f.step {
            Step::Confirm if mine && now.monotonic_ms - f.confirm_asked > TAKEOVER_SETTLE_MS => {
                // The answer is old (the tab froze after it asked): the lock may have been
                // taken over since. Ask again.
                self.send(false, now);
            }
            Step::Confirm if mine => {
                f.confirmed = true;
                self.send(false, now);
            }
            Step::Confirm => {
                // Taken over: the tab that took the lock refreshes; wait for its token.
                f.exclusive = false;
                f.main = None;
                self.out.push(Output::Post(Message::Released));
                self.back_to_queue(now);
            }
            Step::Suspect if client.is_some() => {
                f.suspect = client;
                let id = self.request_lock(true, LockMode::IfAvailable);
                if let Some(f) = &mut self.flight {
                    f.takeover = Some(id);
                    f.step = Step::Takeover;
                }
            }
            Step::Verify if client.is_some() && client == f.suspect && !f.settled => {
                f.settled = true;
                f.step = Step::Settle;
                self.timers
                    .set(Timer::Wait, now.monotonic_ms + TAKEOVER_SETTLE_MS);
            }
            Step::Verify if client.is_some() && client == f.suspect => {
                let old = f.main.take();
                self.release(old);
                let id = self.request_lock(false, LockMode::Steal);
                if let Some(f) = &mut self.flight {
                    f.main = Some(id);
                    f.step = Step::Steal;
                }
            }
            Step::Suspect | Step::Verify => self.back_to_queue(now),
            _ => {}
        }
    }

    /// A takeover is called off (the lock is free, has a new holder, or the holder spoke):
    /// the holder's silence counts from now, and the wait goes on in the queue.
    pub(super) fn back_to_queue(&mut self, now: Now) {
        let Some(f) = &mut self.flight else { return };
        let takeover = f.takeover.take();
        f.suspect = None;
        f.suspected_at = None;
        f.settled = false;
        f.since = Some(now.monotonic_ms);
        f.step = Step::Queue;
        let queued = f.main.is_some();
        self.release(takeover);
        if !queued {
            self.request_main();
        }
        self.arm_stale(now);
    }
}
