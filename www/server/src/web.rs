//! The web listener: the demo page and test harness (`--web-root`), the wasm package at
//! `/pkg/`, and `/config.json` telling pages where the API is.

use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::Config;

/// The router of the web listener for an API reachable at `api_base`.
pub fn web_router(config: &Config, api_base: String) -> Router {
    Router::new()
        .route(
            "/config.json",
            get(move || async move { Json(json!({ "apiBase": api_base })) }),
        )
        .nest_service("/pkg", ServeDir::new(&config.pkg_dir))
        .fallback_service(ServeDir::new(&config.web_root))
        // Always revalidated, so a rebuilt pkg/ is never stale; not `no-store`, which would
        // keep every page out of the back/forward cache.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}
