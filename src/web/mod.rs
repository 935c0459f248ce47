//! The browser side of the wasm.
//!
//! Always (on `wasm32`): [`claims`], the JWT's JSON read with the browser's own `JSON.parse`,
//! which the npm package's `Core` uses too.
//!
//! With the feature `web`: the Rust driver's browser adapters, one browser API each, thin I/O
//! wrappers that make no protocol decision (no waits, timeouts or retries of their own):
//! `locks` (Web Locks), `channel` (BroadcastChannel), `page` (page lifecycle events), `cookie`
//! (`document.cookie`) and `auth_http` (the auth POSTs). Without it, everything else that
//! touches a browser API is the JS driver's (js/lib/driver/).

#[cfg(feature = "web")]
pub mod auth_http;
#[cfg(feature = "web")]
pub mod channel;
pub mod claims;
#[cfg(feature = "web")]
pub mod cookie;
#[cfg(feature = "web")]
pub mod locks;
#[cfg(feature = "web")]
pub mod page;
