//! The pure core of tokenrelay: no browser API, checked on the host with `cargo test`.
//!
//! Everything that decides something lives here (option validation, claims and expiry maths,
//! the session state machine, the cross-tab protocol and its decisions, the cooldown cookie);
//! the browser layer only carries values in and out.

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
