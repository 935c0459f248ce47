//! Cross-tab decisions, as pure functions of what a tab can observe.
//!
//! A tab knows the token it holds (and when that token was obtained), the cooldown stamp of
//! the last successful refresh in this browser, the claims other tabs posted, and the clock.
//! From these alone it decides whether to send a refresh request, to wait for a peer's token,
//! or to give up. The browser layer carries out the decision.
use super::float::floor;
use alloc::string::String;

/// What a tab does once it may refresh (it holds the lock, or won the election).
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub enum Plan {
    /// A newer token than the one that prompted the refresh is already held: use it.
    UseHeld,
    /// Another tab refreshed after our token was obtained, but its token has not arrived on
    /// the channel yet: wait for it (bounded) instead of spending the refresh token again.
    WaitForPeer,
    /// Nothing newer exists: send the refresh request.
    Refresh,
}

/// What a tab knows when it may refresh.
#[derive(Clone, Copy, Default)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub struct Observed {
    /// When the token that prompted the refresh was obtained (`None`: no token).
    pub before: Option<f64>,
    /// When the token held now was obtained (it may have been adopted meanwhile).
    pub held: Option<f64>,
    /// The cooldown stamp: epoch ms of the last successful refresh in this browser.
    pub stamp: Option<f64>,
    /// When this tab last asked the other tabs for a token and nobody had a newer one.
    pub unanswered_ask: Option<f64>,
    /// When (epoch ms) this tab found the lock held by another tab during this refresh: that
    /// tab may have refreshed, and the lock can reach this tab before its token and its
    /// cooldown stamp do.
    pub lock_busy_at: Option<f64>,
}

/// Decides what to do before sending a refresh request.
///
/// A fresh stamp newer than our token means another tab (or server middleware) refreshed:
/// wait for its token rather than refresh again. So does a lock that another tab held during
/// this refresh, stamp or not: neither that tab's token (on the channel) nor its stamp (in the
/// cookie jar) is ordered with the lock's hand-over, so both can reach this tab after the lock
/// does. Either way, not when we already asked every tab since and none had a newer token (the
/// refresher is gone, e.g. it was this tab before a reload, or the holder did not refresh).
/// Refreshing is never unsafe here (the caller holds the right to refresh, and the cookie jar
/// holds the newest refresh token); waiting only saves a request.
pub fn plan_refresh(seen: Observed, now_ms: f64, cooldown_ms: f64) -> Plan {
    if is_later(seen.held, seen.before) {
        return Plan::UseHeld;
    }
    let not_asked_since = |at: f64| !seen.unanswered_ask.is_some_and(|asked| asked >= at);
    let fresh_stamp = seen.stamp.is_some_and(|s| {
        (is_later(Some(s), seen.held) || clock_set_back_since(seen.held, now_ms))
            && now_ms - s < cooldown_ms
            && s <= now_ms
            && not_asked_since(s)
    });
    if fresh_stamp || seen.lock_busy_at.is_some_and(not_asked_since) {
        Plan::WaitForPeer
    } else {
        Plan::Refresh
    }
}

/// Whether the clock was set back since the held token (ordered at `held`) was obtained: its
/// order lies in the future.
fn clock_set_back_since(held: Option<f64>, now_ms: f64) -> bool {
    held.is_some_and(|order| floor(order) > now_ms)
}

/// What a tab does when its refresh request was answered 401/403.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub enum Rejection {
    /// Another tab refreshed meanwhile and its token is held: a lost race, not a theft.
    AdoptNewer,
    /// Another tab refreshed meanwhile (by the cooldown stamp): wait for its token.
    WaitForPeer,
    /// Nobody refreshed: the session is over.
    SessionOver,
}

/// Decides what a rejected refresh means, with the same inputs as [`plan_refresh`]
/// (`sent_at_ms`: when our request was sent; a stamp at or after it is a peer's success).
pub fn after_rejection(
    before: Option<f64>,
    held: Option<f64>,
    stamp: Option<f64>,
    sent_at_ms: f64,
) -> Rejection {
    if is_later(held, before) {
        Rejection::AdoptNewer
    } else if stamp.is_some_and(|s| s >= floor(sent_at_ms) || is_later(Some(s), before)) {
        Rejection::WaitForPeer
    } else {
        Rejection::SessionOver
    }
}

/// Whether `a` is strictly later than `b` at millisecond precision (`None` is earliest).
///
/// Stamps are whole milliseconds while token times are not, so both are floored.
pub fn is_later(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => floor(a) > floor(b),
        (Some(_), None) => true,
        _ => false,
    }
}

/// A claim to refresh, posted on the channel when Web Locks are not used.
#[derive(Clone, PartialEq)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub struct Claim {
    /// When the claim was made (epoch ms).
    pub at_ms: f64,
    /// The id of the claiming tab.
    pub tab: String,
}

impl Claim {
    /// Whether this claim wins over `other`: the earlier claim wins, ties go to the smaller
    /// tab id, so every tab that saw both claims agrees on the winner.
    pub fn beats(&self, other: &Claim) -> bool {
        (self.at_ms, self.tab.as_str()) < (other.at_ms, other.tab.as_str())
    }
}

/// Whether the claim `mine` wins against every live claim of other tabs.
pub fn wins_election(mine: &Claim, others: &[Claim]) -> bool {
    others.iter().all(|o| o.tab == mine.tab || mine.beats(o))
}

/// Whether a refreshing peer whose last sign of life was at `last_seen_ms` must be dead or
/// frozen: a live peer finishes its request within `request_timeout_ms` (the request is
/// aborted then), so silence well past that bound is proof, not a guess.
pub fn peer_is_stale(last_seen_ms: f64, now_ms: f64, request_timeout_ms: f64) -> bool {
    now_ms > stale_at(last_seen_ms, request_timeout_ms)
}

/// The moment after which a peer last heard of at `last_seen_ms` counts as stale.
pub fn stale_at(last_seen_ms: f64, request_timeout_ms: f64) -> f64 {
    last_seen_ms + request_timeout_ms + STALE_SLACK_MS
}

/// Whether a claim made at `claim_at_ms` and heard of at `now_ms` can be a live tab's: a
/// claim lives at most one stale bound, and tabs of one browser share its clock. Anything
/// else (a forged claim of the year 1970, or of next week) would block the election.
pub fn claim_is_plausible(claim_at_ms: f64, now_ms: f64, request_timeout_ms: f64) -> bool {
    claim_at_ms <= now_ms + STALE_SLACK_MS
        && !peer_is_stale(claim_at_ms, now_ms, request_timeout_ms)
}

/// Slack added to the request timeout before a silent peer is declared stale.
pub const STALE_SLACK_MS: f64 = 1000.0;

/// Delay before the `attempt`-th retry (0-based) of a refresh that failed transiently:
/// 1 s doubling up to 60 s.
pub fn backoff_ms(attempt: u32) -> f64 {
    (1000.0 * f64::from(1u32 << attempt.min(16))).min(60_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COOL: f64 = 5000.0;

    fn seen(before: Option<f64>, held: Option<f64>, stamp: Option<f64>) -> Observed {
        Observed {
            before,
            held,
            stamp,
            unanswered_ask: None,
            lock_busy_at: None,
        }
    }

    fn plan(before: Option<f64>, held: Option<f64>, stamp: Option<f64>, now: f64) -> Plan {
        plan_refresh(seen(before, held, stamp), now, COOL)
    }

    #[test]
    fn a_token_adopted_while_waiting_is_used() {
        assert_eq!(plan(Some(100.0), Some(900.5), None, 1000.0), Plan::UseHeld);
        assert_eq!(plan(None, Some(900.0), None, 1000.0), Plan::UseHeld);
    }

    #[test]
    fn a_fresh_stamp_newer_than_our_token_means_wait_for_the_peer() {
        // Tab A refreshed at 950; its token has not reached us yet.
        assert_eq!(
            plan(Some(100.0), Some(100.0), Some(950.0), 1000.0),
            Plan::WaitForPeer
        );
        assert_eq!(plan(None, None, Some(950.0), 1000.0), Plan::WaitForPeer);
    }

    #[test]
    fn the_stamp_of_our_own_token_does_not_block_us() {
        // We obtained the token at 950.4 and stamped 950: a 401 now needs a real refresh.
        assert_eq!(
            plan(Some(950.4), Some(950.4), Some(950.0), 1000.0),
            Plan::Refresh
        );
    }

    #[test]
    fn old_or_future_stamps_do_not_block() {
        assert_eq!(
            plan(Some(1.0), Some(1.0), Some(100.0), 9000.0),
            Plan::Refresh
        );
        assert_eq!(
            plan(Some(1.0), Some(1.0), Some(1e15), 9000.0),
            Plan::Refresh
        );
        assert_eq!(plan(None, None, None, 9000.0), Plan::Refresh);
    }

    #[test]
    fn race_in_order_two_tabs_one_refresh() {
        // A and B hold the token obtained at 10. A gets the lock first and refreshes.
        let before = Some(10.0);
        assert_eq!(plan(before, before, None, 20.0), Plan::Refresh);
        // A succeeds at 30 and stamps 30. B gets the lock before the broadcast lands.
        assert_eq!(plan(before, before, Some(30.0), 31.0), Plan::WaitForPeer);
        // The broadcast lands while B waits: B uses it.
        assert_eq!(plan(before, Some(30.2), Some(30.0), 32.0), Plan::UseHeld);
    }

    #[test]
    fn a_fresh_stamp_is_a_peers_when_our_token_is_from_the_future() {
        // Our token was ordered at 7,200,000, before the clock went back 2 h: it now lies in
        // the future, so stamps cannot be compared with it. A fresh stamp is a peer's refresh.
        let s = seen(Some(7_200_000.0), Some(7_200_000.0), Some(1_020.0));
        assert_eq!(plan_refresh(s, 1_030.0, COOL), Plan::WaitForPeer);
        // A stamp older than the cooldown does not hold us back.
        assert_eq!(plan_refresh(s, 9_000.0, COOL), Plan::Refresh);
    }

    #[test]
    fn an_unanswered_question_after_the_stamp_means_nobody_has_the_token() {
        // This tab refreshed at 950, then reloaded: it asked at 1000, nobody answered.
        let mut s = seen(None, None, Some(950.0));
        assert_eq!(plan_refresh(s, 1100.0, COOL), Plan::WaitForPeer);
        s.unanswered_ask = Some(1000.0);
        assert_eq!(plan_refresh(s, 1100.0, COOL), Plan::Refresh);
        // A refresh after our question is news: wait for it.
        s.stamp = Some(1050.0);
        assert_eq!(plan_refresh(s, 1100.0, COOL), Plan::WaitForPeer);
    }

    #[test]
    fn a_lock_another_tab_held_means_wait_for_its_token_even_without_a_stamp() {
        // The lock was held by another tab at 900 and came to us at 1000, before that tab's
        // stamp reached our cookie jar (and before its token reached us).
        let mut s = seen(Some(100.0), Some(100.0), None);
        s.lock_busy_at = Some(900.0);
        assert_eq!(plan_refresh(s, 1000.0, COOL), Plan::WaitForPeer);
        // Asked since, and nobody had a newer token: the holder did not refresh.
        s.unanswered_ask = Some(950.0);
        assert_eq!(plan_refresh(s, 1000.0, COOL), Plan::Refresh);
        // Its token came meanwhile.
        s.held = Some(980.0);
        assert_eq!(plan_refresh(s, 1000.0, COOL), Plan::UseHeld);
    }

    #[test]
    fn rejected_refresh_after_a_peer_success_is_a_lost_race() {
        assert_eq!(
            after_rejection(Some(10.0), Some(30.0), Some(30.0), 20.0),
            Rejection::AdoptNewer
        );
        assert_eq!(
            after_rejection(Some(10.0), Some(10.0), Some(30.0), 20.0),
            Rejection::WaitForPeer
        );
        assert_eq!(
            after_rejection(Some(10.0), Some(10.0), Some(5.0), 20.0),
            Rejection::SessionOver
        );
        assert_eq!(
            after_rejection(None, None, None, 20.0),
            Rejection::SessionOver
        );
    }

    #[test]
    fn election_agrees_on_one_winner() {
        let a = Claim {
            at_ms: 5.0,
            tab: "b".into(),
        };
        let b = Claim {
            at_ms: 5.0,
            tab: "a".into(),
        };
        let c = Claim {
            at_ms: 4.0,
            tab: "z".into(),
        };
        let all = [a.clone(), b.clone(), c.clone()];
        let winners: Vec<_> = all.iter().filter(|m| wins_election(m, &all)).collect();
        assert_eq!(winners, [&c]);
        assert!(wins_election(&b, &[a.clone(), b.clone()]));
        assert!(!wins_election(&a, &[a.clone(), b]));
        assert!(wins_election(&a, &[]));
    }

    #[test]
    fn staleness_is_bounded_by_the_request_timeout() {
        assert!(!peer_is_stale(0.0, 10_000.0, 10_000.0));
        assert!(!peer_is_stale(0.0, 10_000.0 + STALE_SLACK_MS, 10_000.0));
        assert!(peer_is_stale(0.0, 11_001.0, 10_000.0));
    }

    #[test]
    fn forged_claims_from_the_past_or_future_are_implausible() {
        assert!(claim_is_plausible(9_000.0, 10_000.0, 10_000.0));
        assert!(claim_is_plausible(10_500.0, 10_000.0, 10_000.0));
        assert!(!claim_is_plausible(0.0, 100_000.0, 10_000.0));
        assert!(!claim_is_plausible(1e15, 100_000.0, 10_000.0));
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff_ms(0), 1000.0);
        assert_eq!(backoff_ms(1), 2000.0);
        assert_eq!(backoff_ms(5), 32_000.0);
        assert_eq!(backoff_ms(6), 60_000.0);
        assert_eq!(backoff_ms(u32::MAX), 60_000.0);
    }
}
