//! `logout()` and the durable logout: every tab signs out at once (with the proof of the
//! token held), the origin's marker says a logout waits for the server, and the logout request
//! is sent, and sent again when a page starts, comes online or is shown, until the server
//! answers it for good. One tab at a time talks to the server about it: the `<channel>:logout`
//! Web Lock, kept [`SETTLE_MS`] after the marker is cleared, because other tabs' view of the
//! origin's storage lags.

use alloc::borrow::ToOwned;
use alloc::vec::Vec;

use super::timer::Timer;
use super::{LockMode, LockOutcome, Machine, Now, Output, Reply};
use crate::core::error::Error;
use crate::core::protocol::{signature_of, Message};
use crate::core::response::{classify_failure, is_success, AuthCall};
use crate::core::text::concat;

/// How long a tab that cleared the marker keeps the logout lock.
pub const SETTLE_MS: f64 = 1000.0;

/// Where a logout attempt stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    /// A retry looks at the marker before it takes the lock.
    Look,
    /// The logout lock `id` was asked for.
    Lock(u32),
    /// Holding the lock, a retry looks at the marker again.
    Check,
    /// The logout request `id` is out (timer `Logout`).
    Request(u32),
}

/// One attempt to tell the server.
pub struct Attempt {
    /// `logout()` callers it answers.
    callers: Vec<u32>,
    /// A retry (sent only while the marker is there), not a `logout()`.
    retry: bool,
    step: Step,
    lock: Option<u32>,
    confirmed: bool,
    failure: Option<Error>,
}

impl Machine {
    /// `logout()`: the session ends here and in every tab at once, the marker is set, and the
    /// server is told (after the attempt under way, if any).
    pub(super) fn logout(&mut self, call: u32, now: Now) {
        self.fence();
        let epoch = self.new_epoch(now);
        let epoch_ms = Some(epoch);
        self.out.push(Output::SaveEpoch(epoch));
        let proof = self
            .session
            .token()
            .map(|t| signature_of(&t.jwt).to_owned());
        // The marker first, so that no tab that hears of the sign-out and reloads can restore
        // the session before the server is told.
        self.out.push(Output::MarkLogout(Some(epoch)));
        let did = self.session.signed_out(None);
        self.changed(did);
        let expired = false;
        let message = Message::SignedOut {
            expired,
            proof,
            epoch_ms,
            status: None,
        };
        self.out.push(Output::Post(message));
        if self.logout.is_some() {
            self.logout_next.push(call);
        } else {
            self.begin_attempt(Vec::from([call]), false, now);
        }
    }

    /// A logout that waits for the server is sent again, if one does (the marker is looked
    /// at first) and none is under way here.
    pub(super) fn retry_logout(&mut self) {
        if self.logout.is_none() {
            let now = self.now;
            self.begin_attempt(Vec::new(), true, now);
        }
    }

    fn begin_attempt(&mut self, callers: Vec<u32>, retry: bool, now: Now) {
        self.logout = Some(Attempt {
            callers,
            retry,
            step: Step::Look,
            lock: None,
            confirmed: false,
            failure: None,
        });
        if retry {
            self.out.push(Output::ReadFacts);
        } else {
            self.take_logout_lock(now);
        }
    }

    fn take_logout_lock(&mut self, now: Now) {
        if !self.locks {
            return self.after_logout_lock(now);
        }
        let id = self.id();
        let name = concat(&[self.options.channel.as_str(), ":logout"]);
        let mode = LockMode::Wait;
        self.out.push(Output::RequestLock { id, name, mode });
        if let Some(a) = &mut self.logout {
            a.step = Step::Lock(id);
        }
    }

    /// Whether `id` is the logout lock's request; then `outcome` is taken.
    pub(super) fn on_logout_lock(&mut self, id: u32, outcome: LockOutcome, now: Now) -> bool {
        let Some(a) = &mut self.logout else {
            return false;
        };
        if !matches!(a.step, Step::Lock(l) if l == id) {
            return a.lock == Some(id) || self.settling == Some(id);
        }
        if outcome == LockOutcome::Granted {
            a.lock = Some(id);
        }
        // Without the lock (refused, or no Web Locks after all) the attempt goes on alone.
        self.after_logout_lock(now);
        true
    }

    fn after_logout_lock(&mut self, now: Now) {
        let Some(a) = &mut self.logout else { return };
        if a.retry {
            a.step = Step::Check;
            self.out.push(Output::ReadFacts);
        } else {
            self.send_logout(now);
        }
    }

    pub(super) fn logout_facts(&mut self, logout_pending: bool, now: Now) {
        let Some(a) = &self.logout else { return };
        match a.step {
            Step::Look | Step::Check if !logout_pending => self.end_attempt(false, now),
            Step::Look => self.take_logout_lock(now),
            Step::Check => self.send_logout(now),
            _ => {}
        }
    }

    fn send_logout(&mut self, now: Now) {
        let id = self.id();
        if let Some(a) = &mut self.logout {
            a.step = Step::Request(id);
        }
        let body = self.options.logout_body.clone();
        self.out.push(Output::SendAuth {
            id,
            call: AuthCall::Logout,
            body,
        });
        let at = now.monotonic_ms + self.options.request_timeout_ms;
        self.timers.set(Timer::Logout, at);
    }

    /// Whether `id` is the logout request under way.
    pub(super) fn is_logout_request(&self, id: u32) -> bool {
        self.logout
            .as_ref()
            .is_some_and(|a| matches!(a.step, Step::Request(r) if r == id))
    }

    pub(super) fn logout_timed_out(&mut self, now: Now) {
        if let Some(Step::Request(id)) = self.logout.as_ref().map(|a| a.step) {
            self.out.push(Output::AbortAuth(id));
            let why = self.timed_out(AuthCall::Logout);
            self.on_logout_answer(Err(why), now);
        }
    }

    /// The server's answer: confirmed for 2xx or 401 (the session was already over); over for
    /// good (the marker goes) unless a 5xx, 408 or 429 or no answer, which is tried again
    /// later (a `config` failure is over too).
    pub(super) fn on_logout_answer(&mut self, result: Result<Reply, Error>, now: Now) {
        self.timers.clear(Timer::Logout);
        let Some(a) = &mut self.logout else { return };
        let cleared = match result {
            Ok(Reply { status, .. }) => {
                let ok = is_success(status);
                a.confirmed = ok || status == 401;
                a.failure = (!ok).then(|| classify_failure(AuthCall::Logout, status));
                status < 500 && status != 408 && status != 429
            }
            Err(e) => {
                // A `config` failure (the CSRF cookie is not there) cannot get better by
                // sending again: the attempt is over for good.
                let over = matches!(e, Error::Config(_));
                a.failure = Some(e);
                over
            }
        };
        if cleared {
            self.out.push(Output::MarkLogout(None));
        }
        self.end_attempt(cleared, now);
    }

    /// The attempt is over: its callers learn whether the server confirmed it; the lock is
    /// kept a while when the marker was cleared; the next attempt or a waiting login goes on.
    fn end_attempt(&mut self, cleared: bool, now: Now) {
        let Some(a) = self.logout.take() else { return };
        for call in a.callers {
            if let Some(failure) = &a.failure {
                let did = self.session.signed_out(Some(failure.clone()));
                self.changed(did);
            }
            let confirmed = a.confirmed;
            self.out.push(Output::LoggedOut { call, confirmed });
        }
        match a.lock {
            Some(lock) if cleared => {
                let old = self.settling.replace(lock);
                self.release(old);
                self.timers.set(Timer::Settle, now.monotonic_ms + SETTLE_MS);
            }
            lock => self.release(lock),
        }
        let next = core::mem::take(&mut self.logout_next);
        if !next.is_empty() {
            self.begin_attempt(next, false, now);
        } else {
            self.login_after_logout(now);
        }
    }

    pub(super) fn dispose_logout(&mut self) {
        if let Some(a) = self.logout.take() {
            if let Step::Request(id) = a.step {
                self.out.push(Output::AbortAuth(id));
            }
            self.release(a.lock);
            for call in a.callers.into_iter().chain(self.logout_next.drain(..)) {
                self.out.push(Output::Reject(call, Error::Disposed));
            }
        }
        let lock = self.settling.take();
        self.release(lock);
    }
}
