//! JWT payload decoding and skew-proof expiry maths.
//!
//! The client never checks the signature (it has no key; the server does). It only reads the
//! claims to know who is signed in and when to refresh.

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_compact::{Empty, UntrustedToken};

use super::error::Error;

/// An access token with what the client needs to know about it.
#[derive(Clone, PartialEq)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub struct Token {
    /// The compact JWT, as received.
    pub jwt: String,
    /// The payload as JSON text: all claims, `exp`/`iat`/`nbf` included. The browser layer
    /// hands it to `JSON.parse`, which is smaller there than a Rust JSON value type.
    pub payload: String,
    /// When the token expires, in epoch ms of the local clock.
    pub expires_at_ms: f64,
    /// How long the token lives in total, in ms.
    pub lifetime_ms: f64,
    /// When a tab of this browser received it from the server, in epoch ms of the local clock.
    /// Orders tokens across tabs: a larger value is a newer token.
    pub obtained_at_ms: f64,
}

impl Token {
    /// Decodes `jwt` received from the server at `received_at_ms` (local clock).
    ///
    /// When `iat` is present, the expiry is `received_at + (exp - iat)`, so a client clock that
    /// is hours off does not matter; otherwise `exp` is taken at face value.
    ///
    /// # Errors
    /// `bad_token` when `jwt` is not a compact JWT with a JSON payload and a numeric `exp`.
    pub fn decode(jwt: &str, received_at_ms: f64) -> Result<Self, Error> {
        let token = UntrustedToken::new(jwt).map_err(|_| bad("not a compact JWT"))?;
        let parsed = token
            .deserialize_claims_unchecked::<Empty>()
            .map_err(|_| bad("the payload is not a JSON claims object"))?;
        let exp_s = parsed
            .expiration
            .ok_or_else(|| bad("the token has no exp claim"))?
            .timestamp();
        let iat_s = parsed.issued_at.map(|t| t.timestamp());
        let (expires_at_ms, lifetime_ms) = expiry(exp_s, iat_s, received_at_ms)?;
        // jwt-compact has checked the payload is a JSON object; keep its text as is.
        let encoded = jwt.split('.').nth(1).unwrap_or_default();
        let payload = Base64UrlUnpadded::decode_vec(encoded)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| bad("not a compact JWT"))?;
        Ok(Self {
            jwt: jwt.to_owned(),
            payload,
            expires_at_ms,
            lifetime_ms,
            obtained_at_ms: received_at_ms,
        })
    }

    /// How long before expiry a refresh is due: `refresh_ahead_ms`, capped at half the
    /// token's lifetime so that short-lived tokens do not refresh on every call.
    pub fn refresh_margin_ms(&self, refresh_ahead_ms: f64) -> f64 {
        refresh_ahead_ms.min(self.lifetime_ms / 2.0).max(0.0)
    }

    /// The local time from which a refresh is due.
    pub fn refresh_due_at_ms(&self, refresh_ahead_ms: f64) -> f64 {
        self.expires_at_ms - self.refresh_margin_ms(refresh_ahead_ms)
    }

    /// Whether the token should be refreshed before it is used at `now_ms`.
    pub fn needs_refresh(&self, now_ms: f64, refresh_ahead_ms: f64) -> bool {
        now_ms >= self.refresh_due_at_ms(refresh_ahead_ms)
    }

    /// Whether the token has expired at `now_ms`.
    pub fn is_expired(&self, now_ms: f64) -> bool {
        now_ms >= self.expires_at_ms
    }

    /// Whether this token is newer than `other` (obtained later; ties broken by expiry).
    pub fn is_newer_than(&self, other: &Token) -> bool {
        (self.obtained_at_ms, self.expires_at_ms) > (other.obtained_at_ms, other.expires_at_ms)
    }
}

fn bad(why: &str) -> Error {
    Error::BadToken(why.to_owned())
}

/// `(expires_at_ms, lifetime_ms)` in local time for a token received at `received_at_ms`.
fn expiry(exp_s: i64, iat_s: Option<i64>, received_at_ms: f64) -> Result<(f64, f64), Error> {
    match iat_s {
        Some(iat) if exp_s <= iat => Err(bad("exp is not after iat")),
        Some(iat) => {
            let lifetime_ms = (exp_s - iat) as f64 * 1000.0;
            Ok((received_at_ms + lifetime_ms, lifetime_ms))
        }
        None => {
            let expires_at_ms = exp_s as f64 * 1000.0;
            Ok((expires_at_ms, (expires_at_ms - received_at_ms).max(0.0)))
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A compact JWT (unsigned, as the client never checks signatures) with `payload`.
    pub(crate) fn jwt(payload: &str) -> String {
        fn b64(bytes: &[u8]) -> String {
            const ABC: &[u8; 64] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk
                    .iter()
                    .enumerate()
                    .fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
                for i in 0..=chunk.len() {
                    out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
                }
            }
            out
        }
        format!(
            "{}.{}.{}",
            b64(br#"{"alg":"HS256","typ":"JWT"}"#),
            b64(payload.as_bytes()),
            b64(b"sig")
        )
    }

    #[test]
    fn decodes_claims_and_uses_iat_for_skew_proof_expiry() {
        // The server says: issued at 1000 s, lives 60 s. The client clock says 5,000,000 ms.
        let t = Token::decode(
            &jwt(r#"{"sub":"u1","email":"a@b.c","iat":1000,"exp":1060}"#),
            5_000_000.0,
        )
        .unwrap();
        assert_eq!(t.expires_at_ms, 5_060_000.0);
        assert_eq!(t.lifetime_ms, 60_000.0);
        let claims: serde_json::Value = serde_json::from_str(&t.payload).unwrap();
        assert_eq!(claims["sub"], "u1");
        assert_eq!(claims["email"], "a@b.c");
        assert_eq!(claims["exp"], 1060);
        assert_eq!(claims["iat"], 1000);
    }

    #[test]
    fn client_clock_hours_off_does_not_matter() {
        let token = jwt(r#"{"iat":1700000000,"exp":1700000300}"#);
        for skew_hours in [-12.0, -1.0, 0.0, 3.0, 24.0] {
            let now = 1_700_000_000_000.0 + skew_hours * 3_600_000.0;
            let t = Token::decode(&token, now).unwrap();
            assert_eq!(t.expires_at_ms - now, 300_000.0);
            assert!(!t.needs_refresh(now, 30_000.0));
            assert!(t.needs_refresh(now + 270_000.0, 30_000.0));
        }
    }

    #[test]
    fn without_iat_exp_is_taken_at_face_value() {
        let t = Token::decode(&jwt(r#"{"exp":2000}"#), 1_900_000.0).unwrap();
        assert_eq!(t.expires_at_ms, 2_000_000.0);
        assert_eq!(t.lifetime_ms, 100_000.0);
        assert_eq!(t.payload, r#"{"exp":2000}"#);
    }

    #[test]
    fn refresh_margin_is_capped_at_half_the_lifetime() {
        let t = Token::decode(&jwt(r#"{"iat":0,"exp":10}"#), 0.0).unwrap();
        assert_eq!(t.refresh_margin_ms(30_000.0), 5_000.0);
        assert!(!t.needs_refresh(4_999.0, 30_000.0));
        assert!(t.needs_refresh(5_000.0, 30_000.0));
        let long = Token::decode(&jwt(r#"{"iat":0,"exp":3600}"#), 0.0).unwrap();
        assert_eq!(long.refresh_margin_ms(30_000.0), 30_000.0);
        assert_eq!(long.refresh_due_at_ms(0.0), 3_600_000.0);
        assert!(long.is_expired(3_600_000.0));
    }

    #[test]
    fn malformed_tokens_are_bad_token_errors() {
        let cases = [
            "not.a.jwt".to_owned(),
            "".to_owned(),
            "abc".to_owned(),
            jwt("not json"),
            jwt(r#"["array"]"#),
            jwt(r#"{"sub":"no exp"}"#),
            jwt(r#"{"exp":"soon"}"#),
            jwt(r#"{"iat":100,"exp":100}"#),
        ];
        for token in cases {
            let err = Token::decode(&token, 0.0).unwrap_err();
            assert_eq!(err.code(), "bad_token", "{token}");
        }
    }

    #[test]
    fn newer_means_obtained_later() {
        let a = Token::decode(&jwt(r#"{"iat":0,"exp":60}"#), 1000.0).unwrap();
        let b = Token::decode(&jwt(r#"{"iat":0,"exp":60}"#), 2000.0).unwrap();
        assert!(b.is_newer_than(&a));
        assert!(!a.is_newer_than(&b));
        assert!(!a.is_newer_than(&a));
    }
}
