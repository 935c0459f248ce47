//! The other tabs: the channel, what their messages do here, and asking them for a token.

use std::rc::Rc;

use crate::core::coordination::{claim_is_plausible, is_later, peer_is_stale, stale_at, Claim};
use crate::core::protocol::{signature_of, Envelope, Message};
use crate::core::{Error, Token};
use crate::web::channel::Channel;
use crate::web::js::{monotonic_ms, now_ms};

use crate::web::timer::Timeout;

use super::refresh::{refresh, Reason};
use super::Inner;

/// How long a tab waits for a peer's token when a cooldown stamp says one exists (messages
/// between tabs take a few ms; the bound covers a busy tab).
pub const PEER_WAIT_MS: f64 = 300.0;
/// How long `start()` waits for an answer to its question before it refreshes.
pub const ASK_WAIT_MS: f64 = 100.0;

/// Opens the channel named by the `channel` option; messages reach [`on_message`].
pub fn open_channel(inner: &Rc<Inner>) {
    let weak = Rc::downgrade(inner);
    let channel = Channel::open(&inner.options.channel, move |envelope| {
        if let Some(inner) = weak.upgrade() {
            on_message(&inner, envelope);
        }
    });
    *inner.channel.borrow_mut() = channel;
}

/// Posts `message` to the other tabs.
pub fn post(inner: &Inner, message: Message) {
    if let Some(channel) = &*inner.channel.borrow() {
        channel.post(&Envelope {
            from: inner.tab_id.clone(),
            message,
        });
    }
}

/// How often at most a tab answers questions with its token (a flood of forged questions
/// must not become a flood of answers).
const ANSWER_EVERY_MS: f64 = 50.0;

/// Tells the other tabs that the session is over, with the proof that this tab held the
/// session's token (`jwt`, when it held one).
pub fn post_signed_out(inner: &Inner, expired: bool, jwt: Option<&str>) {
    let proof = jwt.map(|j| signature_of(j).to_owned());
    post(inner, Message::SignedOut { expired, proof });
}

/// Hands the held token to the other tabs.
pub fn post_token(inner: &Inner) {
    let token = inner.session.borrow().token().cloned();
    if let Some(t) = token {
        post(
            inner,
            Message::Token {
                jwt: t.jwt,
                obtained_at_ms: t.obtained_at_ms,
                expires_at_ms: Some(t.expires_at_ms),
                order_ms: Some(t.order_ms),
            },
        );
    }
}

/// Posts a claim: our live election claim if any, else a fresh liveness mark.
pub fn post_claim(inner: &Inner) {
    let at_ms = inner
        .my_claim
        .borrow()
        .as_ref()
        .map_or_else(now_ms, |c| c.at_ms);
    post(inner, Message::Claim { at_ms });
}

/// Whether a token is held that is still valid now.
pub fn holds_valid_token(inner: &Inner) -> bool {
    inner
        .session
        .borrow()
        .token()
        .is_some_and(|t| !t.is_expired(now_ms()))
}

/// Asks the other tabs for a token newer than the one held and waits up to `ms` for one.
/// An unanswered question is remembered: nobody had a newer token at that time.
pub async fn ask(inner: &Inner, ms: f64) -> bool {
    let asked_at = now_ms();
    let before = inner.held_order();
    post(inner, Message::Ask);
    let answered = inner
        .wait_until(ms, &|i| {
            holds_valid_token(i) && is_later(i.held_order(), before)
        })
        .await;
    if !answered {
        inner.unanswered_ask.set(Some(asked_at));
    }
    answered || holds_valid_token(inner)
}

/// When (monotonic ms) the live claims of other tabs all turn stale, if there are any.
pub fn claims_stale_at(inner: &Inner) -> Option<f64> {
    let (_, last_seen) = live_claims(inner);
    last_seen.map(|seen| stale_at(seen, stale_bound_ms(inner)))
}

/// Answers a question with the held token: at once, or when questions come faster than
/// [`ANSWER_EVERY_MS`], once at the end of that interval for all of them.
fn answer(inner: &Rc<Inner>) {
    if !holds_valid_token(inner) || inner.pending_answer.borrow().is_some() {
        return;
    }
    let since = monotonic_ms() - inner.last_answer.get();
    if since >= ANSWER_EVERY_MS {
        inner.last_answer.set(monotonic_ms());
        post_token(inner);
        return;
    }
    let weak = Rc::downgrade(inner);
    let later = Timeout::new((ANSWER_EVERY_MS - since).ceil() as u32, move || {
        if let Some(inner) = weak.upgrade() {
            inner.pending_answer.borrow_mut().take();
            answer(&inner);
        }
    });
    *inner.pending_answer.borrow_mut() = Some(later);
}

/// Live claims of other tabs (stale ones are dropped), and when the last was heard of.
pub fn live_claims(inner: &Inner) -> (Vec<Claim>, Option<f64>) {
    let now = monotonic_ms();
    let bound = stale_bound_ms(inner);
    let mut claims = inner.peer_claims.borrow_mut();
    claims.retain(|(_, seen)| !peer_is_stale(*seen, now, bound));
    let last_seen = claims.iter().map(|(_, seen)| *seen).reduce(f64::max);
    (claims.iter().map(|(c, _)| c.clone()).collect(), last_seen)
}

/// The longest a live tab can stay silent while it refreshes: a wait for a peer's token, a
/// question to the tabs, then a request bounded by `requestTimeoutMs`.
pub fn stale_bound_ms(inner: &Inner) -> f64 {
    inner.options.request_timeout_ms + PEER_WAIT_MS
}

fn forget_claim(inner: &Inner, tab: &str) {
    inner.peer_claims.borrow_mut().retain(|(c, _)| c.tab != tab);
}

/// What a message of another tab does here.
fn on_message(inner: &Rc<Inner>, envelope: Envelope) {
    if inner.check_alive().is_err() || envelope.from == inner.tab_id {
        return;
    }
    let from = envelope.from;
    match envelope.message {
        Message::Token {
            jwt,
            obtained_at_ms,
            expires_at_ms,
            order_ms,
        } => {
            forget_claim(inner, &from);
            if let Ok(token) = Token::decode(&jwt, obtained_at_ms) {
                let token = token.as_described(expires_at_ms, order_ms);
                inner.saw_order(token.order_ms);
                inner.failures.set(0);
                inner.update(|s| s.adopt(token, now_ms()));
            }
            inner.wake_waiters();
        }
        Message::Ask => answer(inner),
        Message::SignedOut { expired, proof } => {
            forget_claim(inner, &from);
            let held = inner.session.borrow().token().map(|t| t.jwt.clone());
            match held {
                // The sender held our token: the session is over.
                Some(jwt) if proof.as_deref() == Some(signature_of(&jwt)) => {
                    inner.generation.set(inner.generation.get() + 1);
                    inner.update(|s| s.signed_out(expired.then_some(Error::SessionExpired)));
                }
                // No proof of this session (a forged message, or a sender with another
                // token): ask the server. If the session is over the refresh is refused and
                // this tab signs out; otherwise it just rotated.
                Some(_) => {
                    let inner = inner.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = refresh(&inner, Reason::Demand).await;
                    });
                }
                None => {}
            }
            inner.wake_waiters();
        }
        Message::Claim { at_ms } => {
            if !claim_is_plausible(at_ms, now_ms(), stale_bound_ms(inner)) {
                return;
            }
            let theirs = Claim { at_ms, tab: from };
            let mine = inner.my_claim.borrow().clone();
            {
                let mut claims = inner.peer_claims.borrow_mut();
                claims.retain(|(c, _)| c.tab != theirs.tab);
                claims.push((theirs.clone(), monotonic_ms()));
            }
            // Remind a newcomer that an earlier claim exists, so that it waits.
            if mine.is_some_and(|m| m.beats(&theirs)) {
                post_claim(inner);
            }
            inner.wake_waiters();
        }
        Message::Released => {
            forget_claim(inner, &from);
            inner.wake_waiters();
        }
    }
}
