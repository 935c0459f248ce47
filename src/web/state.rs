//! The session as the Rust driver shows it: [`AuthState`], with the token's claims read into
//! the caller's own type.

use alloc::string::{String, ToString};

use serde::de::DeserializeOwned;

use crate::core::{Error, Session, Status};

/// A snapshot of the session: what the JS API's `state` object says (`status`, `user`,
/// `expiresAt`, `error`), with the claims kept as the token's JSON text until
/// [`AuthState::user`] reads them into a type of the caller's.
///
/// # Example
/// ```no_run
/// # fn demo(auth: tokenrelay::web::AuthClient) {
/// use tokenrelay::web::Status;
/// let state = auth.state();
/// if state.status == Status::SignedOut {
///     let _why = state.error.as_ref().map(|e| e.code());
/// }
/// # }
/// ```
#[derive(Clone, PartialEq)]
pub struct AuthState {
    /// Where the session stands: `Unknown` until `start()` settles (and on a server render).
    pub status: Status,
    /// When the access token expires (epoch ms, on this tab's clock), if one is held.
    pub expires_at_ms: Option<f64>,
    /// Why the session ended or the last refresh failed, if it did.
    pub error: Option<Error>,
    /// Which revision of the session this is (grows with every change).
    pub revision: u64,
    /// The token's claims as JSON text (checked to be an object when the token was decoded).
    claims: Option<String>,
}

impl AuthState {
    /// The state of `session`.
    pub(crate) fn of(session: &Session) -> AuthState {
        let token = session.token();
        AuthState {
            status: session.status(),
            expires_at_ms: token.map(|t| t.expires_at_ms),
            error: session.error().cloned(),
            revision: session.revision(),
            claims: token.map(|t| t.payload.clone()),
        }
    }

    /// The state before anything is known (`Unknown`, no token): what a server render shows.
    ///
    /// # Example
    /// ```
    /// use tokenrelay::core::Status;
    /// use tokenrelay::web::AuthState;
    /// assert!(AuthState::unknown().status == Status::Unknown);
    /// ```
    pub fn unknown() -> AuthState {
        AuthState {
            status: Status::Unknown,
            expires_at_ms: None,
            error: None,
            revision: 0,
            claims: None,
        }
    }

    /// Whether a token is held (signed in, or signed in and refreshing).
    ///
    /// # Example
    /// ```
    /// assert!(!tokenrelay::web::AuthState::unknown().is_signed_in());
    /// ```
    pub fn is_signed_in(&self) -> bool {
        self.claims.is_some()
    }

    /// The token's claims read into `C`, from the object the browser's `JSON.parse` made of
    /// them (serde-wasm-bindgen: no JSON crate in the wasm); `None` without a token.
    ///
    /// # Errors
    /// `bad_token` when the claims do not fit `C` (the message says which field).
    ///
    /// # Example
    /// ```no_run
    /// # fn demo(auth: &tokenrelay::web::AuthClient) -> Result<(), tokenrelay::core::Error> {
    /// #[derive(serde::Deserialize)]
    /// struct User {
    ///     sub: String,
    ///     name: Option<String>,
    /// }
    /// if let Some(user) = auth.state().user::<User>()? {
    ///     let _who = user.name.unwrap_or(user.sub);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn user<C: DeserializeOwned>(&self) -> Result<Option<C>, Error> {
        let Some(json) = &self.claims else {
            return Ok(None);
        };
        let object = js_sys::JSON::parse(json)
            .map_err(|_| Error::BadToken("the claims are not JSON".into()))?;
        serde_wasm_bindgen::from_value(object)
            .map(Some)
            .map_err(|e| Error::BadToken(e.to_string()))
    }
}

impl core::fmt::Debug for AuthState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthState")
            .field("status", &self.status.as_str())
            .field("expires_at_ms", &self.expires_at_ms)
            .field("error", &self.error.as_ref().map(Error::code))
            .field("revision", &self.revision)
            .finish_non_exhaustive()
    }
}
