//! The browser side of the wasm: the JWT's JSON read with the browser's own `JSON.parse`.
//!
//! Everything else that touches a browser API (fetch, BroadcastChannel, Web Locks, cookies,
//! timers) is the JS driver's (js/lib/driver/); the wasm keeps the token and decides.

pub mod claims;
