//! Test hooks: counters, reset, refresh faults, access-token expiry, redirects. Off with
//! `--no-test-hooks`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use futures_util::{stream, StreamExt};
use serde_json::json;

use crate::api::error;
use crate::AppState;

/// How long a refresh whose answer is "lost" is held before the server gives up on it (the
/// client has aborted it long before; the handler is dropped when the connection closes).
const LOST_ANSWER_HOLD: Duration = Duration::from_secs(300);

/// Faults applied to refreshes and issued tokens (`/__faults`; `{}` clears them).
#[derive(Clone, Copy, Default, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Faults {
    /// Delay before the refresh token is looked at (a request aborted meanwhile rotates
    /// nothing: the handler is dropped with its connection).
    pub refresh_delay_ms: Option<u64>,
    /// Answer refreshes with this status and rotate nothing.
    pub refresh_status: Option<u16>,
    /// Rotate, then never answer: the new refresh cookie never reaches the browser (a
    /// response lost on the way; the client gives up after its `requestTimeoutMs`).
    pub refresh_lose_response: bool,
    /// Rotate and send the headers (the new refresh cookie with them), then stall the body
    /// after its first bytes (a slow or broken connection; the client's timeout must cover
    /// reading the body).
    pub refresh_stall_body: bool,
    /// Answer logouts with this status (and log nobody out).
    pub logout_status: Option<u16>,
    /// Only the next N refresh requests get the refresh faults above (absent: every one
    /// until changed).
    pub refresh_times: Option<u32>,
    /// Issue access tokens without the `iat` claim (login and refresh).
    pub omit_iat: bool,
}

impl Faults {
    /// Delay and status faults, applied before the refresh token is looked at: `Some` is the
    /// answer to send instead of refreshing.
    pub async fn before_refresh(&self) -> Option<Response> {
        if let Some(ms) = self.refresh_delay_ms {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        let status = self.refresh_status?;
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Some(error(status, "fault", "injected by /__faults"))
    }

    /// After a rotation: never returns when the answer is to be lost.
    pub async fn after_rotation(&self) {
        if self.refresh_lose_response {
            tokio::time::sleep(LOST_ANSWER_HOLD).await;
        }
    }
}

/// The answer `answer` with its headers as they are and a body that sends its first bytes and
/// then stalls for [`LOST_ANSWER_HOLD`] (the handler's task ends when the client disconnects).
pub fn stalled(answer: Response) -> Response {
    let (parts, _) = answer.into_parts();
    let first =
        stream::once(async { Ok::<_, Infallible>(Bytes::from_static(b"{\"accessToken\":")) });
    let never = stream::once(async {
        tokio::time::sleep(LOST_ANSWER_HOLD).await;
        Ok::<_, Infallible>(Bytes::new())
    });
    Response::from_parts(parts, Body::from_stream(first.chain(never)))
}

/// The faults one refresh request gets, counting down `refreshTimes`.
pub fn refresh_fault(state: &AppState) -> Faults {
    let mut faults = state.faults.lock().unwrap_or_else(|p| p.into_inner());
    let current = *faults;
    match current.refresh_times {
        Some(0) => Faults {
            omit_iat: current.omit_iat,
            ..Faults::default()
        },
        Some(n) => {
            faults.refresh_times = Some(n - 1);
            current
        }
        None => current,
    }
}

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/__stats", get(stats))
        .route("/__reset", post(reset))
        .route("/__faults", post(faults))
        .route("/__expire-access", post(expire_access))
        .route("/__redirect", any(redirect))
}

async fn stats(State(state): State<Arc<AppState>>) -> Response {
    Json(&state.stats).into_response()
}

async fn reset(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    state.forget_login_failures();
    state.stats.reset();
    *state.store() = Default::default();
    set_faults(&state, Faults::default());
    Json(json!({}))
}

fn set_faults(state: &AppState, faults: Faults) {
    state.signer.set_omit_iat(faults.omit_iat);
    *state.faults.lock().unwrap_or_else(|p| p.into_inner()) = faults;
}

async fn faults(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let body = if body.is_empty() {
        &b"{}"[..]
    } else {
        &body[..]
    };
    match serde_json::from_slice::<Faults>(body) {
        Ok(f) => {
            set_faults(&state, f);
            Json(json!({})).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, "bad_request", &e.to_string()),
    }
}

async fn expire_access(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let generation = state.generation.fetch_add(1, Ordering::SeqCst) + 1;
    Json(json!({ "generation": generation }))
}

/// `/__redirect?to=URL&status=307`: a redirect to any URL (another origin included), for
/// tests that check where the browser sends the token.
async fn redirect(Query(query): Query<HashMap<String, String>>) -> Response {
    let Some(to) = query.get("to") else {
        return error(StatusCode::BAD_REQUEST, "bad_request", "expected ?to=URL");
    };
    let status = query
        .get("status")
        .and_then(|s| s.parse::<u16>().ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .filter(StatusCode::is_redirection)
        .unwrap_or(StatusCode::TEMPORARY_REDIRECT);
    (status, [(header::LOCATION, to.as_str())]).into_response()
}
