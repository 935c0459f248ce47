//! # tokenrelay
//!
//! JWT login sessions for single-page apps, done once and right. Compiled to WebAssembly and
//! used from JavaScript as the `AuthClient` class:
//!
//! * every auth call and every wrapped `fetch` uses `credentials: "include"`;
//! * the access token lives only in wasm memory, the refresh token only in the HttpOnly cookie
//!   the server sets, and the token is attached only to allow-listed origins;
//! * a refresh happens once across all tabs of the origin (Web Locks, a BroadcastChannel
//!   hand-off of the new token, and a cooldown cookie that server middleware can read);
//! * a 401 triggers at most one refresh and one retry of the original request;
//! * every state change is an event any framework can subscribe to.
//!
//! The crate has a pure [`core`] (no browser API, tested on the host) and, compiled only for
//! `wasm32`, the `Core` class that the package's JS driver runs: it keeps the options, the
//! session and its token in wasm memory, and its machine ([`core::machine`]) runs the whole
//! protocol (restore, login, logout, the schedule, the single flight, the lock queue and the
//! takeover, the election without Web Locks, other tabs' messages); the driver only carries
//! out its outputs (fetch, BroadcastChannel, Web Locks, cookies, storage, page events, one
//! timer).
//!
//! The feature `web` adds, on `wasm32`, the browser adapters of a Rust driver to the module
//! `web` (Web Locks, BroadcastChannel, page events, `document.cookie`, the auth POSTs through
//! gloo-net); the default build and the npm package link none of their crates.
#![deny(missing_docs)]
#![cfg_attr(tokenrelay_ship, no_std)]

extern crate alloc;

pub mod core;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(target_arch = "wasm32")]
pub use api::{is_token_relay_error, Core};

/// A small free-list allocator: the heap of this library is a few KB of short-lived strings,
/// so dlmalloc's speed is not needed and its ~3 KB gzip is. Not with the feature `web`: a Rust
/// app that links the driver keeps its own allocator (and may declare one).
#[cfg(all(target_arch = "wasm32", not(feature = "web")))]
#[global_allocator]
// SAFETY: the module runs on the page's single thread (no shared memory, no threads).
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// The shipped module has no unwinding and no one to read a panic message: a panic traps.
#[cfg(all(target_arch = "wasm32", tokenrelay_ship))]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo) -> ! {
    ::core::arch::wasm32::unreachable()
}
