//! The API listener: `/auth/*`, `/api/*`, the test hooks, and CORS with credentials.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::tokens::{Pair, RefreshOutcome, User};
use crate::{hooks, seed, AppState, Config, Stats};

/// Name of the refresh cookie, scoped to the auth routes by `Path=/auth`.
const REFRESH_COOKIE: &str = "refreshToken";
/// Name of the refresh cookie with `--host-cookie`: `Path=/`, `Secure`, no `Domain`, pinned
/// to the host by the browser.
const HOST_REFRESH_COOKIE: &str = "__Host-refreshToken";
/// Header every auth call must carry (any non-empty value).
const CSRF_HEADER: &str = "x-requested-with";

pub fn router(state: Arc<AppState>) -> Router {
    let auth = Router::new()
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
        .layer(middleware::from_fn(require_csrf_header))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let mut app = Router::new()
        .merge(auth)
        .route("/api/me", get(me))
        .route("/api/echo", post(echo))
        .route("/api/headers", get(headers));
    if state.config.test_hooks {
        app = app.merge(hooks::router()).merge(seed::router());
    }
    app.fallback(|| async { error(StatusCode::NOT_FOUND, "not_found", "no such route") })
        .layer(cors(&state.config.allowed_origins))
        .with_state(state)
}

fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| o.parse().ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers(AllowHeaders::mirror_request())
        // Lets the page read the answer's `Date`: a client may estimate the server's clock.
        .expose_headers([header::DATE])
        .max_age(Duration::from_secs(600))
}

/// A JSON error `{error, message}`.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "error": code, "message": message }))).into_response()
}

async fn require_csrf_header(request: Request, next: Next) -> Response {
    let present = request
        .headers()
        .get(CSRF_HEADER)
        .is_some_and(|v| !v.as_bytes().is_empty());
    if !present {
        return error(
            StatusCode::FORBIDDEN,
            "csrf",
            "auth calls need the X-Requested-With header",
        );
    }
    next.run(request).await
}

#[derive(serde::Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

async fn login(State(state): State<Arc<AppState>>, parts: Parts, body: Bytes) -> Response {
    let Ok(credentials) = serde_json::from_slice::<Credentials>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "expected JSON {email, password}",
        );
    };
    // The peer address; behind a proxy that is the proxy's (X-Forwarded-For is not trusted).
    let ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let email = credentials.email.trim().to_ascii_lowercase();
    let now = Instant::now();
    // One lock from the check to the verdict, so concurrent guesses cannot all pass the check
    // before the first failure is counted. (A server whose password check is slow would
    // count the attempt as failed before checking and forget it on success instead.)
    let mut throttle = state.login_throttle();
    if let Err(wait) = throttle.check(&email, ip, now) {
        drop(throttle);
        Stats::bump(&state.stats.login_throttled);
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "too many failed logins: try again later",
        );
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        return response;
    }
    // The demo accepts any well-formed email with the password "demo".
    if credentials.password != "demo" || !email.contains('@') || email.len() > 200 {
        throttle.failed(&email, ip, now);
        drop(throttle);
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "wrong email or password",
        );
    }
    throttle.succeeded(&email);
    drop(throttle);
    Stats::bump(&state.stats.login);
    let user = User {
        sub: format!("user-{email}"),
        email,
    };
    let pair = state.store().login(
        &state.signer,
        user,
        state.generation(),
        state.config.refresh_ttl,
    );
    issue(&state, &parts.headers, &pair)
}

async fn refresh(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    Stats::bump(&state.stats.refresh);
    let fault = hooks::refresh_fault(&state);
    if let Some(response) = fault.before_refresh().await {
        return response;
    }
    let presented = cookie(&headers, cookie_name(&state.config));
    let config = &state.config;
    let outcome = state.store().refresh(
        &state.signer,
        presented.as_deref(),
        state.generation(),
        config.reuse_grace,
        config.refresh_ttl,
    );
    match outcome {
        RefreshOutcome::Rotated { pair, successors } => {
            Stats::bump(&state.stats.refresh_rotated);
            if successors > 1 {
                Stats::bump(&state.stats.refresh_second_successor);
            }
            fault.after_rotation().await;
            let answer = issue(&state, &headers, &pair);
            if fault.refresh_stall_body {
                return hooks::stalled(answer);
            }
            answer
        }
        RefreshOutcome::GraceReplay(pair) => {
            Stats::bump(&state.stats.refresh_grace_replay);
            issue(&state, &headers, &pair)
        }
        RefreshOutcome::Reuse => {
            Stats::bump(&state.stats.refresh_reuse);
            error(
                StatusCode::UNAUTHORIZED,
                "refresh_reuse",
                "refresh token reused: session revoked",
            )
        }
        RefreshOutcome::Rejected => {
            Stats::bump(&state.stats.refresh_rejected);
            error(
                StatusCode::UNAUTHORIZED,
                "refresh_rejected",
                "no valid refresh token",
            )
        }
    }
}

async fn logout(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    Stats::bump(&state.stats.logout);
    if let Some(status) = state.faults().logout_status {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return error(status, "fault", "injected by /__faults");
    }
    state
        .store()
        .logout(cookie(&headers, cookie_name(&state.config)).as_deref());
    let clear = refresh_cookie(&state, &headers, "", 0);
    ([(header::SET_COOKIE, clear)], Json(json!({}))).into_response()
}

/// 200 `{accessToken, user}` with the refresh cookie.
fn issue(state: &AppState, headers: &HeaderMap, pair: &Pair) -> Response {
    let max_age = state.config.refresh_ttl.as_secs();
    let set_cookie = refresh_cookie(state, headers, &pair.refresh, max_age);
    let body = json!({ "accessToken": pair.access, "user": pair.user });
    ([(header::SET_COOKIE, set_cookie)], Json(body)).into_response()
}

fn cookie_name(config: &Config) -> &'static str {
    if config.host_cookie {
        HOST_REFRESH_COOKIE
    } else {
        REFRESH_COOKIE
    }
}

/// The refresh cookie: `HttpOnly; SameSite=Strict`, no `Domain` (host-only), `Path=/auth`
/// (or `Path=/` with the `__Host-` prefix), `Secure` on https or when configured.
fn refresh_cookie(state: &AppState, headers: &HeaderMap, value: &str, max_age: u64) -> String {
    let config = &state.config;
    let https = headers
        .get("x-forwarded-proto")
        .is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(b"https"));
    let secure = if config.host_cookie || config.secure_cookies || https {
        "; Secure"
    } else {
        ""
    };
    let name = cookie_name(config);
    let path = if config.host_cookie { "/" } else { "/auth" };
    format!("{name}={value}; HttpOnly; SameSite=Strict; Path={path}; Max-Age={max_age}{secure}")
}

/// The value of cookie `name` in the request's `Cookie` headers.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// The claims of a valid Bearer token, counting `apiOk` / `api401`; else the 401 answer.
fn authorize(state: &AppState, headers: &HeaderMap) -> Result<Value, Box<Response>> {
    let claims = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| state.signer.verify(t.trim(), state.generation()));
    match claims {
        Some(claims) => {
            Stats::bump(&state.stats.api_ok);
            Ok(claims)
        }
        None => {
            Stats::bump(&state.stats.api401);
            let mut response = error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "missing or invalid access token",
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            Err(Box::new(response))
        }
    }
}

async fn me(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    match authorize(&state, &headers) {
        Ok(claims) => Json(claims).into_response(),
        Err(response) => *response,
    }
}

async fn echo(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(response) = authorize(&state, &headers) {
        return *response;
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match serde_json::from_slice::<Value>(&body) {
        Ok(parsed) => Json(json!({ "body": parsed, "contentType": content_type })).into_response(),
        Err(_) => {
            let raw = String::from_utf8_lossy(&body);
            Json(json!({ "raw": raw, "contentType": content_type })).into_response()
        }
    }
}

async fn headers(headers: HeaderMap) -> Json<Value> {
    let map: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                Value::from(v.to_str().unwrap_or_default()),
            )
        })
        .collect();
    Json(Value::Object(map))
}
