//! Host tests of the machine: one machine, its outputs read as a driver would. Here the
//! harness and the refresh flight; the API calls (start, login, logout) in `calls.rs`; other
//! tabs' messages, the election and the schedule in `peers.rs`.

mod calls;
mod peers;

use super::*;
use crate::core::claims::tests::jwt;
use crate::core::protocol::Envelope;
use crate::core::response::AuthCall;

const TIMEOUT_MS: f64 = 1000.0;

pub(super) struct Tab {
    m: Machine,
    mono: f64,
    wall: f64,
}

pub(super) fn token(at: f64) -> Token {
    let mut t = Token::decode(&jwt(r#"{"sub":"u","iat":0,"exp":600}"#), at).unwrap();
    t.order_ms = at;
    t
}

impl Tab {
    pub(super) fn new() -> Tab {
        let mut o = Options::new("http://127.0.0.1:8000");
        o.request_timeout_ms = TIMEOUT_MS;
        o.channel = "ch".into();
        Tab {
            m: Machine::new(o, "me".into(), true),
            mono: 0.0,
            wall: 1_000_000.0,
        }
    }

    pub(super) fn now(&self) -> Now {
        Now {
            monotonic_ms: self.mono,
            wall_ms: self.wall,
        }
    }

    pub(super) fn feed(&mut self, input: Input) -> Vec<Output> {
        let now = self.now();
        self.m.handle(input, now);
        std::iter::from_fn(|| self.m.poll_output()).collect()
    }

    /// Advances both clocks to the next deadline and fires the timer.
    pub(super) fn fire(&mut self) -> Vec<Output> {
        let at = self.m.poll_timeout().expect("a timer");
        self.wall += at - self.mono;
        self.mono = at;
        self.feed(Input::Timer)
    }

    /// Fires every timer armed (at most 50), with their outputs.
    pub(super) fn fire_all(&mut self) -> Vec<Output> {
        let mut out = Vec::new();
        for _ in 0..50 {
            if self.m.poll_timeout().is_none() {
                break;
            }
            out.extend(self.fire());
        }
        out
    }

    pub(super) fn refresh(&mut self, call: u32, proactive: bool) -> Vec<Output> {
        self.feed(Input::Refresh {
            call,
            proactive,
            used: None,
        })
    }

    /// The facts, and (before a request) the lock still this tab's.
    pub(super) fn facts(&mut self) -> Vec<Output> {
        let mut out = self.feed(Input::Facts {
            cookies: String::new(),
            logout_marker: None,
            stored_epoch: None,
        });
        if out.iter().any(|o| matches!(o, Output::QueryLocks)) {
            out.extend(self.holder("me", true));
        }
        out
    }

    pub(super) fn holder(&mut self, client: &str, mine: bool) -> Vec<Output> {
        self.feed(Input::Holder {
            client: Some(client.into()),
            mine,
        })
    }

    pub(super) fn lock(&mut self, id: u32, outcome: LockOutcome) -> Vec<Output> {
        self.feed(Input::Lock { id, outcome })
    }

    /// A message of another tab.
    pub(super) fn hear(&mut self, message: Message) -> Vec<Output> {
        let from = "peer".into();
        self.feed(Input::Message(Envelope { from, message }))
    }

    /// The answer `status` to request `id`, with a token made at `at` for a 2xx.
    pub(super) fn answer(&mut self, id: u32, status: u16, at: f64) -> Vec<Output> {
        let token = if (200..300).contains(&status) {
            Ok(token(at))
        } else {
            Err(Error::BadResponse("no token".into()))
        };
        self.feed(Input::Answer {
            id,
            result: Ok(Reply { status, token }),
        })
    }

    pub(super) fn sign_in(&mut self, at: f64) {
        self.m.session.signed_in(token(at));
    }
}

pub(super) fn lock_requests(out: &[Output]) -> Vec<(u32, String, LockMode)> {
    out.iter()
        .filter_map(|o| match o {
            Output::RequestLock { id, name, mode } => Some((*id, name.clone(), *mode)),
            _ => None,
        })
        .collect()
}

pub(super) fn sent(out: &[Output]) -> Option<u32> {
    out.iter().find_map(|o| match o {
        Output::SendAuth {
            id,
            call: AuthCall::Refresh,
            ..
        } => Some(*id),
        _ => None,
    })
}

pub(super) fn resolved(out: &[Output]) -> Vec<u32> {
    out.iter()
        .filter_map(|o| match o {
            Output::Resolve(c) => Some(*c),
            _ => None,
        })
        .collect()
}

pub(super) fn rejected(out: &[Output]) -> Vec<(u32, &'static str)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Reject(c, e) => Some((*c, e.code())),
            _ => None,
        })
        .collect()
}

/// A demand refresh that gets the lock at once, up to the request.
pub(super) fn to_request(tab: &mut Tab, call: u32) -> u32 {
    let out = tab.refresh(call, false);
    let (id, name, mode) = lock_requests(&out).remove(0);
    assert_eq!((name.as_str(), mode), ("ch", LockMode::IfAvailable));
    let out = tab.lock(id, LockOutcome::Granted);
    assert!(matches!(out.as_slice(), [Output::ReadFacts]));
    sent(&tab.facts()).expect("a refresh request")
}

#[test]
fn callers_join_one_flight_and_all_get_its_outcome() {
    let mut tab = Tab::new();
    let id = to_request(&mut tab, 1);
    assert!(
        tab.refresh(2, false).is_empty(),
        "the second caller only joins"
    );
    let out = tab.answer(id, 200, tab.wall);
    assert!(out.iter().any(|o| matches!(o, Output::WriteCookie(_))));
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::Post(Message::Token { .. }))));
    assert!(out.iter().any(|o| matches!(o, Output::Release(_))));
    assert_eq!(resolved(&out), [1, 2]);
    assert!(!tab.m.flying());
    for timer in timer::FLIGHT {
        assert!(!tab.m.timers.is_set(timer), "no timer of the flight left");
    }
    assert!(
        tab.m.timers.is_set(timer::Timer::Due),
        "the refresh schedule is armed"
    );
}

#[test]
fn a_stalled_answer_is_timed_out_and_aborted_by_the_machine() {
    let mut tab = Tab::new();
    let id = to_request(&mut tab, 1);
    assert_eq!(tab.m.poll_timeout(), Some(TIMEOUT_MS));
    let out = tab.fire();
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::AbortAuth(i) if *i == id)));
    assert_eq!(rejected(&out), [(1, "network")]);
    assert_eq!(tab.m.failures, 1);
    // The answer that comes after all is ignored.
    let late = tab.answer(id, 200, tab.wall);
    assert!(late.is_empty());
}

/// A demand refresh that finds the lock held by another tab: it queues. The outputs of the
/// refusal (the request to wait for the lock among them).
pub(super) fn to_queue(tab: &mut Tab, call: u32) -> Vec<Output> {
    let out = tab.refresh(call, false);
    let (id, name, mode) = lock_requests(&out).remove(0);
    assert_eq!(
        (name.as_str(), mode),
        ("ch", LockMode::IfAvailable),
        "tried first"
    );
    let out = tab.lock(id, LockOutcome::Refused);
    let (_, name, mode) = lock_requests(&out).remove(0);
    assert_eq!((name.as_str(), mode), ("ch", LockMode::Wait), "then queued");
    out
}

fn queried(out: &[Output]) -> bool {
    out.iter().any(|o| matches!(o, Output::QueryLocks))
}

/// A waiter whose holder `h1` stays silent, up to the grant of the takeover lock and the
/// verification that `h1` still holds the lock; returns (main, takeover) request ids.
fn to_settle(tab: &mut Tab) -> (u32, u32) {
    let out = to_queue(tab, 1);
    let (main, _, _) = lock_requests(&out)[0].clone();
    // Silent holder: at its staleness deadline, who holds the lock is asked.
    assert!(queried(&tab.fire()));
    assert!(tab.mono > TIMEOUT_MS + PEER_WAIT_MS + 1000.0);
    let out = tab.holder("h1", false);
    let (takeover, name, mode) = lock_requests(&out).remove(0);
    assert_eq!(
        (name.as_str(), mode),
        ("ch:takeover", LockMode::IfAvailable)
    );
    // Holding the takeover lock: the same holder, asked again.
    assert!(queried(&tab.lock(takeover, LockOutcome::Granted)));
    assert!(
        lock_requests(&tab.holder("h1", false)).is_empty(),
        "a last wait first"
    );
    (main, takeover)
}

#[test]
fn waiter_takes_over_a_silent_holder_once() {
    let mut tab = Tab::new();
    let (main, takeover) = to_settle(&mut tab);
    let before = tab.mono;
    assert!(queried(&tab.fire()), "still silent: asked once more");
    assert_eq!(tab.mono, before + TAKEOVER_SETTLE_MS);
    let out = tab.holder("h1", false);
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::Release(i) if *i == main)));
    let (steal, name, mode) = lock_requests(&out).remove(0);
    assert_eq!((name.as_str(), mode), ("ch", LockMode::Steal));
    let out = tab.lock(steal, LockOutcome::Granted);
    assert!(
        out.is_empty(),
        "a last wait for the claim of a holder that just thawed"
    );
    let out = tab.fire();
    assert!(matches!(out.as_slice(), [Output::ReadFacts]));
    let id = sent(&tab.facts()).unwrap();
    let out = tab.answer(id, 200, tab.wall);
    // Both locks go at the end.
    let released: Vec<_> = out
        .iter()
        .filter_map(|o| match o {
            Output::Release(i) => Some(*i),
            _ => None,
        })
        .collect();
    assert_eq!(released, [steal, takeover]);
}

#[test]
fn a_holder_that_thawed_as_its_lock_was_stolen_refreshes_and_the_stealer_waits() {
    let mut tab = Tab::new();
    let (_, _) = to_settle(&mut tab);
    tab.fire();
    let out = tab.holder("h1", false);
    let (steal, _, _) = lock_requests(&out).remove(0);
    tab.lock(steal, LockOutcome::Granted);
    // The holder thawed: its claim arrives during the last wait.
    tab.hear(Message::Claim { at_ms: tab.wall });
    let out = tab.fire();
    assert!(matches!(out.as_slice(), [Output::ReadFacts]));
    let out = tab.facts();
    assert!(sent(&out).is_none(), "its claim is live: no second request");
    let out = tab.hear(token_message(&token(tab.wall)));
    assert_eq!(resolved(&out), [1], "the holder's token ends the flight");
}

#[test]
fn a_token_that_comes_while_the_lock_is_confirmed_ends_the_flight_without_a_request() {
    let mut tab = Tab::new();
    tab.sign_in(tab.wall - 10.0);
    let out = tab.refresh(1, false);
    let (id, _, _) = lock_requests(&out).remove(0);
    tab.lock(id, LockOutcome::Granted);
    // No cooldown stamp yet (the refresher's cookie has not reached this tab): a request is
    // planned, and the lock confirmed first.
    let out = tab.feed(Input::Facts {
        cookies: String::new(),
        logout_marker: None,
        stored_epoch: None,
    });
    assert!(queried(&out));
    // The refresher's token arrives before the answer.
    tab.hear(token_message(&token(tab.wall)));
    let out = tab.holder("me", true);
    assert!(sent(&out).is_none(), "no second refresh");
    assert_eq!(resolved(&out), [1]);
}

/// A demand refresh that found the lock held by another tab, up to the plan made when the
/// lock comes: neither that tab's cooldown stamp nor its token has reached this tab yet (the
/// outputs of the facts, the lock confirmed as this tab's if asked).
fn lock_handed_over_before_the_stamp(tab: &mut Tab) -> Vec<Output> {
    tab.sign_in(tab.wall - 10.0);
    let out = tab.refresh(1, false);
    let (first, _, _) = lock_requests(&out).remove(0);
    // Another tab holds the lock (it is refreshing).
    let out = tab.lock(first, LockOutcome::Refused);
    let (queued, _, _) = lock_requests(&out).remove(0);
    tab.mono += 9.0;
    tab.wall += 9.0;
    // It released the lock after it wrote its stamp and posted its token; the lock comes
    // first (the cookie jar and the channel are not ordered with the lock's hand-over).
    assert!(matches!(
        tab.lock(queued, LockOutcome::Granted).as_slice(),
        [Output::ReadFacts]
    ));
    tab.facts()
}

#[test]
fn a_lock_handed_over_by_a_refresher_waits_for_its_token_though_its_stamp_is_not_seen_yet() {
    let mut tab = Tab::new();
    let out = lock_handed_over_before_the_stamp(&mut tab);
    assert!(sent(&out).is_none(), "no second refresh");
    assert!(out.iter().any(|o| matches!(o, Output::Post(Message::Ask))));
    // The refresher's token comes (its channel message 30 ms late).
    tab.mono += 30.0;
    tab.wall += 30.0;
    let out = tab.hear(token_message(&token(tab.wall - 35.0)));
    assert!(sent(&out).is_none());
    assert_eq!(resolved(&out), [1]);
}

#[test]
fn a_lock_handed_over_without_a_new_token_costs_one_unanswered_question() {
    let mut tab = Tab::new();
    lock_handed_over_before_the_stamp(&mut tab);
    // The holder did not refresh (it failed, or used a token it had): nobody answers.
    let before = tab.mono;
    let out = tab.fire();
    assert_eq!(tab.mono, before + PEER_WAIT_MS);
    assert!(matches!(out.as_slice(), [Output::ReadFacts]));
    assert!(sent(&tab.facts()).is_some(), "then the refresh");
}

#[test]
fn an_old_answer_to_is_it_still_mine_is_asked_again() {
    let mut tab = Tab::new();
    let out = tab.refresh(1, false);
    let (id, _, _) = lock_requests(&out).remove(0);
    tab.lock(id, LockOutcome::Granted);
    let out = tab.feed(Input::Facts {
        cookies: String::new(),
        logout_marker: None,
        stored_epoch: None,
    });
    assert!(queried(&out));
    tab.mono += 10_000.0; // frozen with the question out
    tab.wall += 10_000.0;
    let out = tab.holder("me", true);
    assert!(sent(&out).is_none(), "stale: not trusted");
    assert!(queried(&out), "asked again");
    assert!(sent(&tab.holder("me", true)).is_some());
}

#[test]
fn a_takeover_is_called_off_when_the_lock_changed_hands() {
    let mut tab = Tab::new();
    let (_, takeover) = to_settle(&mut tab);
    tab.fire();
    // The silent holder released meanwhile and another tab holds the lock now.
    let out = tab.holder("h2", false);
    assert!(lock_requests(&out).is_empty(), "no steal from a new holder");
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::Release(i) if *i == takeover)));
    // Its silence counts from now.
    assert!(tab.m.poll_timeout().unwrap() > tab.mono + TIMEOUT_MS);
}

#[test]
fn a_takeover_is_called_off_when_the_holder_speaks() {
    let mut tab = Tab::new();
    let (_, takeover) = to_settle(&mut tab);
    // The holder thaws and posts its claim before its request.
    let out = tab.hear(Message::Claim { at_ms: tab.wall });
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::Release(i) if *i == takeover)));
    assert!(lock_requests(&out).is_empty(), "no steal");
}

#[test]
fn a_holder_taken_over_while_frozen_does_not_send() {
    let mut tab = Tab::new();
    let out = tab.refresh(1, false);
    let (id, _, _) = lock_requests(&out).remove(0);
    tab.lock(id, LockOutcome::Granted);
    let out = tab.feed(Input::Facts {
        cookies: String::new(),
        logout_marker: None,
        stored_epoch: None,
    });
    assert!(
        queried(&out),
        "the lock is checked before the refresh token is spent"
    );
    assert!(sent(&out).is_none());
    let out = tab.holder("another tab", false);
    assert!(sent(&out).is_none(), "taken over: no request");
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::Post(Message::Released))));
    assert_eq!(
        lock_requests(&out)[0].2,
        LockMode::Wait,
        "back in the queue"
    );
}

#[test]
fn waiter_that_loses_the_takeover_race_waits_and_looks_again() {
    let mut tab = Tab::new();
    to_queue(&mut tab, 1);
    assert!(queried(&tab.fire()));
    let out = tab.holder("h1", false);
    let (takeover, _, _) = lock_requests(&out).remove(0);
    let out = tab.lock(takeover, LockOutcome::Refused);
    assert!(lock_requests(&out).is_empty(), "still queued, no steal");
    let before = tab.mono;
    let out = tab.fire();
    assert_eq!(tab.mono, before + TAKEOVER_RETRY_MS);
    assert!(queried(&out), "looks again");
}

#[test]
fn a_claim_heard_pushes_the_staleness_deadline_back() {
    let mut tab = Tab::new();
    to_queue(&mut tab, 1);
    let first = tab.m.poll_timeout().unwrap();
    tab.mono = 1000.0;
    tab.hear(Message::Claim { at_ms: tab.wall });
    assert_eq!(tab.m.poll_timeout(), Some(first + 1000.0));
}

#[test]
fn waiter_adopts_a_peers_token_without_network() {
    let mut tab = Tab::new();
    tab.sign_in(tab.wall - 10.0);
    let out = tab.refresh(1, false);
    let (main, _, _) = lock_requests(&out)[0].clone();
    let out = tab.hear(token_message(&token(tab.wall))); // a peer's newer token
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::Release(i) if *i == main)));
    assert!(
        !out.iter().any(|o| matches!(o, Output::Post(_))),
        "never held: no release message"
    );
    assert_eq!(resolved(&out), [1]);
}

#[test]
fn proactive_refresh_never_queues_first() {
    let mut tab = Tab::new();
    tab.sign_in(tab.wall - 10.0);
    let out = tab.refresh(1, true);
    let (id, _, mode) = lock_requests(&out).remove(0);
    assert_eq!(mode, LockMode::IfAvailable);
    let out = tab.lock(id, LockOutcome::Refused);
    assert!(out.is_empty());
    // No news within the bound: it queues.
    let out = tab.fire();
    assert_eq!(lock_requests(&out)[0].2, LockMode::Wait);
}

#[test]
fn a_fresh_stamp_means_wait_for_the_peer_not_refresh() {
    let mut tab = Tab::new();
    tab.sign_in(tab.wall - 5000.0);
    let out = tab.refresh(1, false);
    let (id, _, _) = lock_requests(&out)[0].clone();
    tab.lock(id, LockOutcome::Granted);
    let cookies = ["lastTokenRefresh=", &((tab.wall - 10.0) as u64).to_string()].concat();
    let out = tab.feed(Input::Facts {
        cookies,
        logout_marker: None,
        stored_epoch: None,
    });
    assert!(out.iter().any(|o| matches!(o, Output::Post(Message::Ask))));
    assert!(sent(&out).is_none());
    let out = tab.hear(token_message(&token(tab.wall)));
    assert_eq!(resolved(&out), [1]);
    assert!(sent(&out).is_none());
}

#[test]
fn pending_logout_signs_out_instead_of_refreshing() {
    let mut tab = Tab::new();
    let out = tab.refresh(1, false);
    let (id, _, _) = lock_requests(&out)[0].clone();
    tab.lock(id, LockOutcome::Granted);
    let out = tab.feed(Input::Facts {
        cookies: String::new(),
        logout_marker: Some(1.0),
        stored_epoch: None,
    });
    assert!(sent(&out).is_none());
    assert_eq!(rejected(&out), [(1, "not_signed_in")]);
}

#[test]
fn a_sign_out_during_the_request_fences_its_answer() {
    let mut tab = Tab::new();
    let id = to_request(&mut tab, 1);
    tab.feed(Input::Logout { call: 9 });
    let out = tab.answer(id, 200, tab.wall);
    assert_eq!(rejected(&out), [(1, "not_signed_in")]);
    assert!(tab.m.session.token().is_none());
}

#[test]
fn a_rejected_session_signs_out_everywhere_with_the_proof() {
    let mut tab = Tab::new();
    tab.sign_in(tab.wall - 5000.0);
    let id = to_request(&mut tab, 1);
    let out = tab.answer(id, 401, tab.wall);
    assert!(matches!(out.as_slice(), [Output::ReadFacts]));
    let out = tab.facts();
    assert!(out.iter().any(|o| matches!(
        o,
        Output::Post(Message::SignedOut {
            expired: true,
            proof: Some(_),
            ..
        })
    )));
    assert_eq!(rejected(&out), [(1, "session_expired")]);
    assert!(tab.m.session.token().is_none());
}

#[test]
fn the_budget_holds_a_loop_back() {
    let mut tab = Tab::new();
    for call in 0..10 {
        let id = to_request(&mut tab, call);
        tab.answer(id, 503, tab.wall);
    }
    let out = tab.refresh(99, false);
    assert!(out.is_empty(), "held back");
    assert!(tab.m.poll_timeout().is_some());
    let out = tab.fire();
    assert_eq!(lock_requests(&out).len(), 1);
}

#[test]
fn dispose_releases_the_lock_and_aborts_the_request_at_once() {
    let mut tab = Tab::new();
    let id = to_request(&mut tab, 1);
    let out = tab.feed(Input::Dispose);
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::AbortAuth(i) if *i == id)));
    assert!(out.iter().any(|o| matches!(o, Output::Release(_))));
    assert_eq!(rejected(&out), [(1, "disposed")]);
    assert_eq!(rejected(&tab.refresh(2, false)), [(2, "disposed")]);
}
