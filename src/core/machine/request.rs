//! Holding the right to refresh: the plan read from the facts (the cooldown stamp, a pending
//! logout), the question to the other tabs, the refresh request and what its answer does
//! (sign-in, a rejection, a transient failure).

use alloc::borrow::ToOwned;

use super::flight::{AfterAsk, Step};
use super::timer::Timer;
use super::{token_message, Machine, Now, Output, Reply, PEER_WAIT_MS};

/// Successes in a row whose token cannot be read after which the session ends (each retry
/// rotates the refresh token for nothing).
pub const MAX_BAD_ANSWERS: u32 = 3;
use crate::core::claims::Token;
use crate::core::error::Error;
use crate::core::protocol::{signature_of, Message};
use crate::core::response::{classify_failure, is_success, AuthCall};

impl Machine {
    /// Holding the right to refresh: the plan comes from the facts.
    pub(super) fn exclusive(&mut self) {
        if let Some(f) = &mut self.flight {
            f.exclusive = true;
            f.step = Step::Plan;
        }
        self.out.push(Output::ReadFacts);
    }

    pub(super) fn on_facts(&mut self, cookies: &str, logout_pending: bool, now: Now) {
        let claim_stale_at = self.claims_stale_at(now);
        let Some(f) = &self.flight else { return };
        let stamp = crate::core::cooldown::read_stamp(cookies, &self.options.cooldown_cookie);
        let before = f.before;
        match f.step {
            Step::Plan if f.took_over && claim_stale_at.is_some() => {
                // The lock is this tab's after a takeover, yet another tab said it refreshes
                // and is alive: the holder that lost the lock as it thawed. Its token comes, or
                // its claim ends. (A lock granted in turn needs no such wait: its holder
                // released it, done or closed.)
                let at = claim_stale_at.unwrap_or(now.monotonic_ms) + 1.0;
                self.set_step(Step::Heard);
                self.timers.set(Timer::Wait, at);
            }
            Step::Plan => {
                use crate::core::coordination::{plan_refresh, Observed, Plan};
                let seen = Observed {
                    before,
                    held: self.order(),
                    stamp,
                    unanswered_ask: self.unanswered_ask,
                    // Not the holder a takeover stole from: it was silent, its token not on
                    // its way (one that thaws and refreshes posts a claim: see above).
                    lock_busy_at: f.busy_at.filter(|_| !f.took_over),
                };
                match plan_refresh(seen, now.wall_ms, self.options.cooldown_ms) {
                    Plan::UseHeld => self.finish(Ok(())),
                    Plan::WaitForPeer => {
                        // The refresher posted its token before it released the lock: it is
                        // on its way, and any tab holding it answers the question at once.
                        self.post_claim(now);
                        self.ask(Step::Ask(AfterAsk::Send), now);
                    }
                    Plan::Refresh => self.send(logout_pending, now),
                }
            }
            Step::LogoutCheck => self.send(logout_pending, now),
            Step::Rejected => {
                use crate::core::coordination::{after_rejection, Rejection};
                match after_rejection(before, self.order(), stamp, f.sent_at) {
                    Rejection::AdoptNewer => {
                        let did = self.session.end_refresh();
                        self.changed(did);
                        self.finish(Ok(()));
                    }
                    Rejection::WaitForPeer => self.ask(Step::Ask(AfterAsk::Rejection), now),
                    Rejection::SessionOver => self.session_over(),
                }
            }
            _ => {}
        }
    }

    /// Waiting on a live claim of another tab while holding the lock: a newer token ends the
    /// flight; once the claim ended or went stale, the plan is made again.
    pub(super) fn heard_news(&mut self, now: Now) {
        if self.has_newer() {
            self.finish(Ok(()));
        } else if self.claims_stale_at(now).is_none() {
            self.timers.clear(Timer::Wait);
            self.exclusive();
        }
    }

    /// Asks the other tabs for a token newer than the one held, for at most `PEER_WAIT_MS`.
    pub(super) fn ask(&mut self, step: Step, now: Now) {
        let held = self.order();
        if let Some(f) = &mut self.flight {
            f.asked_at = now.wall_ms;
            f.asked_before = held;
            f.step = step;
        }
        self.out.push(Output::Post(Message::Ask));
        self.timers.set(Timer::Ask, now.monotonic_ms + PEER_WAIT_MS);
    }

    pub(super) fn after_ask(&mut self, after: AfterAsk, answered: bool) {
        let adopted = answered && self.has_newer();
        match after {
            AfterAsk::Send if adopted => self.finish(Ok(())),
            AfterAsk::Send => {
                self.set_step(Step::LogoutCheck);
                self.out.push(Output::ReadFacts);
            }
            AfterAsk::Rejection if adopted => {
                let did = self.session.end_refresh();
                self.changed(did);
                self.finish(Ok(()));
            }
            AfterAsk::Rejection => self.session_over(),
        }
    }

    /// Sends the refresh request, unless the session was signed out or logged out meanwhile.
    pub(super) fn send(&mut self, logout_pending: bool, now: Now) {
        let Some(f) = &self.flight else { return };
        if f.generation != self.generation {
            // Signed out (or another login or logout heard of) while we waited.
            return self.fenced();
        }
        if logout_pending {
            // Logged out in some tab, and the server not told yet: the cookie must not sign
            // back in.
            let did = self.session.signed_out(None);
            self.changed(did);
            return self.finish(Err(Error::NotSignedIn));
        }
        let since = f.suspected_at;
        if since.is_some_and(|s| self.last_claim_seen(now).is_some_and(|c| c >= s)) {
            // The holder this tab took the lock from has spoken since it was judged silent:
            // it thawed and is about to refresh (or is refreshing) with the same refresh
            // token. Its token will come; sending too would present the token twice.
            if let Some(f) = &mut self.flight {
                f.exclusive = false;
                let main = f.main.take();
                self.release(main);
            }
            self.out.push(Output::Post(Message::Released));
            return self.back_to_queue(now);
        }
        let Some(f) = &self.flight else { return };
        let confirm = f.locks && !f.confirmed;
        self.post_claim(now);
        if confirm {
            // The claim is out; now make sure the lock is still this tab's (a tab that thawed
            // holding it may have been taken over meanwhile) before the refresh token is spent.
            if let Some(f) = &mut self.flight {
                f.step = Step::Confirm;
                f.confirm_asked = now.monotonic_ms;
            }
            self.out.push(Output::QueryLocks);
            return;
        }
        let did = self.session.begin_refresh();
        self.changed(did);
        self.budget.record(now.monotonic_ms);
        let id = self.id();
        if let Some(f) = &mut self.flight {
            f.sent_at = now.wall_ms;
            f.step = Step::Request(id);
        }
        let call = AuthCall::Refresh;
        let body = self.options.refresh_body.clone();
        self.out.push(Output::SendAuth { id, call, body });
        let at = now.monotonic_ms + self.options.request_timeout_ms;
        self.timers.set(Timer::Request, at);
    }

    /// The answer to the auth request `id`: the refresh, the login or the logout's.
    pub(super) fn on_answer(&mut self, id: u32, result: Result<Reply, Error>, now: Now) {
        // An answer read after its request's bound (the tab was frozen with it on its way) is
        // a timeout, as the bound says: the session may have ended in the other tabs since,
        // and its token must not sign them back in (simulator seeds 10516 and 19772).
        let (login, logout) = (self.is_login_request(id), self.is_logout_request(id));
        let bound = match (login, logout) {
            (true, _) => Timer::Login,
            (_, true) => Timer::Logout,
            _ => Timer::Request,
        };
        if self.timers.is_due(bound, now.monotonic_ms) {
            self.timers.clear(bound);
            return self.on_timer(bound, now);
        }
        if login {
            return self.on_login_answer(result);
        }
        if logout {
            return self.on_logout_answer(result, now);
        }
        let token = result.and_then(|reply| match reply.status {
            s if is_success(s) => reply.token,
            s => Err(match classify_failure(AuthCall::Refresh, s) {
                Error::RefreshRefused(s, _) => Error::RefreshRefused(s, self.cross_site),
                e => e,
            }),
        });
        self.on_refresh_answer(id, token, now);
    }

    pub(super) fn on_refresh_answer(&mut self, id: u32, result: Result<Token, Error>, now: Now) {
        let Some(f) = &mut self.flight else { return };
        if !matches!(f.step, Step::Request(r) if r == id) {
            return; // timed out before
        }
        self.timers.clear(Timer::Request);
        if f.generation != self.generation {
            // Signed out meanwhile (logout here or in another tab): do not sign back in.
            return self.fenced();
        }
        match result {
            Ok(mut token) => {
                token.epoch_ms = self.epoch; // the flight is fenced when the epoch changes
                let max_age = (crate::core::float::ceil(self.options.cooldown_ms / 1000.0) as u32)
                    .saturating_add(60);
                let stamp = crate::core::cooldown::write_stamp(
                    &self.options.cooldown_cookie,
                    token.obtained_at_ms,
                    max_age,
                );
                self.out.push(Output::WriteCookie(stamp));
                self.failures = 0;
                self.bad_answers = 0;
                let message = token_message(&token);
                let did = self.session.signed_in(token);
                self.changed(did);
                self.out.push(Output::Post(message));
                self.finish(Ok(()));
            }
            Err(e @ (Error::RefreshRefused(..) | Error::Config(_))) => {
                // Refused, or not sendable (the CSRF cookie is not there): over, unless
                // another tab refreshed meanwhile.
                f.step = Step::Rejected;
                f.rejection = Some(e);
                self.out.push(Output::ReadFacts);
            }
            Err(e @ (Error::BadResponse(_) | Error::BadToken(_)))
                if self.bad_answers + 1 >= MAX_BAD_ANSWERS =>
            {
                // A success whose token cannot be read, again and again: every retry rotates
                // the refresh token for nothing. The session ends with that error.
                self.bad_answers = 0;
                f.rejection = Some(e);
                self.session_over();
            }
            Err(e) => {
                let _ = now;
                if matches!(e, Error::BadResponse(_) | Error::BadToken(_)) {
                    self.bad_answers += 1;
                }
                self.failures = self.failures.saturating_add(1);
                let did = self.session.failed(e.clone());
                self.changed(did);
                self.finish(Err(e));
            }
        }
    }

    /// The flight belongs to the session before a sign-out, login or logout heard of since it
    /// began: it ends without signing in; a restore without a token settles signed out.
    fn fenced(&mut self) {
        let mut did = self.session.end_refresh();
        if self.order().is_none() {
            did |= self.session.signed_out(None);
        }
        self.changed(did);
        self.finish(Err(Error::NotSignedIn));
    }

    /// The refresh token was rejected: sign out here and, if a session existed, everywhere
    /// (with the proof that this tab held the session's token, taken before it is dropped).
    pub(super) fn session_over(&mut self) {
        self.fence();
        let Some(f) = &mut self.flight else { return };
        let error = f.rejection.take().unwrap_or(Error::SessionExpired);
        let had_session = f.before.is_some() || self.order().is_some();
        let proof = self
            .session
            .token()
            .map(|t| signature_of(&t.jwt).to_owned());
        // The state keeps why: a rejected session (when there was one), the unreadable
        // answers, or a refusal of a restore across sites (the cookie may have been dropped).
        let kept = had_session
            || !matches!(
                error,
                Error::SessionExpired | Error::RefreshRefused(_, false) | Error::Config(_)
            );
        let did = self.session.signed_out(kept.then(|| error.clone()));
        self.changed(did);
        self.out.push(Output::Post(if had_session {
            Message::SignedOut {
                expired: true,
                proof,
                epoch_ms: Some(self.epoch),
                status: match error {
                    Error::RefreshRefused(status, _) => Some(status),
                    _ => None,
                },
            }
        } else {
            Message::Released
        }));
        self.finish(Err(error));
    }
}
