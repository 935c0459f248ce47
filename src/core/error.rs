//! The one error type of tokenrelay, with stable codes that JS code can switch on.
use alloc::{borrow::ToOwned, string::String};

use core::fmt;

use super::text::{concat, decimal};

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
    /// The session is over: its token expired with no refresh, or another tab's refresh was
    /// refused (code `session_expired`, no status).
    SessionExpired,
    /// The refresh was refused with this 4xx status (not 408 or 429): the session is over
    /// (code `session_expired`, with `status`). `true`: the API is on another site than the
    /// page, so the message adds that the browser may have dropped the refresh cookie.
    RefreshRefused(u16, bool),
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
            Error::SessionExpired | Error::RefreshRefused(..) => "session_expired",
            Error::BadResponse(_) => "bad_response",
            Error::BadToken(_) => "bad_token",
            Error::Disposed => "disposed",
            Error::NotSignedIn => "not_signed_in",
        }
    }

    /// The HTTP status the error carries (`server`, `unauthorized`, and `session_expired` from
    /// a refused refresh).
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Server(s) | Error::Unauthorized(s) | Error::RefreshRefused(s, _) => Some(*s),
            _ => None,
        }
    }

    /// Whether a later attempt may succeed (network trouble or an overloaded server).
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Network(_) | Error::Server(_))
    }
}

impl Error {
    /// The fixed start of [`Error::message`].
    fn prefix(&self) -> &'static str {
        match self {
            Error::Config(_) => "invalid options: ",
            Error::Network(_) => "network error: ",
            Error::Server(_) => "server error: HTTP ",
            Error::Unauthorized(_) => "login refused: HTTP ",
            Error::SessionExpired => "session expired: the refresh token was rejected",
            Error::RefreshRefused(..) => "session expired: the refresh was refused with HTTP ",
            Error::BadResponse(_) => "bad response: ",
            Error::BadToken(_) => "bad token: ",
            Error::Disposed => "the client was disposed",
            Error::NotSignedIn => "not signed in",
        }
    }

    /// The human message, e.g. `"server error: HTTP 503"` (what `Display` writes; built
    /// without `core::fmt`, which the wasm build would pay for): the prefix, then the detail
    /// or the status.
    pub fn message(&self) -> String {
        let status;
        let rest = match self {
            Error::Config(m) | Error::Network(m) | Error::BadResponse(m) | Error::BadToken(m) => m,
            Error::Server(s) | Error::Unauthorized(s) | Error::RefreshRefused(s, _) => {
                status = decimal((*s).into());
                &status
            }
            _ => "",
        };
        let hint = match self {
            Error::RefreshRefused(_, true) => CROSS_SITE_HINT,
            _ => "",
        };
        concat(&[self.prefix(), rest, hint])
    }

    /// The error of `code` with `detail` (the message of a `config`, `network`,
    /// `bad_response` or `bad_token` error) or HTTP `status` (`server`, `unauthorized`,
    /// `session_expired`: none for a session that ended elsewhere; a `detail` that ends with
    /// the cross-site hint keeps it). `None` for an unknown code.
    pub fn from_parts(code: &str, detail: &str, status: u16) -> Option<Error> {
        let detail = detail.to_owned();
        Some(match code {
            "config" => Error::Config(detail),
            "network" => Error::Network(detail),
            "server" => Error::Server(status),
            "unauthorized" => Error::Unauthorized(status),
            "session_expired" if status == 0 => Error::SessionExpired,
            "session_expired" => Error::RefreshRefused(status, detail.ends_with(CROSS_SITE_HINT)),
            "bad_response" => Error::BadResponse(detail),
            "bad_token" => Error::BadToken(detail),
            "disposed" => Error::Disposed,
            "not_signed_in" => Error::NotSignedIn,
            _ => return None,
        })
    }

    /// The error whose [`code`](Error::code), [`message`](Error::message) and status are
    /// given: the inverse of those three, for an error that went out to JS and comes back.
    pub fn from_view(code: &str, message: &str, status: u16) -> Option<Error> {
        let probe = Error::from_parts(code, "", status)?;
        let detail = message.strip_prefix(probe.prefix()).unwrap_or(message);
        Error::from_parts(code, detail, status)
    }
}

/// What a refused refresh adds to its message when the API is on another site than the page.
pub const CROSS_SITE_HINT: &str =
    " (the API is on another site: Safari and third-party cookie blocking drop its cookie; README: Cookies across sites)";

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

impl core::error::Error for Error {}

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
            (Error::RefreshRefused(400, false), "session_expired"),
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
    fn an_error_comes_back_from_its_code_message_and_status() {
        let all = [
            Error::Config("apiBase must be a string".into()),
            Error::Network("Failed to fetch".into()),
            Error::Server(503),
            Error::Unauthorized(401),
            Error::SessionExpired,
            Error::RefreshRefused(400, false),
            Error::RefreshRefused(401, true),
            Error::BadResponse("the response body is not JSON".into()),
            Error::BadToken("bad token: nested".into()),
            Error::Disposed,
            Error::NotSignedIn,
        ];
        for err in all {
            let status = err.status().unwrap_or(0);
            assert_eq!(
                Error::from_view(err.code(), &err.message(), status),
                Some(err.clone())
            );
        }
        assert_eq!(Error::from_view("nope", "x", 0), None);
    }

    #[test]
    fn only_network_and_server_errors_are_transient() {
        assert!(Error::Network("t".into()).is_transient());
        assert!(Error::Server(502).is_transient());
        assert!(!Error::SessionExpired.is_transient());
        assert!(!Error::BadToken("t".into()).is_transient());
    }

    #[test]
    fn a_refused_refresh_says_its_status_and_the_cross_site_hint_when_set() {
        let plain = Error::RefreshRefused(400, false);
        assert_eq!(
            plain.message(),
            "session expired: the refresh was refused with HTTP 400"
        );
        assert_eq!(plain.status(), Some(400));
        let cross = Error::RefreshRefused(401, true).message();
        assert!(cross.ends_with(CROSS_SITE_HINT), "{cross}");
        assert!(
            cross.contains("HTTP 401") && cross.contains("Safari"),
            "{cross}"
        );
        assert_eq!(Error::SessionExpired.status(), None);
    }

    #[test]
    fn config_message_names_the_option() {
        let msg = Error::Config("apiBase must be an absolute http(s) URL".into()).to_string();
        assert!(msg.contains("apiBase"), "{msg}");
    }
}
