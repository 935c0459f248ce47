//! `login(credentials)`: a logout still waiting for the server is finished first (so its
//! answer cannot clear the new session's cookie), then the login request, bounded by the
//! machine's timer; its token signs in here and is handed to every tab. Logins run one at a
//! time, in order.

use alloc::string::String;

use super::timer::Timer;
use super::{token_message, Machine, Now, Output, Reply};
use crate::core::error::Error;
use crate::core::response::{classify_failure, is_success, AuthCall};

/// Where a login stands.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The facts (a pending logout) were asked for.
    Facts,
    /// A pending logout is being sent first.
    AfterLogout,
    /// The login request `id` is out (timer `Login`).
    Request(u32),
}

/// A login and its caller.
pub struct LoginCall {
    call: u32,
    /// The credentials' JSON text, taken when the request goes out.
    body: String,
    step: Step,
    /// When (epoch ms) the request went out: the session epoch of its token.
    sent_at: f64,
    /// The session epoch known when it went out: a login or logout heard of since wins (the
    /// answer is read late, by a tab that froze).
    epoch_at_send: f64,
}

impl Machine {
    /// `login(body)`: queued behind a login under way, if any.
    pub(super) fn login(&mut self, call: u32, body: String) {
        self.logins.push(LoginCall {
            call,
            body,
            step: Step::Facts,
            sent_at: 0.0,
            epoch_at_send: 0.0,
        });
        if self.logins.len() == 1 {
            self.out.push(Output::ReadFacts);
        }
    }

    fn login_step(&self) -> Option<Step> {
        self.logins.first().map(|l| l.step)
    }

    pub(super) fn login_facts(&mut self, logout_pending: bool, now: Now) {
        if !matches!(self.login_step(), Some(Step::Facts)) {
            return;
        }
        if logout_pending {
            if let Some(l) = self.logins.first_mut() {
                l.step = Step::AfterLogout;
            }
            if self.logout.is_none() {
                self.retry_logout();
            }
        } else {
            self.send_login(now);
        }
    }

    /// The logout attempt ended (whatever its outcome): a login waiting for it goes on. The
    /// marker stays until the login succeeds (the new session replaces the old): a login
    /// that fails after a logout the server did not take must not let a restore sign the old
    /// session back in (found by the simulator: seed 10).
    pub(super) fn login_after_logout(&mut self, now: Now) {
        if matches!(self.login_step(), Some(Step::AfterLogout)) {
            self.send_login(now);
        }
    }

    fn send_login(&mut self, now: Now) {
        let id = self.id();
        let Some(l) = self.logins.first_mut() else {
            return;
        };
        l.step = Step::Request(id);
        l.sent_at = now.wall_ms;
        l.epoch_at_send = self.epoch;
        let body = Some(core::mem::take(&mut l.body));
        self.out.push(Output::SendAuth {
            id,
            call: AuthCall::Login,
            body,
        });
        let at = now.monotonic_ms + self.options.request_timeout_ms;
        self.timers.set(Timer::Login, at);
    }

    /// Whether `id` is the login request under way.
    pub(super) fn is_login_request(&self, id: u32) -> bool {
        matches!(self.login_step(), Some(Step::Request(r)) if r == id)
    }

    pub(super) fn login_timed_out(&mut self) {
        if let Some(Step::Request(id)) = self.login_step() {
            self.out.push(Output::AbortAuth(id));
            let why = self.timed_out(AuthCall::Login);
            self.on_login_answer(Err(why));
        }
    }

    /// The login's answer: a token signs in (every flight begun before is fenced off); a
    /// failure is reported, ending the session only where none was held.
    pub(super) fn on_login_answer(&mut self, result: Result<Reply, Error>) {
        self.timers.clear(Timer::Login);
        if self.logins.is_empty() {
            return;
        }
        let l = self.logins.remove(0); // not empty: no panic path
        let overtaken = self.epoch > l.epoch_at_send;
        let token = result.and_then(|reply| match reply.status {
            _ if overtaken => Err(Error::NotSignedIn),
            s if is_success(s) => reply.token,
            s => Err(classify_failure(AuthCall::Login, s)),
        });
        match token {
            Ok(mut token) => {
                self.fence();
                self.failures = 0;
                self.epoch = (self.epoch + 1.0).max(l.sent_at);
                // A logout still pending is of the session this one replaces.
                self.out.push(Output::MarkLogout(None));
                self.out.push(Output::SaveEpoch(self.epoch));
                token.epoch_ms = self.epoch;
                let message = token_message(&token);
                let did = self.session.signed_in(token);
                self.changed(did);
                self.out.push(Output::Post(message));
                self.out.push(Output::Resolve(l.call));
            }
            Err(e) => {
                let did = if self.order().is_some() {
                    self.session.failed(e.clone())
                } else {
                    self.session.signed_out(Some(e.clone()))
                };
                self.changed(did);
                self.out.push(Output::Reject(l.call, e));
            }
        }
        if !self.logins.is_empty() {
            self.out.push(Output::ReadFacts);
        }
    }

    pub(super) fn dispose_logins(&mut self) {
        for l in core::mem::take(&mut self.logins) {
            if let Step::Request(id) = l.step {
                self.out.push(Output::AbortAuth(id));
            }
            self.out.push(Output::Reject(l.call, Error::Disposed));
        }
    }
}
