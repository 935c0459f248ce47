//! The restore of `start()`: no session while a logout waits for the server; a valid token
//! held; the flight under way; else a question to the other tabs (when any may be alive),
//! then the refresh cookie. "No session" is a state, not an error: every caller resolves,
//! unless the client is disposed.

use alloc::vec;
use alloc::vec::Vec;

use super::flight::Caller;
use super::timer::Timer;
use super::{Machine, Now, Output};
use crate::core::coordination::is_later;
use crate::core::error::Error;
use crate::core::protocol::Message;

/// How long `start()` waits for an answer to its question before it refreshes.
pub const ASK_WAIT_MS: f64 = 100.0;

/// Where a restore stands.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Debug))]
pub enum Step {
    /// The facts (a pending logout) were asked for.
    Facts,
    /// Whether another tab may be alive was asked.
    Presence,
    /// The question to the other tabs is out (timer `Restore`).
    Ask,
    /// Waiting for the refresh flight.
    Flight,
}

/// A restore under way and its callers.
pub struct Restore {
    callers: Vec<u32>,
    /// Where it stands.
    pub step: Step,
    asked_at: f64,
    asked_before: Option<f64>,
}

impl Machine {
    /// `start()`: joins the restore under way, or begins one.
    pub(super) fn start(&mut self, call: u32) {
        if let Some(r) = &mut self.restore {
            r.callers.push(call);
            return;
        }
        self.restore = Some(Restore {
            callers: vec![call],
            step: Step::Facts,
            asked_at: 0.0,
            asked_before: None,
        });
        self.out.push(Output::ReadFacts);
    }

    fn restore_step(&self) -> Option<Step> {
        self.restore.as_ref().map(|r| r.step)
    }

    fn set_restore_step(&mut self, step: Step) {
        if let Some(r) = &mut self.restore {
            r.step = step;
        }
    }

    pub(super) fn restore_facts(&mut self, logout_pending: bool, now: Now) {
        if !matches!(self.restore_step(), Some(Step::Facts)) {
            return;
        }
        if logout_pending {
            // Logged out, and the server not told yet: no session here, and it is told now.
            let did = self.session.signed_out(None);
            self.changed(did);
            self.retry_logout();
            self.end_restore(Ok(()));
        } else if self.holds_valid(now) {
            self.end_restore(Ok(()));
        } else if self.flight.is_some() {
            self.restore_by_refresh(now);
        } else {
            // Ask the other tabs first, when there may be any (a one-tab reload skips it).
            self.set_restore_step(Step::Presence);
            self.out.push(Output::QueryPresence);
        }
    }

    pub(super) fn on_presence(&mut self, others: bool, now: Now) {
        if !matches!(self.restore_step(), Some(Step::Presence)) {
            return;
        }
        if !others {
            // As good as an unanswered question: no tab can hand over a token.
            self.unanswered_ask = Some(now.wall_ms);
            return self.restore_by_refresh(now);
        }
        let before = self.order();
        if let Some(r) = &mut self.restore {
            r.step = Step::Ask;
            r.asked_at = now.wall_ms;
            r.asked_before = before;
        }
        self.out.push(Output::Post(Message::Ask));
        self.timers
            .set(Timer::Restore, now.monotonic_ms + ASK_WAIT_MS);
    }

    /// News during the question: a newer valid token answers it.
    pub(super) fn restore_news(&mut self, now: Now) {
        let Some(r) = &self.restore else { return };
        if matches!(r.step, Step::Ask)
            && self.holds_valid(now)
            && is_later(self.order(), r.asked_before)
        {
            self.timers.clear(Timer::Restore);
            self.end_restore(Ok(()));
        }
    }

    /// Nobody answered: remembered (no tab had a newer token then); the cookie decides.
    pub(super) fn restore_unanswered(&mut self, now: Now) {
        let Some(r) = &self.restore else { return };
        if !matches!(r.step, Step::Ask) {
            return;
        }
        self.unanswered_ask = Some(r.asked_at);
        if self.holds_valid(now) {
            self.end_restore(Ok(()));
        } else {
            self.restore_by_refresh(now);
        }
    }

    fn restore_by_refresh(&mut self, now: Now) {
        self.set_restore_step(Step::Flight);
        self.fly(Caller::Restore, false, now);
    }

    /// The restore is over: its callers resolve (the state says how it went), or reject
    /// when disposed; callers waiting for it to need a token go on.
    pub(super) fn end_restore(&mut self, result: Result<(), Error>) {
        let Some(r) = self.restore.take() else { return };
        self.timers.clear(Timer::Restore);
        for call in r.callers {
            self.out.push(match &result {
                Err(Error::Disposed) => Output::Reject(call, Error::Disposed),
                _ => Output::Resolve(call),
            });
        }
        for call in core::mem::take(&mut self.ensures) {
            if matches!(result, Err(Error::Disposed)) {
                self.out.push(Output::Reject(call, Error::Disposed));
            } else {
                let now = self.now;
                self.ensure(call, now);
            }
        }
    }
}
