//! The API calls: start's restore, login, logout and the durable logout.

use super::*;

fn sent_to(out: &[Output], call: AuthCall) -> Option<u32> {
    out.iter().find_map(|o| match o {
        Output::SendAuth { id, call: c, .. } if *c == call => Some(*id),
        _ => None,
    })
}

fn posted(out: &[Output]) -> Vec<&Message> {
    out.iter()
        .filter_map(|o| match o {
            Output::Post(m) => Some(m),
            _ => None,
        })
        .collect()
}

#[test]
fn start_asks_the_tabs_and_a_peers_answer_restores_without_network() {
    let mut tab = Tab::new();
    let out = tab.feed(Input::Start { call: 1 });
    assert!(matches!(out.as_slice(), [Output::ReadFacts]));
    let out = tab.facts();
    assert!(matches!(out.as_slice(), [Output::QueryPresence]));
    let out = tab.feed(Input::Presence { others: true });
    assert!(matches!(posted(&out).as_slice(), [Message::Ask]));
    assert_eq!(
        tab.m.poll_timeout(),
        Some(tab.mono + crate::core::machine::restore::ASK_WAIT_MS)
    );
    let out = tab.hear(token_message(&token(tab.wall)));
    assert_eq!(resolved(&out), [1]);
    assert!(sent(&out).is_none(), "no request");
    assert_eq!(tab.m.session.status(), Status::SignedIn);
}

#[test]
fn start_alone_refreshes_at_once_and_an_unanswered_question_refreshes_after_the_wait() {
    let mut alone = Tab::new();
    alone.feed(Input::Start { call: 1 });
    alone.facts();
    let out = alone.feed(Input::Presence { others: false });
    assert!(posted(&out).is_empty(), "nobody to ask");
    assert_eq!(
        lock_requests(&out)[0].2,
        LockMode::IfAvailable,
        "straight to the refresh"
    );

    let mut tab = Tab::new();
    tab.feed(Input::Start { call: 1 });
    tab.facts();
    tab.feed(Input::Presence { others: true });
    let out = tab.fire();
    assert_eq!(
        lock_requests(&out).len(),
        1,
        "refreshes after {} ms",
        crate::core::machine::restore::ASK_WAIT_MS
    );
}

#[test]
fn start_settles_signed_out_whatever_the_server_answers() {
    for status in [401, 403, 400] {
        let mut tab = Tab::new();
        tab.feed(Input::Start { call: 1 });
        tab.facts();
        let out = tab.feed(Input::Presence { others: false });
        let (id, _, _) = lock_requests(&out)[0].clone();
        tab.lock(id, LockOutcome::Granted);
        let request = sent(&tab.facts()).expect("the refresh");
        tab.answer(request, status, tab.wall);
        let out = tab.facts(); // the verdict of the rejection
        assert_eq!(resolved(&out), [1], "start resolves: the state says it");
        assert_eq!(tab.m.session.status(), Status::SignedOut);
    }
}

#[test]
fn start_with_a_pending_logout_restores_nothing_and_sends_the_logout_again() {
    let mut tab = Tab::new();
    tab.feed(Input::Start { call: 1 });
    let out = tab.feed(Input::Facts {
        cookies: String::new(),
        logout_marker: Some(5.0),
        stored_epoch: None,
    });
    assert_eq!(resolved(&out), [1]);
    assert_eq!(tab.m.session.status(), Status::SignedOut);
    // The retry takes the logout lock (the marker is there), looks again, sends.
    let (lock, name, _) = lock_requests(&out)[0].clone();
    assert_eq!(name, "ch:logout");
    tab.lock(lock, LockOutcome::Granted);
    let out = tab.feed(Input::Facts {
        cookies: String::new(),
        logout_marker: Some(5.0),
        stored_epoch: None,
    });
    assert!(sent_to(&out, AuthCall::Logout).is_some());
}

#[test]
fn login_signs_in_and_hands_the_token_over_with_a_new_epoch() {
    let mut tab = Tab::new();
    tab.feed(Input::Login {
        call: 1,
        body: "{}".into(),
    });
    let out = tab.facts();
    let id = sent_to(&out, AuthCall::Login).expect("the login request");
    let out = tab.answer(id, 200, tab.wall);
    assert_eq!(resolved(&out), [1]);
    assert!(matches!(
        posted(&out).as_slice(),
        [Message::Token { epoch_ms: Some(e), .. }] if *e >= tab.wall
    ));
}

#[test]
fn a_refused_login_is_unauthorized_and_a_stalled_one_times_out() {
    let mut tab = Tab::new();
    tab.feed(Input::Login {
        call: 1,
        body: "{}".into(),
    });
    let id = sent_to(&tab.facts(), AuthCall::Login).unwrap();
    let out = tab.answer(id, 401, tab.wall);
    assert_eq!(rejected(&out), [(1, "unauthorized")]);
    assert_eq!(tab.m.session.status(), Status::SignedOut);

    tab.feed(Input::Login {
        call: 2,
        body: "{}".into(),
    });
    let id = sent_to(&tab.facts(), AuthCall::Login).unwrap();
    let out = tab.fire();
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::AbortAuth(i) if *i == id)));
    assert_eq!(rejected(&out), [(2, "network")]);
}

#[test]
fn logout_signs_out_everywhere_at_once_with_the_proof_and_the_marker_first() {
    let mut tab = Tab::new();
    tab.sign_in(tab.wall);
    let out = tab.feed(Input::Logout { call: 1 });
    let marker = out
        .iter()
        .position(|o| matches!(o, Output::MarkLogout(Some(_))));
    let post = out.iter().position(|o| {
        matches!(
            o,
            Output::Post(Message::SignedOut {
                proof: Some(_),
                expired: false,
                ..
            })
        )
    });
    assert!(
        marker.unwrap() < post.unwrap(),
        "the marker before the message"
    );
    assert_eq!(tab.m.session.status(), Status::SignedOut);
    let (lock, _, _) = lock_requests(&out)[0].clone();
    let out = tab.lock(lock, LockOutcome::Granted);
    let id = sent_to(&out, AuthCall::Logout).expect("the logout request");
    let out = tab.answer(id, 204, tab.wall);
    assert!(out.iter().any(|o| matches!(o, Output::MarkLogout(None))));
    assert!(out.iter().any(|o| matches!(
        o,
        Output::LoggedOut {
            call: 1,
            confirmed: true
        }
    )));
    assert!(
        !out.iter().any(|o| matches!(o, Output::Release(_))),
        "the lock is kept"
    );
    let out = tab.fire();
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::Release(i) if *i == lock)));
}

#[test]
fn a_logout_the_server_did_not_take_keeps_the_marker() {
    let mut tab = Tab::new();
    tab.sign_in(tab.wall);
    let out = tab.feed(Input::Logout { call: 1 });
    let (lock, _, _) = lock_requests(&out)[0].clone();
    let id = sent_to(&tab.lock(lock, LockOutcome::Granted), AuthCall::Logout).unwrap();
    let out = tab.answer(id, 503, tab.wall);
    assert!(!out.iter().any(|o| matches!(o, Output::MarkLogout(None))));
    assert!(out.iter().any(|o| matches!(
        o,
        Output::LoggedOut {
            call: 1,
            confirmed: false
        }
    )));
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::Release(i) if *i == lock)));
}

#[test]
fn a_logout_marker_of_another_tab_fences_a_refresh_under_way() {
    let mut tab = Tab::new();
    tab.sign_in(tab.wall - 10.0);
    let id = to_request(&mut tab, 1);
    // A page event makes the machine look at the marker: another tab logged out.
    tab.feed(Input::Page { visible: true });
    tab.feed(Input::Facts {
        cookies: String::new(),
        logout_marker: Some(tab.wall),
        stored_epoch: None,
    });
    assert_eq!(tab.m.session.status(), Status::SignedOut);
    let out = tab.answer(id, 200, tab.wall);
    assert_eq!(
        rejected(&out),
        [(1, "not_signed_in")],
        "the answer does not sign in"
    );
    assert!(tab.m.session.token().is_none());
}

#[test]
fn three_successes_without_a_readable_token_end_the_session_with_bad_response() {
    let mut tab = Tab::new();
    tab.sign_in(tab.wall - 10.0);
    let unreadable = |tab: &mut Tab, id| {
        let token = Err(Error::BadResponse("no token".into()));
        let result = Ok(Reply { status: 200, token });
        tab.feed(Input::Answer { id, result })
    };
    for call in 1..=2 {
        let id = to_request(&mut tab, call);
        let out = unreadable(&mut tab, id);
        assert_eq!(rejected(&out), [(call, "bad_response")]);
        assert_eq!(
            tab.m.session.status(),
            Status::SignedIn,
            "retried, not signed out"
        );
    }
    let id = to_request(&mut tab, 3);
    let out = unreadable(&mut tab, id);
    assert_eq!(rejected(&out), [(3, "bad_response")]);
    assert_eq!(tab.m.session.status(), Status::SignedOut);
    assert_eq!(
        tab.m.session.error().map(|e| e.code()),
        Some("bad_response")
    );
    let signed_out = |o: &Output| matches!(o, Output::Post(Message::SignedOut { .. }));
    assert!(out.iter().any(signed_out), "every tab is told");
}

/// A restore up to its refresh request (no other tab), on `tab`.
fn restore_to_request(tab: &mut Tab) -> u32 {
    tab.feed(Input::Start { call: 1 });
    tab.facts();
    let out = tab.feed(Input::Presence { others: false });
    let (id, _, _) = lock_requests(&out)[0].clone();
    tab.lock(id, LockOutcome::Granted);
    sent(&tab.facts()).expect("the refresh")
}

#[test]
fn a_refused_refresh_carries_its_status_and_a_cross_site_restore_says_why() {
    // Same site: a restore refused is a plain "no session", no error.
    let mut tab = Tab::new();
    let request = restore_to_request(&mut tab);
    tab.answer(request, 400, tab.wall);
    tab.facts();
    assert_eq!(tab.m.session.status(), Status::SignedOut);
    assert!(tab.m.session.error().is_none());

    // Across sites: the error stays, with the status and the hint.
    let mut tab = Tab::new();
    tab.m.set_cross_site(true);
    let request = restore_to_request(&mut tab);
    tab.answer(request, 400, tab.wall);
    let out = tab.facts();
    assert_eq!(resolved(&out), [1]);
    assert_eq!(tab.m.session.status(), Status::SignedOut);
    let error = tab.m.session.error().expect("the reason is kept");
    assert_eq!(*error, Error::RefreshRefused(400, true));
    assert!(error.message().contains("third-party cookie blocking"));

    // A signed-in tab refused: session_expired with the server's status.
    let mut tab = Tab::new();
    tab.sign_in(tab.wall - 5000.0);
    let id = to_request(&mut tab, 1);
    tab.answer(id, 403, tab.wall);
    let out = tab.facts();
    assert_eq!(rejected(&out), [(1, "session_expired")]);
    assert_eq!(tab.m.session.error().and_then(Error::status), Some(403));
}

#[test]
fn a_refresh_or_logout_without_its_csrf_cookie_ends_at_once_with_no_retry() {
    let missing = || Error::Config("csrf.cookie x is not in document.cookie".into());
    // A restore: signed out, no error (no session), nothing armed to try again.
    let mut tab = Tab::new();
    let request = restore_to_request(&mut tab);
    tab.feed(Input::Answer {
        id: request,
        result: Err(missing()),
    });
    let out = tab.facts();
    assert_eq!(resolved(&out), [1]);
    assert_eq!(tab.m.session.status(), Status::SignedOut);
    assert!(tab.m.session.error().is_none());
    assert!(lock_requests(&tab.fire_all()).is_empty(), "no retry");

    // A signed-in tab: the session ends with the config error.
    let mut tab = Tab::new();
    tab.sign_in(tab.wall - 5000.0);
    let id = to_request(&mut tab, 1);
    tab.feed(Input::Answer {
        id,
        result: Err(missing()),
    });
    let out = tab.facts();
    assert_eq!(rejected(&out), [(1, "config")]);
    assert_eq!(tab.m.session.status(), Status::SignedOut);
    assert_eq!(tab.m.session.error().map(Error::code), Some("config"));

    // A logout: over for good (the marker goes), not sent again.
    let mut tab = Tab::new();
    tab.sign_in(tab.wall);
    let out = tab.feed(Input::Logout { call: 1 });
    let (lock, _, _) = lock_requests(&out)[0].clone();
    let id = sent_to(&tab.lock(lock, LockOutcome::Granted), AuthCall::Logout).unwrap();
    let out = tab.feed(Input::Answer {
        id,
        result: Err(missing()),
    });
    assert!(out.iter().any(|o| matches!(o, Output::MarkLogout(None))));
}

#[test]
fn refresh_and_logout_carry_the_bodies_of_the_options_and_timeouts_name_the_url() {
    let mut tab = Tab::new();
    tab.m.options.refresh_body = Some(r#"{"mode":"cookie"}"#.into());
    tab.m.options.logout_body = Some("{}".into());
    tab.sign_in(tab.wall - 5000.0);
    let out = tab.refresh(1, false);
    let (id, _, _) = lock_requests(&out)[0].clone();
    tab.lock(id, LockOutcome::Granted);
    let out = tab.facts();
    let body = out.iter().find_map(|o| match o {
        Output::SendAuth {
            call: AuthCall::Refresh,
            body,
            ..
        } => Some(body.clone()),
        _ => None,
    });
    assert_eq!(body, Some(Some(r#"{"mode":"cookie"}"#.into())));
    let out = tab.fire(); // the request times out
    let why = out.iter().find_map(|o| match o {
        Output::Reject(1, e) => Some(e.message()),
        _ => None,
    });
    assert_eq!(
        why.as_deref(),
        Some("network error: timed out after 1000 ms: POST http://127.0.0.1:8000/auth/refresh")
    );

    let out = tab.feed(Input::Logout { call: 2 });
    let (lock, _, _) = lock_requests(&out)[0].clone();
    let out = tab.lock(lock, LockOutcome::Granted);
    let body = out.iter().find_map(|o| match o {
        Output::SendAuth {
            call: AuthCall::Logout,
            body,
            ..
        } => Some(body.clone()),
        _ => None,
    });
    assert_eq!(body, Some(Some("{}".into())));
}

/// A login in a tab whose origin has a logout the server has not taken: the logout is sent
/// first (answered `logout_status`), then the login; every output until the login's request.
fn login_after_pending_logout(tab: &mut Tab, logout_status: u16) -> (Vec<Output>, u32) {
    tab.feed(Input::Login {
        call: 1,
        body: "{}".into(),
    });
    // The facts show the marker (each time they are read), the logout lock is granted.
    let mut out = Vec::new();
    let mut next = vec![Output::ReadFacts];
    while sent_to(&out, AuthCall::Logout).is_none() && !next.is_empty() {
        let mut more = Vec::new();
        for o in &next {
            match o {
                Output::ReadFacts => more.extend(tab.feed(Input::Facts {
                    cookies: String::new(),
                    logout_marker: Some(999_000.0),
                    stored_epoch: Some(999_000.0),
                })),
                Output::RequestLock { id, .. } => more.extend(tab.lock(*id, LockOutcome::Granted)),
                _ => {}
            }
        }
        out.extend(next);
        next = more;
    }
    out.extend(next);
    let logout = sent_to(&out, AuthCall::Logout).expect("the logout first");
    out.extend(tab.answer(logout, logout_status, tab.wall));
    let login = sent_to(&out, AuthCall::Login).expect("then the login");
    (out, login)
}

#[test]
fn a_login_after_a_logout_the_server_did_not_take_keeps_the_marker_until_it_succeeds() {
    // Found by the simulator (seed 10): the marker went before the login was answered, the
    // login failed, and a new tab restored the session the user had logged out of.
    let cleared = |out: &[Output]| out.iter().any(|o| matches!(o, Output::MarkLogout(None)));
    let mut tab = Tab::new();
    let (out, login) = login_after_pending_logout(&mut tab, 429);
    assert!(!cleared(&out), "kept while the login is under way");
    let out = tab.answer(login, 429, tab.wall);
    assert_eq!(rejected(&out), [(1, "server")]);
    assert!(!cleared(&out), "kept: the old session may still be alive");

    let mut tab = Tab::new();
    let (_, login) = login_after_pending_logout(&mut tab, 429);
    let out = tab.answer(login, 200, tab.wall);
    assert_eq!(resolved(&out), [1]);
    assert!(
        cleared(&out),
        "the new session replaces the old: the marker goes"
    );
}

#[test]
fn a_login_answer_read_after_its_bound_is_a_timeout() {
    // Found by the simulator (seed 10516): the tab froze with the answer on its way and read it
    // 25 s later, when the session it made had ended in every other tab.
    let mut tab = Tab::new();
    tab.feed(Input::Login {
        call: 1,
        body: "{}".into(),
    });
    let id = sent_to(&tab.facts(), AuthCall::Login).unwrap();
    tab.mono += 25_000.0;
    tab.wall += 25_000.0;
    let out = tab.answer(id, 200, tab.wall - 25_000.0);
    assert_eq!(rejected(&out), [(1, "network")]);
    assert!(posted(&out).is_empty(), "no token handed over");
    assert_eq!(tab.m.session.status(), Status::SignedOut);
}

#[test]
fn a_refresh_answer_read_after_its_bound_is_a_timeout() {
    // Found by the simulator (seed 19772): a tab frozen with its refresh answer on its way read
    // it 17 s later, when every other tab had seen the session end, and signed them back in.
    let mut tab = Tab::new();
    tab.sign_in(tab.wall - 5000.0);
    let id = to_request(&mut tab, 1);
    tab.mono += 17_000.0;
    tab.wall += 17_000.0;
    let out = tab.answer(id, 200, tab.wall - 17_000.0);
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::AbortAuth(i) if *i == id)));
    assert!(
        !posted(&out)
            .iter()
            .any(|m| matches!(m, Message::Token { .. })),
        "no token handed over"
    );
    assert_eq!(rejected(&out), [(1, "network")]);
}
