//! The pure core of tokenrelay: no browser API, checked on the host with `cargo test`.
//!
//! Option validation, claims and expiry maths, the session, the channel codec, the cooldown
//! cookie, the refresh budget, and the protocol machine ([`machine`]: every rule of the
//! protocol as a sans-IO state machine, checked by the simulator and the exhaustive explorer
//! in tests/sim). Drivers only carry out its outputs.

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
pub use options::{Csrf, Options};
pub use session::{Session, Status};
