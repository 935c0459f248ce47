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
    pub obtained_at_ms: f64,
    /// Orders tokens across the tabs of this browser: a larger value is a newer token. It is
    /// `obtained_at_ms` unless the clock was set back, when it stays above every order seen
    /// (see [`next_order`]), so a new token is never taken for an old one.
    pub order_ms: f64,
}

/// What the client knows of the moment a token arrived.
#[derive(Clone, Copy, Default)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub struct Receipt {
    /// Epoch ms of the local clock at receipt.
    pub local_ms: f64,
    /// The server's clock at receipt, when the answer said it (its `Date` header).
    pub server_ms: Option<f64>,
}

/// The lifetime assumed for a token whose lifetime cannot be told: no `iat`, and an `exp`
/// that is already past (or nearly) by the best clock at hand. The server has just issued
/// it, so it is valid now; a clock that is off must not turn it into a refresh loop.
pub const ASSUMED_LIFETIME_MS: f64 = 60_000.0;

/// Shortest lifetime taken at face value when it is computed from `exp` alone (`exp` has a
/// resolution of one second, and a token that lives less is a clock problem).
pub const MIN_FACE_VALUE_LIFETIME_MS: f64 = 1_000.0;

/// The order of a token obtained at `now_ms` by a tab that has seen orders up to `floor_ms`:
/// the local time, or just above the floor when the clock was set back (a hybrid logical
/// clock), so tokens stay ordered by when they were issued whatever the clock does.
pub fn next_order(now_ms: f64, floor_ms: f64) -> f64 {
    if now_ms.floor() > floor_ms.floor() {
        now_ms
    } else {
        floor_ms.floor() + 1.0
    }
}

impl Token {
    /// Decodes `jwt` received from the server at `received_at_ms` (local clock), with no
    /// word of the server's clock. See [`Token::decode_at`].
    ///
    /// # Errors
    /// `bad_token` when `jwt` is not a compact JWT with a JSON payload and a numeric `exp`.
    pub fn decode(jwt: &str, received_at_ms: f64) -> Result<Self, Error> {
        Self::decode_at(
            jwt,
            Receipt {
                local_ms: received_at_ms,
                server_ms: None,
            },
        )
    }

    /// Decodes `jwt` received as `receipt` says.
    ///
    /// The lifetime is `exp - iat` when `iat` is present, else `exp` minus the server's clock
    /// at receipt when known, else `exp` minus the local clock. The expiry is the local time
    /// of receipt plus that lifetime, so a client clock that is hours off does not matter.
    /// A lifetime that comes out under [`MIN_FACE_VALUE_LIFETIME_MS`] without `iat` is a clock
    /// problem, not an expired token: [`ASSUMED_LIFETIME_MS`] is used instead.
    ///
    /// # Errors
    /// `bad_token` when `jwt` is not a compact JWT with a JSON payload and a numeric `exp`.
    pub fn decode_at(jwt: &str, receipt: Receipt) -> Result<Self, Error> {
        let received_at_ms = receipt.local_ms;
        let token = UntrustedToken::new(jwt).map_err(|_| bad("not a compact JWT"))?;
        let parsed = token
            .deserialize_claims_unchecked::<Empty>()
            .map_err(|_| bad("the payload is not a JSON claims object"))?;
        let exp_s = parsed
            .expiration
            .ok_or_else(|| bad("the token has no exp claim"))?
            .timestamp();
        let iat_s = parsed.issued_at.map(|t| t.timestamp());
        let lifetime_ms = lifetime(exp_s, iat_s, receipt)?;
        // jwt-compact has checked the payload is a JSON object; keep its text as is.
        let encoded = jwt.split('.').nth(1).unwrap_or_default();
        let payload = Base64UrlUnpadded::decode_vec(encoded)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| bad("not a compact JWT"))?;
        Ok(Self {
            jwt: jwt.to_owned(),
            payload,
            expires_at_ms: received_at_ms + lifetime_ms,
            lifetime_ms,
            obtained_at_ms: received_at_ms,
            order_ms: received_at_ms,
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

    /// Whether this token is newer than `other` (a larger order; ties broken by expiry).
    pub fn is_newer_than(&self, other: &Token) -> bool {
        (self.order_ms, self.expires_at_ms) > (other.order_ms, other.expires_at_ms)
    }

    /// This token as another tab described it: received at `obtained_at_ms`, expiring at
    /// `expires_at_ms` (when said, and after receipt) and ordered at `order_ms` (when said,
    /// and not before receipt). Keeps the sender's view of the server's clock.
    pub fn as_described(mut self, expires_at_ms: Option<f64>, order_ms: Option<f64>) -> Self {
        if let Some(at) = expires_at_ms.filter(|at| *at > self.obtained_at_ms) {
            self.expires_at_ms = at;
            self.lifetime_ms = at - self.obtained_at_ms;
        }
        if let Some(order) = order_ms.filter(|o| *o >= self.obtained_at_ms) {
            self.order_ms = order;
        }
        self
    }
}

fn bad(why: &str) -> Error {
    Error::BadToken(why.to_owned())
}

/// The lifetime in ms of a token with claims `exp_s` and `iat_s` received as `receipt` says.
pub fn lifetime(exp_s: i64, iat_s: Option<i64>, receipt: Receipt) -> Result<f64, Error> {
    match iat_s {
        Some(iat) if exp_s <= iat => Err(bad("exp is not after iat")),
        Some(iat) => Ok(exp_s.saturating_sub(iat) as f64 * 1000.0),
        None => {
            let server_now_ms = receipt.server_ms.unwrap_or(receipt.local_ms);
            let face_value = exp_s as f64 * 1000.0 - server_now_ms;
            Ok(if face_value >= MIN_FACE_VALUE_LIFETIME_MS {
                face_value
            } else {
                ASSUMED_LIFETIME_MS
            })
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
    fn without_iat_the_servers_clock_gives_the_lifetime() {
        // The client clock is 2 h fast; the server's Date says it is 1,900 s.
        let receipt = Receipt {
            local_ms: 1_900_000.0 + 7_200_000.0,
            server_ms: Some(1_900_000.0),
        };
        let t = Token::decode_at(&jwt(r#"{"exp":2000}"#), receipt).unwrap();
        assert_eq!(t.lifetime_ms, 100_000.0);
        assert_eq!(t.expires_at_ms, receipt.local_ms + 100_000.0);
        assert!(!t.needs_refresh(receipt.local_ms, 30_000.0));
    }

    #[test]
    fn a_token_due_on_arrival_is_a_clock_problem_not_a_reason_to_refresh() {
        // No iat, no Date, and a client clock 2 h fast: exp is long past by the local clock.
        for now in [2_000_000.0 + 7_200_000.0, 2_000_000.0, 1_999_500.0] {
            let t = Token::decode(&jwt(r#"{"exp":2000}"#), now).unwrap();
            assert_eq!(t.lifetime_ms, ASSUMED_LIFETIME_MS, "{now}");
            assert!(!t.is_expired(now));
            assert!(!t.needs_refresh(now, 30_000.0));
            assert!(t.refresh_due_at_ms(30_000.0) >= now + ASSUMED_LIFETIME_MS / 2.0);
        }
    }

    #[test]
    fn no_decodable_token_is_ever_due_on_arrival() {
        for payload in [
            r#"{"exp":1}"#,
            r#"{"exp":0}"#,
            r#"{"iat":0,"exp":1}"#,
            r#"{"iat":-5,"exp":9999999999}"#,
            r#"{"exp":1000000}"#,
        ] {
            for now in [0.0, 1e12, 1.7e12, 4e12] {
                for server_ms in [None, Some(0.0), Some(1.7e12)] {
                    let receipt = Receipt {
                        local_ms: now,
                        server_ms,
                    };
                    if let Ok(t) = Token::decode_at(&jwt(payload), receipt) {
                        assert!(!t.needs_refresh(now, 30_000.0), "{payload} {now}");
                        assert!(t.refresh_due_at_ms(30_000.0) - now >= 500.0);
                    }
                }
            }
        }
    }

    #[test]
    fn order_follows_the_clock_and_never_goes_back() {
        assert_eq!(next_order(5_000.5, 1_000.0), 5_000.5);
        // The clock was set back 2 h: the next token is still ordered after the last one.
        assert_eq!(next_order(1_000.0, 7_201_000.7), 7_201_001.0);
        assert_eq!(next_order(7_201_000.9, 7_201_000.2), 7_201_001.0);
    }

    #[test]
    fn a_peers_description_keeps_its_expiry_and_order() {
        let t = Token::decode(&jwt(r#"{"exp":2000}"#), 1_000_000.0).unwrap();
        let described = t.clone().as_described(Some(1_050_000.0), Some(9e12));
        assert_eq!(described.expires_at_ms, 1_050_000.0);
        assert_eq!(described.lifetime_ms, 50_000.0);
        assert_eq!(described.order_ms, 9e12);
        // Nonsense is ignored: an expiry before receipt, an order before receipt.
        let ignored = t.clone().as_described(Some(5.0), Some(5.0));
        assert_eq!(ignored, t);
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
