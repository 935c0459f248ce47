//! `tokenrelay-server`: the reference backend of tokenrelay (see README.md beside this crate).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use tokenrelay_server::{api_router, serve_api, web_router, AppState, Config, LoginLimit};

/// Reference backend of tokenrelay: rotating refresh tokens with reuse detection.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address of the API listener.
    #[arg(long, default_value = "127.0.0.1:8000")]
    api_addr: SocketAddr,
    /// Address of the web listener (demo page, /pkg/, /config.json).
    #[arg(long, default_value = "127.0.0.1:3000")]
    web_addr: SocketAddr,
    /// Static files served by the web listener.
    #[arg(long, default_value = "www")]
    web_root: PathBuf,
    /// The wasm package served at /pkg/.
    #[arg(long, default_value = "pkg")]
    pkg_dir: PathBuf,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, default_value_t = 60)]
    access_ttl_secs: u64,
    /// Lifetime of refresh tokens, in seconds.
    #[arg(long, default_value_t = 604_800)]
    refresh_ttl_secs: u64,
    /// Within this many seconds of a rotation, the rotated token replays its successor.
    #[arg(long, default_value_t = 0)]
    reuse_grace_secs: u64,
    /// Origin allowed by CORS with credentials (repeatable; default: the web origin).
    #[arg(long = "allow-origin")]
    allow_origins: Vec<String>,
    /// Turn off every test hook (the /__* routes: /__stats, /__reset, /__faults, ...).
    #[arg(long)]
    no_test_hooks: bool,
    /// Always mark the refresh cookie Secure (also done for X-Forwarded-Proto: https).
    #[arg(long)]
    secure_cookies: bool,
    /// Name the refresh cookie __Host-refreshToken with Path=/ and Secure (default:
    /// refreshToken with Path=/auth).
    #[arg(long)]
    host_cookie: bool,
    /// Failed logins allowed per email within the window (0: no bound).
    #[arg(long, default_value_t = 10)]
    login_failures_per_email: u32,
    /// Failed logins allowed per client IP within the window (0: no bound).
    #[arg(long, default_value_t = 100)]
    login_failures_per_ip: u32,
    /// Window of the failed-login bounds, in seconds.
    #[arg(long, default_value_t = 300)]
    login_window_secs: u64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let api = tokio::net::TcpListener::bind(args.api_addr).await?;
    let web = tokio::net::TcpListener::bind(args.web_addr).await?;
    let (api_addr, web_addr) = (api.local_addr()?, web.local_addr()?);
    let allowed_origins = if args.allow_origins.is_empty() {
        let port = web_addr.port();
        vec![
            format!("http://{web_addr}"),
            format!("http://localhost:{port}"),
        ]
    } else {
        args.allow_origins
            .iter()
            .map(|o| o.trim_end_matches('/').to_owned())
            .collect()
    };
    let config = Config {
        access_ttl: Duration::from_secs(args.access_ttl_secs.max(1)),
        refresh_ttl: Duration::from_secs(args.refresh_ttl_secs.max(1)),
        reuse_grace: Duration::from_secs(args.reuse_grace_secs),
        allowed_origins,
        test_hooks: !args.no_test_hooks,
        secure_cookies: args.secure_cookies,
        host_cookie: args.host_cookie,
        login_limit: LoginLimit {
            per_email: args.login_failures_per_email,
            per_ip: args.login_failures_per_ip,
            window: Duration::from_secs(args.login_window_secs.max(1)),
        },
        web_root: args.web_root,
        pkg_dir: args.pkg_dir,
    };
    let api_base = format!("http://{api_addr}");
    let web_app = web_router(&config, api_base.clone());
    let api_app = api_router(AppState::new(config));
    println!("tokenrelay-server listening api={api_base} web=http://{web_addr}");
    use std::io::Write;
    std::io::stdout().flush()?;
    let api_task = serve_api(api, api_app, shutdown());
    let web_task = axum::serve(web, web_app).with_graceful_shutdown(shutdown());
    tokio::try_join!(api_task, web_task)?;
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing a SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
