//! The fault hooks that `scripts/faults` is built on, in process (tower `oneshot`): a lost
//! refresh answer, faults for the next N refreshes only, tokens without `iat`, redirects.

use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::Router;
use serde_json::Value;
use tokenrelay_server::{api_router, AppState, Config};

mod common;
use common::{call, login, refresh, refresh_cookie};

fn app() -> Router {
    api_router(AppState::new(Config {
        allowed_origins: vec!["http://127.0.0.1:3000".into()],
        ..Config::default()
    }))
}

async fn faults(app: &Router, body: &str) {
    assert_eq!(
        call(app, "POST", "/__faults", &[], body).await.status,
        StatusCode::OK
    );
}

/// The claims of `access` as the API reads them (`/api/me`; `iat` is null when absent).
async fn claims(app: &Router, access: &str) -> Value {
    let bearer = format!("Bearer {access}");
    let me = call(app, "GET", "/api/me", &[("authorization", &bearer)], "").await;
    assert_eq!(me.status, StatusCode::OK, "the API accepts the token");
    me.json
}

#[tokio::test]
async fn a_lost_answer_rotates_and_never_comes_so_the_old_token_is_reuse() {
    let app = app();
    let (_, first) = login(&app).await;
    faults(&app, r#"{"refreshLoseResponse":true,"refreshTimes":1}"#).await;
    let lost = tokio::time::timeout(Duration::from_millis(300), refresh(&app, &first)).await;
    assert!(lost.is_err(), "the answer never comes");
    // The rotation happened: the browser, which never got the new cookie, presents the old one.
    let again = refresh(&app, &first).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.json["error"], "refresh_reuse");
}

#[tokio::test]
async fn refresh_times_limits_faults_to_the_next_requests() {
    let app = app();
    let (_, first) = login(&app).await;
    faults(&app, r#"{"refreshStatus":503,"refreshTimes":2}"#).await;
    assert_eq!(
        refresh(&app, &first).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        refresh(&app, &first).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let third = refresh(&app, &first).await;
    assert_eq!(
        third.status,
        StatusCode::OK,
        "the fault is spent; nothing was rotated before"
    );
    assert_ne!(refresh_cookie(&third), first);
}

#[tokio::test]
async fn omit_iat_issues_tokens_without_iat_until_cleared() {
    let app = app();
    faults(&app, r#"{"omitIat":true}"#).await;
    let (access, first) = login(&app).await;
    let c = claims(&app, &access).await;
    assert!(c["iat"].is_null(), "{c}");
    assert!(c["exp"].is_number());
    let refreshed = refresh(&app, &first).await;
    let access = refreshed.json["accessToken"].as_str().unwrap().to_owned();
    assert!(claims(&app, &access).await["iat"].is_null());
    faults(&app, "{}").await;
    let (access, _) = login(&app).await;
    assert!(claims(&app, &access).await["iat"].is_number());
}

#[tokio::test]
async fn redirect_answers_any_3xx_to_any_url_and_unknown_faults_are_refused() {
    let app = app();
    for (status, expected) in [
        ("302", StatusCode::FOUND),
        ("308", StatusCode::PERMANENT_REDIRECT),
        ("200", StatusCode::TEMPORARY_REDIRECT),
    ] {
        let a = call(
            &app,
            "GET",
            &format!("/__redirect?status={status}&to=http%3A%2F%2Fother.example%2Fx"),
            &[],
            "",
        )
        .await;
        assert_eq!(a.status, expected);
        assert_eq!(a.headers[header::LOCATION], "http://other.example/x");
    }
    assert_eq!(
        call(&app, "GET", "/__redirect", &[], "").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        call(&app, "POST", "/__faults", &[], r#"{"refreshDelay":1}"#)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}
