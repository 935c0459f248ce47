//! The session state machine: status, current token and last error.

use super::claims::Token;
use super::error::Error;

/// Where the session stands, as the JS `state.status` string.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub enum Status {
    /// `start()` has not settled yet.
    Unknown,
    /// No session.
    SignedOut,
    /// A token is held.
    SignedIn,
    /// A refresh request is under way.
    Refreshing,
}

impl Status {
    /// The JS spelling: `"unknown"`, `"signedOut"`, `"signedIn"`, `"refreshing"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::SignedOut => "signedOut",
            Status::SignedIn => "signedIn",
            Status::Refreshing => "refreshing",
        }
    }
}

/// The session of one tab. Every mutator returns whether the visible state changed, so the
/// caller emits exactly one event per change.
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub struct Session {
    status: Status,
    settled_status: Status,
    token: Option<Token>,
    error: Option<Error>,
    revision: u64,
    /// The order of the token dropped at the last sign-out: a token handed over later that
    /// is not newer belongs to the ended session (a message delayed in the channel).
    ended: Option<Token>,
}

impl Default for Session {
    fn default() -> Self {
        Self {
            status: Status::Unknown,
            settled_status: Status::Unknown,
            token: None,
            error: None,
            revision: 0,
            ended: None,
        }
    }
}

impl Session {
    /// The current status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The current token, if any.
    pub fn token(&self) -> Option<&Token> {
        self.token.as_ref()
    }

    /// The last failure, cleared by the next success.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// Grows by one on every visible change; lets the JS state object be cached.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// A refresh request starts: status `refreshing`, the token is kept.
    pub fn begin_refresh(&mut self) -> bool {
        if self.status == Status::Refreshing {
            return false;
        }
        self.settled_status = self.status;
        self.status = Status::Refreshing;
        self.bump()
    }

    /// A token was received from the server (login or refresh): status `signedIn`.
    pub fn signed_in(&mut self, token: Token) -> bool {
        self.status = Status::SignedIn;
        self.token = Some(token);
        self.error = None;
        self.bump()
    }

    /// Another tab handed over `token`. Taken only when it is newer than the one held, or,
    /// after a sign-out, newer than the one dropped or of a later session epoch (a new login,
    /// whatever the clocks said), and not expired at `now_ms`; returns whether it was taken.
    pub fn adopt(&mut self, token: Token, now_ms: f64) -> bool {
        let older = match (&self.token, &self.ended) {
            (Some(held), _) => !token.is_newer_than(held),
            (None, Some(ended)) => !token.is_newer_than(ended) && token.epoch_ms <= ended.epoch_ms,
            (None, None) => false,
        };
        if token.is_expired(now_ms) || older {
            return false;
        }
        self.signed_in(token)
    }

    /// The session is over (logout, or the refresh token was rejected): the token is dropped.
    pub fn signed_out(&mut self, error: Option<Error>) -> bool {
        if self.status == Status::SignedOut && self.token.is_none() && self.error == error {
            return false;
        }
        self.status = Status::SignedOut;
        if let Some(dropped) = self.token.take() {
            self.ended = Some(dropped);
        }
        self.error = error;
        self.bump()
    }

    /// A call failed without ending the session: the token and status are kept (a
    /// `refreshing` status returns to what it was) and `error` is reported.
    pub fn failed(&mut self, error: Error) -> bool {
        self.settle();
        self.error = Some(error);
        self.bump()
    }

    /// A refresh ended without a token of its own (e.g. a peer's token was adopted): a
    /// `refreshing` status returns to what it was.
    pub fn end_refresh(&mut self) -> bool {
        if self.status != Status::Refreshing {
            return false;
        }
        self.settle();
        self.bump()
    }

    fn settle(&mut self) {
        if self.status == Status::Refreshing {
            self.status = if self.token.is_some() {
                Status::SignedIn
            } else {
                self.settled_status
            };
        }
    }

    fn bump(&mut self) -> bool {
        self.revision += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::claims::tests::jwt;

    fn token(obtained_at: f64) -> Token {
        Token::decode(&jwt(r#"{"sub":"u","iat":0,"exp":60}"#), obtained_at).unwrap()
    }

    #[test]
    fn starts_unknown_and_signs_in() {
        let mut s = Session::default();
        assert_eq!(s.status(), Status::Unknown);
        assert!(s.signed_in(token(0.0)));
        assert_eq!(s.status().as_str(), "signedIn");
        assert!(s.token().is_some());
        assert_eq!(s.revision(), 1);
    }

    #[test]
    fn refreshing_keeps_the_token_and_a_transient_failure_restores_status() {
        let mut s = Session::default();
        s.signed_in(token(0.0));
        assert!(s.begin_refresh());
        assert!(!s.begin_refresh(), "already refreshing: no second event");
        assert_eq!(s.status(), Status::Refreshing);
        assert!(s.token().is_some());
        s.failed(Error::Network("offline".into()));
        assert_eq!(s.status(), Status::SignedIn);
        assert_eq!(s.error().map(Error::code), Some("network"));
        s.signed_in(token(1.0));
        assert!(s.error().is_none(), "success clears the error");
    }

    #[test]
    fn failure_during_restore_returns_to_unknown_not_signed_out() {
        let mut s = Session::default();
        s.begin_refresh();
        s.failed(Error::Server(503));
        assert_eq!(s.status(), Status::Unknown);
    }

    #[test]
    fn session_expired_drops_the_token() {
        let mut s = Session::default();
        s.signed_in(token(0.0));
        assert!(s.signed_out(Some(Error::SessionExpired)));
        assert_eq!(s.status(), Status::SignedOut);
        assert!(s.token().is_none());
        assert_eq!(s.error().map(Error::code), Some("session_expired"));
        assert!(
            !s.signed_out(Some(Error::SessionExpired)),
            "no duplicate event"
        );
    }

    #[test]
    fn a_token_of_the_ended_session_is_not_adopted_after_a_sign_out() {
        let mut s = Session::default();
        s.signed_in(token(2_000.0));
        assert!(s.signed_out(None));
        assert!(
            !s.adopt(token(1_000.0), 1_500.0),
            "older than the dropped token"
        );
        assert!(
            !s.adopt(token(2_000.0), 2_500.0),
            "the dropped token itself"
        );
        assert!(s.adopt(token(3_000.0), 3_500.0), "a newer session's token");
    }

    #[test]
    fn adopts_only_newer_unexpired_tokens() {
        let mut s = Session::default();
        assert!(s.adopt(token(1000.0), 1000.0));
        assert!(!s.adopt(token(500.0), 1000.0), "older");
        assert!(!s.adopt(token(1000.0), 1000.0), "same");
        assert!(!s.adopt(token(2000.0), 62_000.0), "expired on arrival");
        assert!(s.adopt(token(2000.0), 2000.0));
        assert_eq!(s.token().unwrap().obtained_at_ms, 2000.0);
    }

    #[test]
    fn adoption_during_refresh_ends_in_signed_in() {
        let mut s = Session::default();
        s.begin_refresh();
        assert!(s.adopt(token(10.0), 10.0));
        assert_eq!(s.status(), Status::SignedIn);
        assert!(!s.end_refresh());
    }
}
