//! The browser side of the wasm.
//!
//! Always (on `wasm32`): [`claims`], the JWT's JSON read with the browser's own `JSON.parse`,
//! which the npm package's `Core` uses too.
//!
//! With the feature `web`: the Rust driver. [`AuthClient`] is the API (the JS `AuthClient`'s
//! calls, over the same machine); its pump carries out the machine's outputs with the browser
//! adapters, one browser API each, thin I/O wrappers that make no protocol decision (no waits,
//! timeouts or retries of their own): [`locks`] (Web Locks), [`channel`] (BroadcastChannel),
//! [`page`] (page lifecycle events), [`cookie`] (`document.cookie`) and [`auth_http`] (the auth
//! POSTs). JS and Rust tabs of one origin share one session: the same channel messages, lock
//! names, storage keys and cooldown cookie. Without the feature, everything else that touches
//! a browser API is the JS driver's (js/lib/driver/).
//!
//! # Example
//! ```no_run
//! # async fn demo() -> Result<(), tokenrelay::web::Error> {
//! use tokenrelay::web::{AuthClient, Options};
//! let auth = AuthClient::new(Options::new("https://api.example.com"))?;
//! auth.start().await?;
//! # Ok(()) }
//! ```

#[cfg(feature = "web")]
pub mod auth_http;
#[cfg(feature = "web")]
pub mod channel;
pub mod claims;
#[cfg(feature = "web")]
mod client;
#[cfg(feature = "web")]
pub mod cookie;
#[cfg(feature = "web")]
mod fetch;
#[cfg(feature = "web")]
pub mod locks;
#[cfg(feature = "web")]
pub mod page;
#[cfg(feature = "web")]
mod presence;
#[cfg(feature = "web")]
mod pump;
#[cfg(feature = "web")]
mod state;
#[cfg(feature = "web")]
mod storage;

#[cfg(feature = "web")]
pub use crate::core::options::Csrf;
#[cfg(feature = "web")]
pub use crate::core::{Error, Options, Status};
#[cfg(feature = "web")]
pub use client::{AuthClient, LoggedOut, Subscription};
#[cfg(feature = "web")]
pub use fetch::IntoRequest;
#[cfg(feature = "web")]
pub use state::AuthState;
