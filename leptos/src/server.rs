//! The session types on a server render (any target but `wasm32`): no browser, no session, so
//! the state is always `Unknown`. The same fields and methods as the browser's, so a
//! component compiles for both.

use serde::de::DeserializeOwned;

use crate::{Error, Status};

/// The session on a server: always [`Status::Unknown`] (see `tokenrelay::web::AuthState`).
#[derive(Clone, Debug, PartialEq)]
pub struct AuthState {
    /// Always `Unknown` on a server.
    pub status: Status,
    /// Always `None` on a server.
    pub expires_at_ms: Option<f64>,
    /// Always `None` on a server.
    pub error: Option<Error>,
    /// Always 0 on a server.
    pub revision: u64,
}

impl AuthState {
    /// The state before anything is known.
    ///
    /// # Example
    /// ```
    /// let state = tokenrelay_leptos::AuthState::unknown();
    /// assert_eq!(state.status, tokenrelay_leptos::Status::Unknown);
    /// ```
    pub fn unknown() -> AuthState {
        AuthState {
            status: Status::Unknown,
            expires_at_ms: None,
            error: None,
            revision: 0,
        }
    }

    /// Always false on a server.
    ///
    /// # Example
    /// ```
    /// assert!(!tokenrelay_leptos::AuthState::unknown().is_signed_in());
    /// ```
    pub fn is_signed_in(&self) -> bool {
        false
    }

    /// Always `Ok(None)` on a server.
    ///
    /// # Errors
    /// None on a server.
    ///
    /// # Example
    /// ```
    /// let user = tokenrelay_leptos::AuthState::unknown().user::<String>();
    /// assert_eq!(user, Ok(None));
    /// ```
    pub fn user<C: DeserializeOwned>(&self) -> Result<Option<C>, Error> {
        Ok(None)
    }
}

/// What a logout came to (a server never logs out).
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedOut {
    /// The state after the logout.
    pub state: AuthState,
    /// Whether the server confirmed it.
    pub confirmed: bool,
}
