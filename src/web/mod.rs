//! The thin browser layer: fetch, BroadcastChannel, Web Locks, cookies, timers, JSON.parse.
//!
//! Each module wraps one browser API and holds no policy; the decisions live in
//! [`crate::core`] and the orchestration in the (private) `client` module.

pub mod channel;
pub mod claims;
pub mod cookie;
pub mod events;
pub mod http;
pub mod js;
pub mod locks;
pub mod timer;
