//! The one error type of tokenrelay, with stable codes that JS code can switch on.

use std::fmt;

use super::text::decimal;

/// Everything that can go wrong in tokenrelay.
///
/// Each variant has a stable snake_case [`code`](Error::code) that crosses into JS as the
/// `code` property of a `TokenRelayError`.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
#[non_exhaustive]
pub enum Error {
    /// An option is missing, of the wrong type or out of range; the message names it.
    Config(String),
    /// The request never got an HTTP answer: offline, DNS, CORS refusal, timeout, abort.
    Network(String),
    /// The server answered 5xx or 429 (or another status that is not the client's fault).
    Server(u16),
    /// The login was refused (wrong credentials or a rejected body).
    Unauthorized(u16),
    /// The refresh token was rejected (401/403): the session is over.
    SessionExpired,
    /// The server's answer is not JSON or lacks the token field.
    BadResponse(String),
    /// The token is not a decodable JWT with an `exp` claim.
    BadToken(String),
    /// The client was disposed.
    Disposed,
    /// There is no session to take a token from.
    NotSignedIn,
}

impl Error {
    /// The stable code of this error, e.g. `"session_expired"`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Config(_) => "config",
            Error::Network(_) => "network",
            Error::Server(_) => "server",
            Error::Unauthorized(_) => "unauthorized",
            Error::SessionExpired => "session_expired",
            Error::BadResponse(_) => "bad_response",
            Error::BadToken(_) => "bad_token",
            Error::Disposed => "disposed",
            Error::NotSignedIn => "not_signed_in",
        }
    }

    /// Whether a later attempt may succeed (network trouble or an overloaded server).
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Network(_) | Error::Server(_))
    }
}

impl Error {
    /// The human message, e.g. `"server error: HTTP 503"` (what `Display` writes; built
    /// without `core::fmt`, which the wasm build would pay for).
    pub fn message(&self) -> String {
        let status;
        let (what, detail) = match self {
            Error::Config(m) => ("invalid options: ", m.as_str()),
            Error::Network(m) => ("network error: ", m.as_str()),
            Error::Server(s) => {
                status = decimal((*s).into());
                ("server error: HTTP ", status.as_str())
            }
            Error::Unauthorized(s) => {
                status = decimal((*s).into());
                ("login refused: HTTP ", status.as_str())
            }
            Error::SessionExpired => ("session expired: the refresh token was rejected", ""),
            Error::BadResponse(m) => ("bad response: ", m.as_str()),
            Error::BadToken(m) => ("bad token: ", m.as_str()),
            Error::Disposed => ("the client was disposed", ""),
            Error::NotSignedIn => ("not signed in", ""),
        };
        [what, detail].concat()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// The wasm build carries no derived `Debug` (it costs size); the code says enough.
#[cfg(all(not(test), target_arch = "wasm32"))]
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_snake_case() {
        let all = [
            (Error::Config("apiBase".into()), "config"),
            (Error::Network("offline".into()), "network"),
            (Error::Server(503), "server"),
            (Error::Unauthorized(401), "unauthorized"),
            (Error::SessionExpired, "session_expired"),
            (Error::BadResponse("x".into()), "bad_response"),
            (Error::BadToken("x".into()), "bad_token"),
            (Error::Disposed, "disposed"),
            (Error::NotSignedIn, "not_signed_in"),
        ];
        for (err, code) in all {
            assert_eq!(err.code(), code);
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn only_network_and_server_errors_are_transient() {
        assert!(Error::Network("t".into()).is_transient());
        assert!(Error::Server(502).is_transient());
        assert!(!Error::SessionExpired.is_transient());
        assert!(!Error::BadToken("t".into()).is_transient());
    }

    #[test]
    fn config_message_names_the_option() {
        let msg = Error::Config("apiBase must be an absolute http(s) URL".into()).to_string();
        assert!(msg.contains("apiBase"), "{msg}");
    }
}
