//! The reference backend of tokenrelay: the demo's API and the end-to-end tests' server.
//!
//! Two listeners: the API (auth routes, a protected resource, test hooks, CORS with
//! credentials for the allowed origins) and the web server (demo page, `pkg/`, config).

mod api;
mod hooks;
mod seed;
pub mod throttle;
pub mod tokens;
mod web;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use serde::Serialize;

pub use hooks::Faults;
pub use web::web_router;

pub use throttle::LoginLimit;

/// Server settings (the command line).
#[derive(Clone, Debug)]
pub struct Config {
    /// Lifetime of access tokens.
    pub access_ttl: Duration,
    /// Lifetime of refresh tokens (and Max-Age of their cookie).
    pub refresh_ttl: Duration,
    /// Window in which a just-rotated refresh token replays its successor.
    pub reuse_grace: Duration,
    /// Origins allowed by CORS (with credentials).
    pub allowed_origins: Vec<String>,
    /// Whether the test hooks (every `/__*` route) exist.
    pub test_hooks: bool,
    /// Whether the refresh cookie always carries `Secure`.
    pub secure_cookies: bool,
    /// Whether the refresh cookie is `__Host-refreshToken` with `Path=/` and `Secure`
    /// (instead of `refreshToken` with `Path=/auth`).
    pub host_cookie: bool,
    /// The bound on failed logins.
    pub login_limit: LoginLimit,
    /// Static files of the web listener.
    pub web_root: PathBuf,
    /// The wasm package, served at `/pkg/`.
    pub pkg_dir: PathBuf,
}

impl Default for Config {
    /// The command line's defaults (API origin and web origin of `127.0.0.1:3000` allowed).
    fn default() -> Self {
        Self {
            access_ttl: Duration::from_secs(60),
            refresh_ttl: Duration::from_secs(604_800),
            reuse_grace: Duration::ZERO,
            allowed_origins: vec![
                "http://127.0.0.1:3000".into(),
                "http://localhost:3000".into(),
            ],
            test_hooks: true,
            secure_cookies: false,
            host_cookie: false,
            login_limit: LoginLimit::default(),
            web_root: PathBuf::from("www"),
            pkg_dir: PathBuf::from("pkg"),
        }
    }
}

/// Counters of `/__stats`.
#[derive(Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    login: AtomicU64,
    login_throttled: AtomicU64,
    refresh: AtomicU64,
    refresh_rotated: AtomicU64,
    refresh_second_successor: AtomicU64,
    refresh_reuse: AtomicU64,
    refresh_rejected: AtomicU64,
    refresh_grace_replay: AtomicU64,
    logout: AtomicU64,
    api_ok: AtomicU64,
    api401: AtomicU64,
}

impl Stats {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::SeqCst);
    }

    fn reset(&self) {
        for c in [
            &self.login,
            &self.login_throttled,
            &self.refresh,
            &self.refresh_rotated,
            &self.refresh_second_successor,
            &self.refresh_reuse,
            &self.refresh_rejected,
            &self.refresh_grace_replay,
            &self.logout,
            &self.api_ok,
            &self.api401,
        ] {
            c.store(0, Ordering::SeqCst);
        }
    }
}

/// Shared state of the API.
pub struct AppState {
    config: Config,
    signer: tokens::Signer,
    store: Mutex<tokens::Store>,
    stats: Stats,
    faults: Mutex<Faults>,
    login_throttle: Mutex<throttle::LoginThrottle>,
    /// Access-token generation (moved on by `/__expire-access`).
    generation: AtomicU64,
}

impl AppState {
    /// Fresh state for `config`.
    pub fn new(config: Config) -> Arc<Self> {
        Arc::new(Self {
            signer: tokens::Signer::new(config.access_ttl),
            store: Mutex::new(tokens::Store::default()),
            stats: Stats::default(),
            faults: Mutex::new(Faults::default()),
            login_throttle: Mutex::new(throttle::LoginThrottle::new(config.login_limit)),
            generation: AtomicU64::new(0),
            config,
        })
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn login_throttle(&self) -> std::sync::MutexGuard<'_, throttle::LoginThrottle> {
        self.login_throttle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Forgets every failed login (`/__reset`).
    fn forget_login_failures(&self) {
        *self.login_throttle() = throttle::LoginThrottle::new(self.config.login_limit);
    }

    /// The faults set by `/__faults`.
    fn faults(&self) -> Faults {
        *self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn store(&self) -> std::sync::MutexGuard<'_, tokens::Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The API router: auth routes, `/api/*`, hooks, CORS.
pub fn api_router(state: Arc<AppState>) -> Router {
    api::router(state)
}

/// Serves `app` (an [`api_router`]) on `listener` until `shutdown` resolves, handing each
/// request its connection's peer address (the per-IP login bound reads it).
pub async fn serve_api(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
