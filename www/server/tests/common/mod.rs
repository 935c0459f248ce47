//! Helpers of the in-process API tests (tower `oneshot`): one request, and the auth calls
//! they all make. Each test file uses its own part of them.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// An answer: status, headers, body as JSON (`null` when not JSON) and as text.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub json: Value,
    pub text: String,
}

/// Sends one request to `app`.
pub async fn call(
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
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// The static CSRF header every auth route requires.
pub const CSRF: (&str, &str) = ("x-requested-with", "tokenrelay");

/// Logs in: the access token and the refresh cookie (`name=value`).
pub async fn login(app: &Router) -> (String, String) {
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

/// The `Set-Cookie` header of an answer.
pub fn set_cookie(a: &Answer) -> &str {
    a.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap()
}

/// The refresh cookie an answer sets, as `name=value`.
pub fn refresh_cookie(a: &Answer) -> String {
    let set = set_cookie(a);
    set.split(';').next().unwrap().to_owned()
}

/// `POST /auth/refresh` with `cookie`.
pub async fn refresh(app: &Router, cookie: &str) -> Answer {
    call(
        app,
        "POST",
        "/auth/refresh",
        &[CSRF, ("cookie", cookie)],
        "",
    )
    .await
}
