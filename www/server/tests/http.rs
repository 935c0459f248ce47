//! The API over HTTP semantics, in process (tower `oneshot`): cookies, rotation, CSRF, CORS,
//! hooks.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tokenrelay_server::{api_router, AppState, Config, LoginLimit};
use tower::ServiceExt;

const ORIGIN: &str = "http://127.0.0.1:3000";

fn config() -> Config {
    Config {
        allowed_origins: vec![ORIGIN.into()],
        ..Config::default()
    }
}

fn app(grace_secs: u64) -> Router {
    api_router(AppState::new(Config {
        reuse_grace: Duration::from_secs(grace_secs),
        ..config()
    }))
}

mod common;
use common::{call, login, refresh, refresh_cookie, set_cookie, Answer, CSRF};

async fn stats(app: &Router) -> Value {
    call(app, "GET", "/__stats", &[], "").await.json
}

#[tokio::test]
async fn login_sets_an_httponly_strict_cookie_scoped_to_auth() {
    let app = app(0);
    let a = call(
        &app,
        "POST",
        "/auth/login",
        &[CSRF],
        r#"{"email":"demo@example.com","password":"demo"}"#,
    )
    .await;
    let set = a.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    for attr in [
        "refreshToken=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/auth",
        "Max-Age=604800",
    ] {
        assert!(set.contains(attr), "{set} lacks {attr}");
    }
    assert!(!set.contains("Secure"), "no Secure on plain http");
    assert!(!set.contains("Domain"), "host-only: {set}");
    assert_eq!(a.json["user"]["email"], "demo@example.com");
    let wrong = call(
        &app,
        "POST",
        "/auth/login",
        &[CSRF],
        r#"{"email":"demo@example.com","password":"x"}"#,
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.json["error"], "invalid_credentials");
    let malformed = call(&app, "POST", "/auth/login", &[CSRF], "nope").await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    let https = call(
        &app,
        "POST",
        "/auth/login",
        &[CSRF, ("x-forwarded-proto", "https")],
        r#"{"email":"demo@example.com","password":"demo"}"#,
    )
    .await;
    assert!(https
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("; Secure"));
}

#[tokio::test]
async fn auth_calls_without_the_csrf_header_are_forbidden() {
    let app = app(0);
    for route in ["/auth/login", "/auth/refresh", "/auth/logout"] {
        let a = call(
            &app,
            "POST",
            route,
            &[],
            r#"{"email":"demo@example.com","password":"demo"}"#,
        )
        .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{route}");
        assert_eq!(a.json["error"], "csrf");
    }
    assert_eq!(stats(&app).await["login"], 0);
}

#[tokio::test]
async fn rotation_then_reuse_revokes_the_family() {
    let app = app(0);
    let (access, first) = login(&app).await;
    let me = call(
        &app,
        "GET",
        "/api/me",
        &[("authorization", &format!("Bearer {access}"))],
        "",
    )
    .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["email"], "demo@example.com");
    let rotated = refresh(&app, &first).await;
    assert_eq!(rotated.status, StatusCode::OK);
    let second = refresh_cookie(&rotated);
    assert_ne!(second, first);
    let reuse = refresh(&app, &first).await;
    assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reuse.json["error"], "refresh_reuse");
    assert_eq!(
        refresh(&app, &second).await.json["error"],
        "refresh_rejected",
        "the newest died too"
    );
    let s = stats(&app).await;
    assert_eq!(
        (
            s["refresh"].as_u64(),
            s["refreshReuse"].as_u64(),
            s["refreshRejected"].as_u64()
        ),
        (Some(3), Some(1), Some(1))
    );
}

#[tokio::test]
async fn grace_window_replays_the_same_successor() {
    let app = app(5);
    let (_, first) = login(&app).await;
    let a = refresh(&app, &first).await;
    let b = refresh(&app, &first).await;
    assert_eq!(b.status, StatusCode::OK);
    assert_eq!(a.json["accessToken"], b.json["accessToken"]);
    assert_eq!(refresh_cookie(&a), refresh_cookie(&b));
    let s = stats(&app).await;
    assert_eq!(
        (s["refreshGraceReplay"].as_u64(), s["refreshReuse"].as_u64()),
        (Some(1), Some(0))
    );
}

#[tokio::test]
async fn logout_revokes_and_clears_the_cookie() {
    let app = app(0);
    let (_, cookie) = login(&app).await;
    let out = call(
        &app,
        "POST",
        "/auth/logout",
        &[CSRF, ("cookie", &cookie)],
        "",
    )
    .await;
    assert_eq!(out.status, StatusCode::OK);
    assert!(out
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        refresh(&app, &cookie).await.json["error"],
        "refresh_rejected"
    );
}

#[tokio::test]
async fn cors_echoes_only_allowed_origins_with_credentials() {
    let app = app(0);
    let preflight = [
        ("origin", ORIGIN),
        ("access-control-request-method", "POST"),
        (
            "access-control-request-headers",
            "authorization,content-type,x-requested-with",
        ),
    ];
    let a = call(&app, "OPTIONS", "/auth/login", &preflight, "").await;
    assert!(a.status.is_success());
    assert_eq!(a.headers["access-control-allow-origin"], ORIGIN);
    assert_eq!(a.headers["access-control-allow-credentials"], "true");
    assert!(a.headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("authorization"));
    let evil = call(
        &app,
        "GET",
        "/api/me",
        &[("origin", "http://evil.test")],
        "",
    )
    .await;
    assert!(evil.headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn faults_delay_and_replace_refreshes_without_rotating() {
    let app = app(0);
    let (_, cookie) = login(&app).await;
    call(
        &app,
        "POST",
        "/__faults",
        &[],
        r#"{"refreshStatus":503,"refreshDelayMs":200}"#,
    )
    .await;
    let t0 = Instant::now();
    let faulted = refresh(&app, &cookie).await;
    assert!(t0.elapsed() >= Duration::from_millis(200));
    assert_eq!(faulted.status, StatusCode::SERVICE_UNAVAILABLE);
    call(&app, "POST", "/__faults", &[], "{}").await;
    assert_eq!(
        refresh(&app, &cookie).await.status,
        StatusCode::OK,
        "nothing was rotated by the fault"
    );
    let bad = call(&app, "POST", "/__faults", &[], r#"{"refreshStatuz":1}"#).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn expire_access_refuses_older_tokens_only() {
    let app = app(0);
    let (old, cookie) = login(&app).await;
    call(&app, "POST", "/__expire-access", &[], "").await;
    let bearer = |t: &str| format!("Bearer {t}");
    let refused = call(
        &app,
        "GET",
        "/api/me",
        &[("authorization", &bearer(&old))],
        "",
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers[header::WWW_AUTHENTICATE], "Bearer");
    let new = refresh(&app, &cookie).await.json["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let ok = call(
        &app,
        "GET",
        "/api/me",
        &[("authorization", &bearer(&new))],
        "",
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    let s = stats(&app).await;
    assert_eq!(
        (s["apiOk"].as_u64(), s["api401"].as_u64()),
        (Some(1), Some(1))
    );
    call(&app, "POST", "/__reset", &[], "").await;
    assert_eq!(stats(&app).await["login"], 0);
    assert_eq!(
        refresh(&app, &cookie).await.status,
        StatusCode::UNAUTHORIZED,
        "reset forgets sessions"
    );
}

#[tokio::test]
async fn echo_returns_the_json_body() {
    let app = app(0);
    let (access, _) = login(&app).await;
    let auth = format!("Bearer {access}");
    let a = call(
        &app,
        "POST",
        "/api/echo",
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        r#"{"a":[1,2]}"#,
    )
    .await;
    assert_eq!(a.json["body"]["a"][1], 2);
    assert_eq!(a.json["contentType"], "application/json");
}

const LOGIN_BODY: &str = r#"{"email":"demo@example.com","password":"demo"}"#;

#[tokio::test]
async fn host_cookie_option_uses_the_host_prefix_path_root_and_secure() {
    let app = api_router(AppState::new(Config {
        host_cookie: true,
        ..config()
    }));
    let a = call(&app, "POST", "/auth/login", &[CSRF], LOGIN_BODY).await;
    let set = set_cookie(&a);
    assert!(set.starts_with("__Host-refreshToken="), "{set}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/;", "; Secure"] {
        assert!(set.contains(attr), "{set} lacks {attr}");
    }
    assert!(!set.contains("Domain"), "{set}");
    let cookie = refresh_cookie(&a);
    let value = cookie.split_once('=').unwrap().1;
    let plain = refresh(&app, &format!("refreshToken={value}")).await;
    assert_eq!(
        plain.json["error"], "refresh_rejected",
        "only the prefixed name counts"
    );
    let rotated = refresh(&app, &cookie).await;
    assert_eq!(rotated.status, StatusCode::OK);
    assert!(refresh_cookie(&rotated).starts_with("__Host-refreshToken="));
    let out = call(
        &app,
        "POST",
        "/auth/logout",
        &[CSRF, ("cookie", &refresh_cookie(&rotated))],
        "",
    )
    .await;
    let clear = set_cookie(&out);
    assert!(
        clear.starts_with("__Host-refreshToken=;") && clear.contains("Path=/;"),
        "{clear}"
    );
    assert_eq!(
        refresh(&app, &refresh_cookie(&rotated)).await.json["error"],
        "refresh_rejected",
        "logout revoked the family"
    );
}

#[tokio::test]
async fn empty_csrf_header_is_refused_and_rotates_nothing() {
    let app = app(0);
    let (_, cookie) = login(&app).await;
    for route in ["/auth/login", "/auth/refresh", "/auth/logout"] {
        let a = call(
            &app,
            "POST",
            route,
            &[("x-requested-with", ""), ("cookie", &cookie)],
            LOGIN_BODY,
        )
        .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{route}");
        assert_eq!(a.json["error"], "csrf", "{route}");
        assert!(a.headers.get(header::SET_COOKIE).is_none(), "{route}");
    }
    let s = stats(&app).await;
    assert_eq!(
        (s["login"].as_u64(), s["refresh"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        refresh(&app, &cookie).await.status,
        StatusCode::OK,
        "the refused logout revoked nothing"
    );
}

#[tokio::test]
async fn api_answers_expose_date_and_auth_answers_are_not_cached() {
    let app = app(0);
    let (access, cookie) = login(&app).await;
    let bearer = format!("Bearer {access}");
    let answers = [
        call(
            &app,
            "GET",
            "/api/me",
            &[("origin", ORIGIN), ("authorization", &bearer)],
            "",
        )
        .await,
        call(&app, "GET", "/api/me", &[("origin", ORIGIN)], "").await,
        call(
            &app,
            "POST",
            "/auth/refresh",
            &[("origin", ORIGIN), CSRF, ("cookie", &cookie)],
            "",
        )
        .await,
    ];
    for a in &answers {
        let exposed = a.headers["access-control-expose-headers"].to_str().unwrap();
        assert!(exposed.eq_ignore_ascii_case("date"), "{exposed}");
    }
    assert_eq!(answers[2].status, StatusCode::OK);
    assert_eq!(answers[2].headers[header::CACHE_CONTROL], "no-store");
    let wrong = call(
        &app,
        "POST",
        "/auth/login",
        &[CSRF],
        r#"{"email":"a@b","password":"x"}"#,
    )
    .await;
    assert_eq!(wrong.headers[header::CACHE_CONTROL], "no-store");
}

fn limited(per_email: u32, per_ip: u32) -> Router {
    api_router(AppState::new(Config {
        login_limit: LoginLimit {
            per_email,
            per_ip,
            window: Duration::from_secs(120),
        },
        ..config()
    }))
}

async fn login_as(app: &Router, email: &str, password: &str, peer: Option<&str>) -> Answer {
    let body = serde_json::json!({ "email": email, "password": password }).to_string();
    let mut request = Request::builder()
        .method("POST")
        .uri("/auth/login")
        .header(CSRF.0, CSRF.1);
    if let Some(peer) = peer {
        let addr: SocketAddr = peer.parse().unwrap();
        request = request.extension(ConnectInfo(addr));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

#[tokio::test]
async fn failed_logins_per_email_are_bounded_with_retry_after() {
    let app = limited(3, 0);
    for _ in 0..3 {
        let a = login_as(&app, "victim@example.com", "guess", None).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = login_as(&app, "Victim@Example.com ", "demo", None).await;
    assert_eq!(
        blocked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password"
    );
    assert_eq!(blocked.json["error"], "too_many_attempts");
    let retry: u64 = blocked.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((119..=120).contains(&retry), "Retry-After {retry}");
    assert!(blocked.headers.get(header::SET_COOKIE).is_none());
    let other = login_as(&app, "other@example.com", "demo", None).await;
    assert_eq!(other.status, StatusCode::OK, "other emails are not bound");
    let s = stats(&app).await;
    assert_eq!(
        (s["login"].as_u64(), s["loginThrottled"].as_u64()),
        (Some(1), Some(1))
    );
    call(&app, "POST", "/__reset", &[], "").await;
    let after_reset = login_as(&app, "victim@example.com", "demo", None).await;
    assert_eq!(
        after_reset.status,
        StatusCode::OK,
        "/__reset forgets failures"
    );
}

#[tokio::test]
async fn failed_logins_per_ip_are_bounded_across_emails() {
    let app = limited(0, 4);
    let attacker = Some("192.0.2.7:5000");
    for i in 0..4 {
        let a = login_as(&app, &format!("user{i}@example.com"), "guess", attacker).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    let a = login_as(&app, "user9@example.com", "demo", Some("192.0.2.7:6000")).await;
    assert_eq!(
        a.status,
        StatusCode::TOO_MANY_REQUESTS,
        "same IP, other port"
    );
    assert!(a.headers.contains_key(header::RETRY_AFTER));
    let b = login_as(&app, "user9@example.com", "demo", Some("192.0.2.8:5000")).await;
    assert_eq!(b.status, StatusCode::OK, "another IP is not bound");
}

#[tokio::test]
async fn default_login_bound_lets_a_test_suite_mistype() {
    let app = app(0);
    for _ in 0..9 {
        login_as(&app, "demo@example.com", "nope", Some("127.0.0.1:1")).await;
    }
    let a = login_as(&app, "demo@example.com", "demo", Some("127.0.0.1:1")).await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn seeded_families_rotate_once_each_and_are_counted() {
    let app = app(0);
    let seeded = call(&app, "POST", "/__seed-families", &[], r#"{"count":50}"#).await;
    assert_eq!(seeded.status, StatusCode::OK);
    let tokens: Vec<&str> = seeded.text.lines().collect();
    assert_eq!(tokens.len(), 50);
    assert!(tokens.iter().all(|t| t.len() == 64), "{}", seeded.text);
    for t in &tokens {
        let a = refresh(&app, &format!("refreshToken={t}")).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_ne!(refresh_cookie(&a), format!("refreshToken={t}"));
    }
    let again = refresh(&app, &format!("refreshToken={}", tokens[0])).await;
    assert_eq!(again.json["error"], "refresh_reuse");
    let s = stats(&app).await;
    assert_eq!(
        (
            s["refreshRotated"].as_u64(),
            s["refreshReuse"].as_u64(),
            s["refreshSecondSuccessor"].as_u64()
        ),
        (Some(50), Some(1), Some(0))
    );
    for bad in ["", "{}", r#"{"count":0}"#, r#"{"count":100001}"#] {
        let a = call(&app, "POST", "/__seed-families", &[], bad).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let no_hooks = api_router(AppState::new(Config {
        test_hooks: false,
        ..config()
    }));
    let a = call(&no_hooks, "POST", "/__seed-families", &[], r#"{"count":1}"#).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}
