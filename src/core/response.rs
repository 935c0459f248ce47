//! What an HTTP status from an auth call means for the session.

use super::error::Error;

/// Which auth call answered.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub enum AuthCall {
    /// `POST loginPath`.
    Login,
    /// `POST refreshPath`.
    Refresh,
    /// `POST logoutPath`.
    Logout,
}

/// Maps a non-2xx status of an auth call to its error.
///
/// Login: 400, 401, 403 and 422 mean the credentials or body were refused (`unauthorized`).
/// Refresh: 401 and 403 mean the refresh token is dead (`session_expired`). Anything else
/// (5xx, 429, odd statuses) is the server's trouble (`server`): not a sign-out.
pub fn classify_failure(call: AuthCall, status: u16) -> Error {
    match (call, status) {
        (AuthCall::Login, 400 | 401 | 403 | 422) => Error::Unauthorized(status),
        (AuthCall::Refresh, 401 | 403) => Error::SessionExpired,
        _ => Error::Server(status),
    }
}

/// Whether an HTTP status is a success.
pub fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_login_is_unauthorized() {
        for s in [400, 401, 403, 422] {
            assert_eq!(
                classify_failure(AuthCall::Login, s).code(),
                "unauthorized",
                "{s}"
            );
        }
    }

    #[test]
    fn only_401_and_403_end_the_session_on_refresh() {
        assert_eq!(
            classify_failure(AuthCall::Refresh, 401),
            Error::SessionExpired
        );
        assert_eq!(
            classify_failure(AuthCall::Refresh, 403),
            Error::SessionExpired
        );
        for s in [400, 404, 429, 500, 502, 503] {
            let e = classify_failure(AuthCall::Refresh, s);
            assert_eq!(e.code(), "server", "{s}");
            assert!(e.is_transient());
        }
    }

    #[test]
    fn server_trouble_on_login_is_not_a_refusal() {
        assert_eq!(classify_failure(AuthCall::Login, 503), Error::Server(503));
        assert_eq!(classify_failure(AuthCall::Logout, 401), Error::Server(401));
    }

    #[test]
    fn success_range() {
        assert!(is_success(200) && is_success(204) && !is_success(199) && !is_success(301));
    }
}
