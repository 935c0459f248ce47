//! Other tabs' messages, the election without Web Locks, and the refresh schedule.

use super::*;
use crate::core::protocol::signature_of;

fn tab_without_locks() -> Tab {
    let mut o = Options::new("http://127.0.0.1:8000");
    o.request_timeout_ms = TIMEOUT_MS;
    o.channel = "ch".into();
    Tab {
        m: Machine::new(o, "me".into(), false),
        mono: 0.0,
        wall: 1_000_000.0,
    }
}

fn tokens_posted(out: &[Output]) -> usize {
    let token = |o: &&Output| matches!(o, Output::Post(Message::Token { .. }));
    out.iter().filter(token).count()
}

#[test]
fn questions_are_answered_at_most_once_per_interval() {
    let mut tab = Tab::new();
    tab.sign_in(tab.wall);
    assert_eq!(tokens_posted(&tab.hear(Message::Ask)), 1);
    tab.mono += 10.0;
    tab.wall += 10.0;
    assert_eq!(tokens_posted(&tab.hear(Message::Ask)), 0, "held back");
    assert_eq!(tokens_posted(&tab.hear(Message::Ask)), 0);
    let out = tab.fire();
    assert_eq!(tab.mono, crate::core::machine::peers::ANSWER_EVERY_MS);
    assert_eq!(tokens_posted(&out), 1, "one answer for both");
}

#[test]
fn a_token_of_a_session_logged_out_since_is_not_taken() {
    let mut tab = Tab::new();
    tab.sign_in(tab.wall - 10.0);
    let held = tab.m.session.token().unwrap().jwt.clone();
    let proof = Some(signature_of(&held).to_owned());
    let logout = Message::SignedOut {
        expired: false,
        proof,
        epoch_ms: Some(tab.wall),
        status: None,
    };
    tab.hear(logout);
    assert_eq!(tab.m.session.status(), Status::SignedOut);
    // A peer's refresh that crossed the logout hands its token over: older epoch.
    tab.hear(token_message(&Token {
        epoch_ms: tab.wall - 1.0,
        ..token(tab.wall + 5.0)
    }));
    assert!(
        tab.m.session.token().is_none(),
        "crossed the logout: not taken"
    );
    // A login after the logout: a later epoch.
    tab.hear(token_message(&Token {
        epoch_ms: tab.wall + 1.0,
        ..token(tab.wall + 6.0)
    }));
    assert!(tab.m.session.token().is_some());
}

#[test]
fn an_unproven_sign_out_asks_the_server_and_hands_out_nothing_meanwhile() {
    let mut tab = Tab::new();
    tab.sign_in(tab.wall);
    let forged = Message::SignedOut {
        expired: true,
        proof: Some("forged".into()),
        epoch_ms: Some(tab.wall + 1.0),
        status: Some(401),
    };
    let out = tab.hear(forged);
    assert_eq!(
        tab.m.session.status(),
        Status::SignedIn,
        "not signed out on hearsay"
    );
    assert_eq!(lock_requests(&out).len(), 1, "a refresh checks the session");
    assert_eq!(
        tokens_posted(&tab.hear(Message::Ask)),
        0,
        "doubted: not handed out"
    );
}

#[test]
fn a_peer_whose_refresh_was_refused_passes_on_the_status_with_the_sign_out() {
    // The refused tab says which status ended the session, and the tab that hears it ends
    // with the same `session_expired` error, status included.
    let mut refused = Tab::new();
    refused.sign_in(refused.wall - 5000.0);
    let id = to_request(&mut refused, 1);
    refused.answer(id, 400, refused.wall);
    let out = refused.facts();
    let posted = out.iter().find_map(|o| match o {
        Output::Post(m @ Message::SignedOut { .. }) => Some(m.clone()),
        _ => None,
    });
    let Some(message) = posted else {
        panic!("no sign-out posted: {out:?}")
    };
    assert!(
        matches!(
            message,
            Message::SignedOut {
                expired: true,
                status: Some(400),
                ..
            }
        ),
        "{message:?}"
    );
    // The peer holds the same token (tokens travel on the channel): the proof matches.
    let mut peer = Tab::new();
    peer.sign_in(refused.wall - 5000.0);
    peer.hear(message);
    assert_eq!(peer.m.session.status(), Status::SignedOut);
    let error = peer.m.session.error().cloned();
    assert_eq!(error.as_ref().map(Error::code), Some("session_expired"));
    assert_eq!(error.as_ref().and_then(Error::status), Some(400));
}

#[test]
fn implausible_claims_are_ignored() {
    let mut tab = Tab::new();
    tab.refresh(1, false);
    let deadline = tab.m.poll_timeout();
    for at_ms in [0.0, tab.wall + 1e9] {
        tab.hear(Message::Claim { at_ms });
        assert_eq!(tab.m.poll_timeout(), deadline, "claim of {at_ms} ignored");
    }
}

#[test]
fn without_web_locks_the_earliest_claim_wins_after_two_rounds() {
    let mut tab = tab_without_locks();
    let out = tab.refresh(1, false);
    assert!(matches!(
        out.as_slice(),
        [Output::Post(Message::Claim { .. })]
    ));
    let out = tab.fire();
    assert!(
        matches!(out.as_slice(), [Output::Post(Message::Claim { .. })]),
        "round 2"
    );
    let out = tab.fire();
    assert!(
        out.iter().any(|o| matches!(o, Output::ReadFacts)),
        "won: the plan"
    );
}

#[test]
fn without_web_locks_an_earlier_claim_makes_this_tab_wait_for_its_token() {
    let mut tab = tab_without_locks();
    tab.sign_in(tab.wall - 10.0);
    tab.refresh(1, false);
    let at_ms = tab.wall - 5.0;
    tab.hear(Message::Claim { at_ms });
    let out = tab.fire();
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Post(Message::Released))),
        "lost the round: its claim ends"
    );
    let out = tab.hear(token_message(&token(tab.wall)));
    assert_eq!(resolved(&out), [1], "the winner's token, no request");
    assert!(sent(&out).is_none());
}

#[test]
fn the_schedule_refreshes_a_due_token_and_backs_off_after_a_failure() {
    let mut tab = Tab::new();
    tab.feed(Input::Login {
        call: 1,
        body: "{}".into(),
    });
    let out = tab.facts();
    let id = out
        .iter()
        .find_map(|o| match o {
            Output::SendAuth { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    tab.answer(id, 200, tab.wall);
    // The schedule wakes at least every SCHEDULE_CHECK_MS (the wall clock may jump) and
    // refreshes once the token is due, before it expires.
    let mut out = tab.fire();
    while lock_requests(&out).is_empty() {
        assert!(tab.mono < 600_000.0, "refreshed before expiry");
        out = tab.fire();
    }
    assert!(tab.mono > 500_000.0, "not before it is due: {}", tab.mono);
    let (lock, _, mode) = lock_requests(&out)[0].clone();
    assert_eq!(mode, LockMode::IfAvailable, "proactive");
    tab.lock(lock, LockOutcome::Granted);
    let request = sent(&tab.facts()).unwrap();
    let failed_at = tab.mono;
    tab.answer(request, 503, tab.wall);
    assert_eq!(
        tab.m.poll_timeout(),
        Some(failed_at + 1000.0),
        "backoff 1 s"
    );
}

#[test]
fn a_token_of_an_earlier_session_leaves_a_failed_restores_retry_due() {
    // Found by the simulator (seeds 25021, 31683): the token reset the failures, the backoff
    // timer went with them, and the tab stayed `unknown` for good.
    let mut tab = Tab::new();
    tab.feed(Input::Start { call: 1 });
    // The origin's latest login or logout: now.
    let facts = |tab: &mut Tab| {
        tab.feed(Input::Facts {
            cookies: String::new(),
            logout_marker: None,
            stored_epoch: Some(1_000_000.0),
        })
    };
    facts(&mut tab);
    let out = tab.feed(Input::Presence { others: false });
    let (id, _, _) = lock_requests(&out)[0].clone();
    tab.lock(id, LockOutcome::Granted);
    let mut out = facts(&mut tab);
    if out.iter().any(|o| matches!(o, Output::QueryLocks)) {
        out = tab.holder("me", true);
    }
    let request = out
        .iter()
        .find_map(|o| match o {
            Output::SendAuth { id, .. } => Some(*id),
            _ => None,
        })
        .expect("the refresh");
    tab.answer(request, 503, tab.wall);
    assert_eq!(tab.m.session.status(), Status::Unknown);
    let retry = tab.m.poll_timeout();
    assert!(retry.is_some(), "a retry is due");
    // A peer's refresh that crossed a logout hands over a token of an earlier session.
    tab.hear(token_message(&Token {
        epoch_ms: 999_999.0,
        ..token(tab.wall)
    }));
    assert!(tab.m.session.token().is_none(), "not taken");
    assert_eq!(tab.m.poll_timeout(), retry, "the retry stays due");
}
