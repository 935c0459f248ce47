//! Test hook for the load benchmark: `POST /__seed-families {count}` starts `count` refresh
//! families at once and answers their refresh tokens, one per line (`text/plain`), so a load
//! tool can present them as cookies and rotate each family through the real `/auth/refresh`.
//! Exists only with the test hooks.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use crate::api::error;
use crate::tokens::User;
use crate::AppState;

/// At most this many families per call.
const MAX_FAMILIES: usize = 100_000;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Seed {
    count: usize,
}

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/__seed-families", post(seed_families))
}

async fn seed_families(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let count = match serde_json::from_slice::<Seed>(&body) {
        Ok(Seed { count }) if (1..=MAX_FAMILIES).contains(&count) => count,
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "expected JSON {count} with 1 <= count <= 100000",
            )
        }
    };
    let generation = state.generation();
    let mut lines = String::with_capacity(count * 65);
    let mut store = state.store();
    for i in 0..count {
        let email = format!("load-{i}@example.com");
        let user = User {
            sub: format!("user-{email}"),
            email,
        };
        let pair = store.login(&state.signer, user, generation, state.config.refresh_ttl);
        lines.push_str(&pair.refresh);
        lines.push('\n');
    }
    drop(store);
    ([(header::CONTENT_TYPE, "text/plain")], lines).into_response()
}
