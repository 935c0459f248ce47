//! The pure core of tokenrelay: no browser API, checked on the host with `cargo test`.
//!
//! Option validation, claims and expiry maths, the session state machine, the channel codec,
//! the cooldown cookie, the refresh budget, and the refresh machine ([`machine`]: the refresh
//! flight of the Web Locks path as a sans-IO state machine, proven by the simulator in
//! tests/sim). The JS driver still decides restore, login, logout, the election without Web
//! Locks and when to refresh.

pub mod base64url;
pub mod budget;
pub mod claims;
pub mod cooldown;
pub mod coordination;
#[cfg(not(target_arch = "wasm32"))]
mod decode_host;
pub mod error;
pub mod float;
pub mod machine;
pub mod options;
pub mod origin;
pub mod protocol;
pub mod response;
pub mod session;
pub mod text;

pub use claims::Token;
pub use error::Error;
pub use options::Options;
pub use session::{Session, Status};
