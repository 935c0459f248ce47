//! One refresh for the whole browser: single flight in the tab, Web Locks (or an election on
//! the channel) across tabs, the cooldown stamp, and adoption of a peer's token.

use std::rc::Rc;

use crate::core::cooldown;
use crate::core::coordination::{
    after_rejection, is_later, peer_is_stale, plan_refresh, wins_election, Claim, Observed, Plan,
    Rejection,
};
use crate::core::protocol::Message;
use crate::core::Error;
use crate::web::cookie;
use crate::web::js::{self, monotonic_ms, now_ms};
use crate::web::locks::{self, Held, Mode, Request};
use js_sys::{Array, Promise};

use super::peers::{self, PEER_WAIT_MS};
use super::{requests, Flight, Inner};

/// Why a refresh is wanted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A call needs a token now (expired, or a 401).
    Demand,
    /// The timer or a page event found the token due: never queue behind another tab.
    Proactive,
}

/// How long claims are collected in each round of the election without Web Locks.
const ELECTION_WINDOW_MS: f64 = 50.0;
/// Rounds of the election: a winner of every round refreshes.
const ELECTION_ROUNDS: u32 = 2;
/// How often a tab waiting for the lock checks for a newer token or a stale holder.
const LOCK_POLL_MS: f64 = 250.0;

/// Refreshes once for every caller in this tab (joins the flight under way, if any).
pub async fn refresh(inner: &Rc<Inner>, reason: Reason) -> Result<(), Error> {
    inner.check_alive()?;
    let before = inner.held_order();
    Flight::join_or_start(
        inner,
        |i| &i.flight,
        move |inner| Box::pin(async move { coordinated(&inner, before, reason).await }),
    )
    .await
}

/// After a 401 for a request sent with the token obtained at `used`: refresh, unless a newer
/// token arrived meanwhile (then the caller just retries with it).
pub async fn refresh_after_401(inner: &Rc<Inner>, used: Option<f64>) -> Result<(), Error> {
    if is_later(inner.held_order(), used) {
        return Ok(());
    }
    refresh(inner, Reason::Demand).await
}

fn has_newer(inner: &Inner, before: Option<f64>) -> bool {
    is_later(inner.held_order(), before)
}

async fn coordinated(inner: &Rc<Inner>, before: Option<f64>, reason: Reason) -> Result<(), Error> {
    let generation = inner.generation.get();
    // The last line of defence against a loop: a bound on requests per window.
    let delay = inner.budget.borrow_mut().delay_ms(monotonic_ms());
    if delay > 0.0 && inner.wait_until(delay, &|i| has_newer(i, before)).await {
        return Ok(());
    }
    inner.check_alive()?;
    if inner.options.use_web_locks && locks::available() {
        match acquire_lock(inner, before, reason).await? {
            Some(held) => {
                let result = refresh_exclusive(inner, before, generation).await;
                peers::post(inner, Message::Released); // our claims end here
                drop(held);
                result
            }
            None => Ok(()),
        }
    } else {
        elected(inner, before, generation).await
    }
}

/// The right to refresh under Web Locks: the lock, and after a takeover the takeover lock
/// too, held until the refresh ends so that no other waiter takes over from us.
struct Exclusive {
    _lock: Held,
    _takeover: Option<Held>,
}

/// Takes the exclusive Web Lock named after `channel`. `None`: a newer token arrived while
/// waiting, so no lock is needed.
///
/// A holder silent longer than a live tab can be is taken over (`steal`) by exactly one
/// waiter: the one that gets the takeover lock `<channel>:takeover`. The others go on
/// waiting, and find the new token when their turn comes.
async fn acquire_lock(
    inner: &Rc<Inner>,
    before: Option<f64>,
    reason: Reason,
) -> Result<Option<Exclusive>, Error> {
    let name = inner.options.channel.as_str();
    let unavailable = || Error::Network("Web Locks became unavailable".into());
    let exclusive = |lock| Exclusive {
        _lock: lock,
        _takeover: None,
    };
    if reason == Reason::Proactive {
        let attempt = Request::new(name, Mode::IfAvailable).ok_or_else(unavailable)?;
        if let Some(held) = attempt.granted().await {
            return Ok(Some(exclusive(held)));
        }
        // Another tab is refreshing: its token comes on the channel.
        let bound = peers::stale_bound_ms(inner);
        if inner.wait_until(bound, &|i| has_newer(i, before)).await {
            return Ok(None);
        }
    }
    let waiting_since = monotonic_ms();
    loop {
        let request = Request::new(name, Mode::Wait).ok_or_else(unavailable)?;
        loop {
            // Wakes on the grant, on news from the tabs (or dispose), or to poll.
            let wake = Promise::race(&Array::of2(request.granted_promise(), &inner.news()));
            js::settled_within(&wake, LOCK_POLL_MS).await;
            if request.is_settled() {
                match request.granted().await {
                    Some(held) => return Ok(Some(exclusive(held))),
                    None => break, // stolen or aborted: ask again
                }
            }
            inner.check_alive()?;
            if has_newer(inner, before) {
                return Ok(None); // dropping the request withdraws it
            }
            let (_, last_seen) = peers::live_claims(inner);
            let last_sign_of_life = last_seen.unwrap_or(waiting_since).max(waiting_since);
            let now = monotonic_ms();
            if !peer_is_stale(last_sign_of_life, now, peers::stale_bound_ms(inner)) {
                continue;
            }
            // The holder has been silent longer than a live tab can be: one waiter takes over.
            let takeover_name = [name, ":takeover"].concat();
            let takeover =
                Request::new(&takeover_name, Mode::IfAvailable).ok_or_else(unavailable)?;
            let Some(takeover) = takeover.granted().await else {
                continue; // another waiter is taking over
            };
            if has_newer(inner, before) {
                return Ok(None);
            }
            drop(request);
            let steal = Request::new(name, Mode::Steal).ok_or_else(unavailable)?;
            if let Some(held) = steal.granted().await {
                return Ok(Some(Exclusive {
                    _lock: held,
                    _takeover: Some(takeover),
                }));
            }
            break; // stolen in turn: ask again
        }
    }
}

/// Without Web Locks: the earliest claim on the channel refreshes, the others wait for its
/// token. Claims of silent tabs expire, so a closed tab never blocks the others.
async fn elected(inner: &Rc<Inner>, before: Option<f64>, generation: u64) -> Result<(), Error> {
    let bound = peers::stale_bound_ms(inner);
    loop {
        inner.check_alive()?;
        if has_newer(inner, before) {
            return Ok(());
        }
        if let Some(stale_at) = peers::claims_stale_at(inner) {
            // A peer is refreshing: wait for its token, or for its claim to end or to turn
            // stale (a frozen refresher is taken over after one bound, not two). `min`/`max`,
            // not `clamp`: clamp's panic path for a bound that is not a number formats f64
            // with Debug, which costs the wasm build 10 KB gzip.
            let until_stale = (stale_at - monotonic_ms()).min(bound).max(0.0) + 1.0;
            inner
                .wait_until(until_stale, &|i| {
                    has_newer(i, before) || peers::live_claims(i).0.is_empty()
                })
                .await;
            continue;
        }
        let mine = Claim {
            at_ms: now_ms(),
            tab: inner.tab_id.clone(),
        };
        *inner.my_claim.borrow_mut() = Some(mine.clone());
        peers::post_claim(inner);
        // Two rounds: a claim that a busy tab delivered late still counts in the second,
        // and the first round's winner reminds every late claimant that it exists.
        let mut winning = true;
        for _ in 0..ELECTION_ROUNDS {
            js::sleep(ELECTION_WINDOW_MS).await;
            winning = wins_election(&mine, &peers::live_claims(inner).0);
            if !winning {
                break;
            }
            peers::post_claim(inner);
        }
        if winning && !has_newer(inner, before) {
            let result = refresh_exclusive(inner, before, generation).await;
            inner.my_claim.borrow_mut().take();
            peers::post(inner, Message::Released); // our claim ends here
            return result;
        }
        inner.my_claim.borrow_mut().take();
        peers::post(inner, Message::Released);
    }
}

/// Holding the right to refresh: use a newer token if one exists, wait for a peer's token if
/// the cooldown stamp says it is coming, else send the refresh request.
async fn refresh_exclusive(
    inner: &Rc<Inner>,
    before: Option<f64>,
    generation: u64,
) -> Result<(), Error> {
    let cooldown_ms = inner.options.cooldown_ms;
    let stamp = || cooldown::read_stamp(&cookie::read_all(), &inner.options.cooldown_cookie);
    let seen = Observed {
        before,
        held: inner.held_order(),
        stamp: stamp(),
        unanswered_ask: inner.unanswered_ask.get(),
    };
    match plan_refresh(seen, now_ms(), cooldown_ms) {
        Plan::UseHeld => return Ok(()),
        Plan::WaitForPeer => {
            // The refresher posted its token before it released the lock: it is on its way,
            // and any tab holding it answers the question at once.
            peers::post_claim(inner);
            if peers::ask(inner, PEER_WAIT_MS).await && has_newer(inner, before) {
                return Ok(());
            }
        }
        Plan::Refresh => {}
    }
    if inner.generation.get() != generation {
        return Err(Error::NotSignedIn); // signed out while we waited: nothing to refresh
    }
    peers::post_claim(inner);
    inner.update(|s| s.begin_refresh());
    let sent_at = now_ms();
    inner.budget.borrow_mut().record(monotonic_ms());
    let result = requests::refresh_request(inner).await;
    inner.check_alive()?;
    if inner.generation.get() != generation {
        // Signed out meanwhile (logout here or in another tab): do not sign back in.
        inner.update(|s| s.end_refresh());
        return Err(Error::NotSignedIn);
    }
    match result {
        Ok(token) => {
            cookie::write(&cooldown::write_stamp(
                &inner.options.cooldown_cookie,
                token.obtained_at_ms,
                cooldown_max_age_secs(cooldown_ms),
            ));
            inner.failures.set(0);
            inner.update(|s| s.signed_in(token));
            peers::post_token(inner);
            Ok(())
        }
        Err(Error::SessionExpired) => {
            match after_rejection(before, inner.held_order(), stamp(), sent_at) {
                Rejection::AdoptNewer => {
                    inner.update(|s| s.end_refresh());
                    return Ok(());
                }
                Rejection::WaitForPeer => {
                    if peers::ask(inner, PEER_WAIT_MS).await && has_newer(inner, before) {
                        inner.update(|s| s.end_refresh());
                        return Ok(());
                    }
                }
                Rejection::SessionOver => {}
            }
            session_over(inner, before);
            Err(Error::SessionExpired)
        }
        Err(error) => {
            inner.failures.set(inner.failures.get().saturating_add(1));
            inner.update(|s| s.failed(error.clone()));
            Err(error)
        }
    }
}

/// The refresh token was rejected: sign out here and, if a session existed, everywhere.
fn session_over(inner: &Rc<Inner>, before: Option<f64>) {
    inner.generation.set(inner.generation.get() + 1);
    let held = inner.session.borrow().token().map(|t| t.jwt.clone());
    let had_session = before.is_some() || held.is_some();
    inner.update(|s| s.signed_out(had_session.then_some(Error::SessionExpired)));
    if had_session {
        peers::post_signed_out(inner, true, held.as_deref());
    } else {
        peers::post(inner, Message::Released);
    }
}

/// The cooldown cookie outlives the cooldown a little, then the browser drops it.
fn cooldown_max_age_secs(cooldown_ms: f64) -> u32 {
    ((cooldown_ms / 1000.0).ceil() as u32).saturating_add(60)
}
