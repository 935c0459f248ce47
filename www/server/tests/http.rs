//! The API over HTTP semantics, in process (tower `oneshot`): cookies, rotation, CSRF, CORS,
//! hooks.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tokenrelay_server::{api_router, AppState, Config};
use tower::ServiceExt;

const ORIGIN: &str = "http://127.0.0.1:3000";

fn app(grace_secs: u64) -> Router {
    api_router(AppState::new(Config {
        access_ttl: Duration::from_secs(60),
        refresh_ttl: Duration::from_secs(604_800),
        reuse_grace: Duration::from_secs(grace_secs),
        allowed_origins: vec![ORIGIN.into()],
        test_hooks: true,
        secure_cookies: false,
        web_root: PathBuf::from("www"),
        pkg_dir: PathBuf::from("pkg"),
    }))
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    json: Value,
}

async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        json,
    }
}

const CSRF: (&str, &str) = ("x-requested-with", "tokenrelay");

async fn login(app: &Router) -> (String, String) {
    let a = call(
        app,
        "POST",
        "/auth/login",
        &[CSRF],
        r#"{"email":"demo@example.com","password":"demo"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    (
        a.json["accessToken"].as_str().unwrap().to_owned(),
        refresh_cookie(&a),
    )
}

fn refresh_cookie(a: &Answer) -> String {
    let set = a.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

async fn refresh(app: &Router, cookie: &str) -> Answer {
    call(
        app,
        "POST",
        "/auth/refresh",
        &[CSRF, ("cookie", cookie)],
        "",
    )
    .await
}

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
