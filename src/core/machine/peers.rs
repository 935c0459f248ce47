//! The other tabs: what their messages do here (a newer token taken, a question answered at a
//! bounded rate, a proven sign-out, an unproven one checked with the server), and the claims
//! of live refreshers with the last sign of life heard of.

use alloc::borrow::ToOwned;
use alloc::string::String;

use super::flight::Caller;
use super::timer::Timer;
use super::{token_message, Machine, Now, Output};
use crate::core::claims::Token;
use crate::core::coordination::{claim_is_plausible, peer_is_stale, stale_at, Claim};
use crate::core::error::Error;
use crate::core::protocol::{signature_of, Envelope, Message};

/// How often at most a tab answers questions with its token: a flood of forged questions
/// must not become a flood of answers.
pub const ANSWER_EVERY_MS: f64 = 50.0;

/// A live claim of another tab.
pub struct PeerClaim {
    /// The claim (its time and tab).
    pub claim: Claim,
    /// When (monotonic ms) it was heard.
    pub seen_ms: f64,
}

impl Machine {
    /// A message of another tab; returns whether it is news (every well-formed message is).
    pub(super) fn on_message(&mut self, envelope: Envelope, now: Now) -> bool {
        let Envelope { from, message } = envelope;
        if from == self.tab {
            return false;
        }
        if let Message::Claim { at_ms } = message {
            if !claim_is_plausible(at_ms, now.wall_ms, self.stale_bound_ms()) {
                return false;
            }
            self.claims.retain(|c| c.claim.tab != from);
            let claim = Claim { at_ms, tab: from };
            // Remind a newcomer that an earlier claim exists, so that it waits.
            if let Some(mine) = self.my_claim() {
                if mine.beats(&claim) {
                    self.out
                        .push(Output::Post(Message::Claim { at_ms: mine.at_ms }));
                }
            }
            self.claims.push(PeerClaim {
                claim,
                seen_ms: now.monotonic_ms,
            });
            return true;
        }
        // Every other message (a bad token too) ends the sender's claim; a release is a sign
        // of life too: the next holder of the lock starts now.
        self.claims.retain(|c| c.claim.tab != from);
        match message {
            Message::Released => self.last_release = Some(now.monotonic_ms),
            Message::Token {
                jwt,
                obtained_at_ms,
                expires_at_ms,
                order_ms,
                epoch_ms,
            } => {
                if let Ok(token) = Token::decode(&jwt, obtained_at_ms) {
                    let token = token.as_described(expires_at_ms, order_ms);
                    self.on_token(token, epoch_ms.unwrap_or(0.0), now);
                }
            }
            Message::Ask => self.answer(now),
            Message::SignedOut {
                expired,
                proof,
                epoch_ms,
                status,
            } => {
                // Why it expired, as the tab that was refused says: with its status, if any.
                let why = expired.then(|| {
                    status.map_or(Error::SessionExpired, |s| Error::RefreshRefused(s, false))
                });
                self.on_signed_out(why, proof, epoch_ms.unwrap_or(0.0), now)
            }
            Message::Claim { .. } => {}
        }
        true
    }

    /// A peer's token: taken when newer and valid, and of the session epoch known here or a
    /// later one (a token of an earlier epoch comes from a refresh that crossed a logout, and
    /// is ignored: it says nothing of this tab's failures, whose retry stays due). A token of
    /// this session ends the failures: a peer refreshed.
    fn on_token(&mut self, mut token: Token, epoch_ms: f64, now: Now) {
        self.saw_order(token.order_ms);
        if epoch_ms < self.epoch {
            return;
        }
        self.failures = 0;
        self.raise_epoch(epoch_ms); // a later login heard of, whether its token is taken or not
        token.epoch_ms = epoch_ms;
        let did = self.session.adopt(token, now.wall_ms);
        self.changed(did);
    }

    /// A sign-out of another tab: proven by the signature of the token held here, the session
    /// is over; without that proof (a forged message, a sender with another token) the
    /// server is asked with a refresh, which fails if the session is over.
    fn on_signed_out(
        &mut self,
        why: Option<Error>,
        proof: Option<String>,
        epoch_ms: f64,
        now: Now,
    ) {
        let Some(held) = self.session.token() else {
            return;
        };
        if proof.as_deref() == Some(signature_of(&held.jwt)) {
            self.fence();
            self.epoch = self.epoch.max(epoch_ms);
            let did = self.session.signed_out(why);
            self.changed(did);
        } else {
            self.doubted |= epoch_ms > self.epoch;
            self.fly(Caller::Own, false, now);
        }
    }

    /// Answers a question with the held token: at once, or when questions come faster than
    /// [`ANSWER_EVERY_MS`], once at the end of that interval for all of them.
    pub(super) fn answer(&mut self, now: Now) {
        if !self.holds_valid(now) || self.doubted || self.timers.is_set(Timer::Answer) {
            return;
        }
        let last = self.last_answer.unwrap_or(f64::NEG_INFINITY);
        if now.monotonic_ms - last >= ANSWER_EVERY_MS {
            self.last_answer = Some(now.monotonic_ms);
            if let Some(token) = self.session.token() {
                let message = token_message(token);
                self.out.push(Output::Post(message));
            }
        } else {
            self.timers.set(Timer::Answer, last + ANSWER_EVERY_MS);
        }
    }

    /// This tab's live election claim, if any.
    pub(super) fn my_claim(&self) -> Option<Claim> {
        let at_ms = self.flight.as_ref()?.claim_at?;
        Some(Claim {
            at_ms,
            tab: self.tab.to_owned(),
        })
    }

    /// Drops the claims of peers silent for longer than a live tab can be.
    pub(super) fn drop_stale_claims(&mut self, now: Now) {
        let bound = self.stale_bound_ms();
        self.claims
            .retain(|c| !peer_is_stale(c.seen_ms, now.monotonic_ms, bound));
    }

    /// When (monotonic ms) a refresher of another tab was last heard of: a live claim, or a
    /// release (the lock's next holder starts then, so its silence counts from there).
    pub(super) fn last_claim_seen(&self, now: Now) -> Option<f64> {
        let bound = self.stale_bound_ms();
        let live = self.claims.iter().map(|c| c.seen_ms);
        let live = live.filter(|&seen| !peer_is_stale(seen, now.monotonic_ms, bound));
        live.chain(self.last_release).reduce(f64::max)
    }

    /// When (monotonic ms) the live claims of other tabs all turn stale, if there are any.
    pub(super) fn claims_stale_at(&mut self, now: Now) -> Option<f64> {
        self.drop_stale_claims(now);
        let last = self.claims.iter().map(|c| c.seen_ms).reduce(f64::max)?;
        Some(stale_at(last, self.stale_bound_ms()))
    }
}
