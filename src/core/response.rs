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
/// Refresh: any 4xx but 408 and 429 means the server will not refresh this session (no cookie,
/// a dead or reused refresh token: `session_expired` with the status), so asking again cannot
/// help. Anything else (5xx, 408, 429, odd statuses) is the server's trouble (`server`): not a
/// sign-out.
pub fn classify_failure(call: AuthCall, status: u16) -> Error {
    match (call, status) {
        (AuthCall::Login, 400 | 401 | 403 | 422) => Error::Unauthorized(status),
        (AuthCall::Refresh, 400..=499) if status != 408 && status != 429 => {
            Error::RefreshRefused(status, false)
        }
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
    fn a_refresh_refused_with_a_4xx_ends_the_session_but_408_and_429_are_retried() {
        for s in [400, 401, 403, 404, 422] {
            assert_eq!(
                classify_failure(AuthCall::Refresh, s),
                Error::RefreshRefused(s, false),
                "{s}"
            );
        }
        for s in [408, 429, 500, 502, 503, 302] {
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
