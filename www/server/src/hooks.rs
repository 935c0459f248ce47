//! Test hooks: counters, reset, refresh faults, access-token expiry. Off with `--no-test-hooks`.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::api::error;
use crate::{AppState, Faults};

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/__stats", get(stats))
        .route("/__reset", post(reset))
        .route("/__faults", post(faults))
        .route("/__expire-access", post(expire_access))
}

async fn stats(State(state): State<Arc<AppState>>) -> Response {
    Json(&state.stats).into_response()
}

async fn reset(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    state.forget_login_failures();
    state.stats.reset();
    *state.store() = Default::default();
    *state.faults.lock().unwrap_or_else(|p| p.into_inner()) = Faults::default();
    Json(json!({}))
}

async fn faults(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let body = if body.is_empty() {
        &b"{}"[..]
    } else {
        &body[..]
    };
    match serde_json::from_slice::<Faults>(body) {
        Ok(f) => {
            *state.faults.lock().unwrap_or_else(|p| p.into_inner()) = f;
            Json(json!({})).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, "bad_request", &e.to_string()),
    }
}

async fn expire_access(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let generation = state.generation.fetch_add(1, Ordering::SeqCst) + 1;
    Json(json!({ "generation": generation }))
}
