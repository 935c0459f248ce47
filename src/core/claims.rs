//! JWT structure checks and skew-proof expiry maths.
//!
//! The client never checks the signature (it has no key; the server does). It only reads the
//! claims to know who is signed in and when to refresh. The JSON of the header and the payload
//! is parsed by the browser's own `JSON.parse` (`Token::decode` in the web layer); this module
//! splits the token and decodes its base64url parts, and checks and uses the fields that parser found.
use super::float::{floor, trunc};
use alloc::{borrow::ToOwned, string::String};

use super::base64url;
use super::error::Error;
use super::text::{concat, split, utf8};

/// The largest NumericDate accepted, in seconds since the epoch: the last instant a JS `Date`
/// can hold (8.64e15 ms, in the year 275760). A larger value is not a time.
pub const MAX_NUMERIC_DATE_S: f64 = 8.64e12;

/// A compact JWT split at its dots, with the header and payload base64url-decoded to text
/// (not yet parsed as JSON).
#[derive(Clone, PartialEq)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub struct Parts {
    /// The header's JSON text.
    pub header: String,
    /// The payload's JSON text: all claims.
    pub payload: String,
}

impl Parts {
    /// Splits `jwt` into its three parts and decodes them (the signature only to check it is
    /// base64url: the client never verifies it).
    ///
    /// # Errors
    /// `bad_token` when `jwt` does not have exactly three parts, a part is not unpadded
    /// base64url, or the header or payload is not UTF-8.
    pub fn split(jwt: &str) -> Result<Self, Error> {
        let mut parts = split(jwt, b'.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("not a compact JWT"));
        };
        if base64url::decode(signature).is_none() {
            return Err(bad("the signature is not base64url"));
        }
        Ok(Self {
            header: text(header).ok_or_else(|| bad("the header is not base64url text"))?,
            payload: text(payload).ok_or_else(|| bad("the payload is not base64url text"))?,
        })
    }
}

fn text(encoded: &str) -> Option<String> {
    utf8(&base64url::decode(encoded)?)
}

/// A JSON parser as token decoding needs it: text to an object (`None` for anything else),
/// and an object's members as [`Field`]s.
pub trait JsonReader {
    /// A parsed JSON object.
    type Object;
    /// `text` parsed as JSON, when it is an object (not an array, not `null`).
    fn object(text: &str) -> Option<Self::Object>;
    /// The member `key` of `object`.
    fn field(object: &Self::Object, key: &str) -> Field;
}

/// A member of a JSON object as the JSON parser found it.
#[derive(Clone, PartialEq)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub enum Field {
    /// The object has no such member.
    Absent,
    /// A JSON number (`JSON.parse` turns one too large for an `f64` into infinity).
    Number(f64),
    /// A JSON string.
    Text(String),
    /// `null`, a boolean, an array or an object.
    Other,
}

/// The fields the client reads of a token: `alg` and `cty` of the header, `exp`, `iat` and
/// `nbf` of the claims. Both parts were found to be JSON objects.
#[derive(Clone, PartialEq)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub struct Fields {
    /// The header's `alg`: required, a string.
    pub alg: Field,
    /// The header's `cty`: absent or `"JSON"` (any case).
    pub cty: Field,
    /// The expiry: required, a NumericDate.
    pub exp: Field,
    /// The issue time: optional, a NumericDate before `exp`.
    pub iat: Field,
    /// The start of validity: optional, a NumericDate.
    pub nbf: Field,
}

/// An access token with what the client needs to know about it.
#[derive(Clone, PartialEq)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub struct Token {
    /// The compact JWT, as received.
    pub jwt: String,
    /// The payload as JSON text: all claims, `exp`/`iat`/`nbf` included. The browser layer
    /// hands it to `JSON.parse` for `state.user`.
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
    /// The session epoch it belongs to: the login it descends from, or a later login or
    /// logout its tab knew of when it was obtained (0 until the machine sets it).
    pub epoch_ms: f64,
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
    if floor(now_ms) > floor(floor_ms) {
        now_ms
    } else {
        floor(floor_ms) + 1.0
    }
}

impl Token {
    /// Decodes `jwt` received from the server at `received_at_ms` (local clock), with no
    /// word of the server's clock. See `Token::decode_at` (the browser's `JSON.parse` in
    /// the wasm, serde_json on the host).
    ///
    /// # Errors
    /// `bad_token`, as `Token::decode_at`.
    pub fn decode(jwt: &str, received_at_ms: f64) -> Result<Self, Error> {
        Self::decode_at(
            jwt,
            Receipt {
                local_ms: received_at_ms,
                server_ms: None,
            },
        )
    }

    /// Decodes `jwt` received as `receipt` says, reading its JSON with `R`: the core splits
    /// it and decodes its base64url parts, `R` reads the header and the claims, and the core
    /// checks the fields and does the expiry maths ([`Token::from_fields`]).
    ///
    /// # Errors
    /// `bad_token` when `jwt` is not a compact JWT whose header and payload are JSON objects
    /// with a string `alg` and a NumericDate `exp` (after `iat`, when present).
    pub fn decode_with<R: JsonReader>(jwt: &str, receipt: Receipt) -> Result<Self, Error> {
        let parts = Parts::split(jwt)?;
        let header =
            R::object(&parts.header).ok_or_else(|| bad("the header is not a JSON object"))?;
        let claims =
            R::object(&parts.payload).ok_or_else(|| bad("the payload is not a JSON object"))?;
        let fields = Fields {
            alg: R::field(&header, "alg"),
            cty: R::field(&header, "cty"),
            exp: R::field(&claims, "exp"),
            iat: R::field(&claims, "iat"),
            nbf: R::field(&claims, "nbf"),
        };
        Token::from_fields(jwt, parts.payload, &fields, receipt)
    }

    /// The token `jwt` with payload text `payload` and the `fields` a JSON parser read from
    /// its parts, received as `receipt` says.
    ///
    /// The lifetime is `exp - iat` when `iat` is present, else `exp` minus the server's clock
    /// at receipt when known, else `exp` minus the local clock. The expiry is the local time
    /// of receipt plus that lifetime, so a client clock that is hours off does not matter.
    /// A lifetime that comes out under [`MIN_FACE_VALUE_LIFETIME_MS`] without `iat` is a clock
    /// problem, not an expired token: [`ASSUMED_LIFETIME_MS`] is used instead. NumericDates
    /// count whole seconds (a fraction is dropped, as jwt-compact did).
    ///
    /// # Errors
    /// `bad_token` when `alg` is not a string, `cty` is not JSON, `exp` is missing, a time is
    /// not a number or not between 0 and [`MAX_NUMERIC_DATE_S`], or `exp` is not after `iat`.
    pub fn from_fields(
        jwt: &str,
        payload: String,
        fields: &Fields,
        receipt: Receipt,
    ) -> Result<Self, Error> {
        if !matches!(fields.alg, Field::Text(_)) {
            return Err(bad("the header has no string alg"));
        }
        match &fields.cty {
            Field::Absent => {}
            Field::Text(cty) if cty.eq_ignore_ascii_case("json") => {}
            _ => return Err(bad("the header's cty is not JSON")),
        }
        let exp_s =
            numeric_date("exp", &fields.exp)?.ok_or_else(|| bad("the token has no exp claim"))?;
        let iat_s = numeric_date("iat", &fields.iat)?;
        numeric_date("nbf", &fields.nbf)?;
        let lifetime_ms = lifetime(exp_s, iat_s, receipt)?;
        let received_at_ms = receipt.local_ms;
        Ok(Self {
            jwt: jwt.to_owned(),
            payload,
            expires_at_ms: received_at_ms + lifetime_ms,
            lifetime_ms,
            obtained_at_ms: received_at_ms,
            order_ms: received_at_ms,
            epoch_ms: 0.0,
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

/// A `bad_token` error saying `why`.
pub fn bad(why: &str) -> Error {
    Error::BadToken(why.to_owned())
}

/// The NumericDate `claim` in whole seconds, `None` when absent.
fn numeric_date(claim: &str, field: &Field) -> Result<Option<f64>, Error> {
    match field {
        Field::Absent => Ok(None),
        Field::Number(s) if (0.0..=MAX_NUMERIC_DATE_S).contains(s) => Ok(Some(trunc(*s))),
        Field::Number(_) => Err(bad(&concat(&[claim, " is not a time from 1970 to 275760"]))),
        _ => Err(bad(&concat(&[claim, " is not a number"]))),
    }
}

/// The lifetime in ms of a token with NumericDates `exp_s` and `iat_s` (whole seconds, checked
/// to be in range) received as `receipt` says.
pub fn lifetime(exp_s: f64, iat_s: Option<f64>, receipt: Receipt) -> Result<f64, Error> {
    match iat_s {
        Some(iat) if exp_s <= iat => Err(bad("exp is not after iat")),
        Some(iat) => Ok((exp_s - iat) * 1000.0),
        None => {
            let server_now_ms = receipt.server_ms.unwrap_or(receipt.local_ms);
            let face_value = exp_s * 1000.0 - server_now_ms;
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
    use base64ct::{Base64UrlUnpadded, Encoding};

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

    /// A compact JWT with `header` and `payload` as given (not necessarily JSON).
    fn jwt_with_header(header: &str, payload: &str) -> String {
        let token = jwt(payload);
        let rest = token.split_once('.').unwrap().1;
        format!(
            "{}.{rest}",
            Base64UrlUnpadded::encode_string(header.as_bytes())
        )
    }

    #[test]
    fn malformed_tokens_are_bad_token_errors() {
        let long_exp = format!(r#"{{"exp":1{}}}"#, "0".repeat(400));
        let cases = [
            // Not three parts, or not base64url.
            "not.a.jwt".to_owned(),
            "".to_owned(),
            "abc".to_owned(),
            "a.b".to_owned(),
            format!("{}.extra", jwt(r#"{"exp":60}"#)),
            jwt(r#"{"exp":60}"#).replacen('.', ".*", 1),
            format!("{}!", jwt(r#"{"exp":60}"#)),
            jwt(r#"{"exp":60}"#).replacen('.', "=.", 1),
            // The header is not a JWT header.
            jwt_with_header("not json", r#"{"exp":60}"#),
            jwt_with_header(r#"{"typ":"JWT"}"#, r#"{"exp":60}"#),
            jwt_with_header(r#"{"alg":1}"#, r#"{"exp":60}"#),
            jwt_with_header(r#"{"alg":"HS256","cty":"cbor"}"#, r#"{"exp":60}"#),
            jwt_with_header("[]", r#"{"exp":60}"#),
            // The payload is not a JSON object.
            jwt("not json"),
            jwt(r#"["array"]"#),
            jwt("null"),
            jwt("42"),
            jwt(r#""text""#),
            // exp missing or not a number, or not after iat.
            jwt(r#"{"sub":"no exp"}"#),
            jwt(r#"{"exp":"soon"}"#),
            jwt(r#"{"exp":null}"#),
            jwt(r#"{"exp":[60]}"#),
            jwt(r#"{"iat":100,"exp":100}"#),
            jwt(r#"{"iat":200,"exp":100}"#),
            jwt(r#"{"iat":"0","exp":100}"#),
            jwt(r#"{"nbf":true,"exp":100}"#),
            // Huge or negative numbers.
            jwt(r#"{"exp":-1}"#),
            jwt(r#"{"iat":-60,"exp":60}"#),
            jwt(r#"{"exp":1e300}"#),
            jwt(r#"{"exp":8640000000001}"#),
            jwt(r#"{"nbf":-5,"exp":60}"#),
            jwt(&long_exp),
        ];
        for token in cases {
            let err = Token::decode(&token, 0.0).unwrap_err();
            assert_eq!(err.code(), "bad_token", "{token}");
            assert!(err.to_string().starts_with("bad token: "), "{err}");
        }
    }

    #[test]
    fn each_malformed_part_is_named_in_the_message() {
        let message = |token: &str| Token::decode(token, 0.0).unwrap_err().to_string();
        assert!(message("abc").contains("not a compact JWT"));
        assert!(message(&jwt("[1]")).contains("payload is not a JSON object"));
        assert!(message(&jwt(r#"{"exp":"x"}"#)).contains("exp is not a number"));
        assert!(message(&jwt(r#"{"iat":-1,"exp":1}"#)).contains("iat is not a time"));
        assert!(message(&jwt(r#"{"iat":5,"exp":1}"#)).contains("exp is not after iat"));
        assert!(message(&jwt(r#"{"sub":"u"}"#)).contains("no exp claim"));
    }

    fn at(local_ms: f64) -> Receipt {
        Receipt {
            local_ms,
            server_ms: None,
        }
    }

    fn fields(exp: Field, iat: Field, nbf: Field) -> Fields {
        Fields {
            alg: Field::Text("HS256".into()),
            cty: Field::Absent,
            exp,
            iat,
            nbf,
        }
    }

    #[test]
    fn numbers_the_json_parser_may_give_are_checked() {
        // JSON.parse turns 1e400 into Infinity; NaN cannot come from JSON but is refused too.
        for bad_value in [
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -0.5,
            8.64e12 + 1.0,
        ] {
            for f in [
                fields(Field::Number(bad_value), Field::Absent, Field::Absent),
                fields(Field::Number(60.0), Field::Number(bad_value), Field::Absent),
                fields(Field::Number(60.0), Field::Absent, Field::Number(bad_value)),
            ] {
                let err = Token::from_fields("j", "{}".into(), &f, at(0.0)).unwrap_err();
                assert_eq!(err.code(), "bad_token", "{f:?}");
            }
        }
        let edge = fields(
            Field::Number(MAX_NUMERIC_DATE_S),
            Field::Number(0.0),
            Field::Absent,
        );
        let t = Token::from_fields("j", "{}".into(), &edge, at(0.0)).unwrap();
        assert_eq!(t.lifetime_ms, MAX_NUMERIC_DATE_S * 1000.0);
    }

    #[test]
    fn numeric_dates_count_whole_seconds() {
        let t = Token::decode(&jwt(r#"{"iat":1000.25,"exp":1060.75}"#), 0.0).unwrap();
        assert_eq!(t.lifetime_ms, 60_000.0);
        let same_second = Token::decode(&jwt(r#"{"iat":1000.25,"exp":1000.75}"#), 0.0);
        assert_eq!(same_second.unwrap_err().code(), "bad_token");
    }

    #[test]
    fn cty_json_in_any_case_is_accepted() {
        let token = jwt_with_header(r#"{"alg":"HS256","cty":"Json"}"#, r#"{"exp":60}"#);
        assert!(Token::decode(&token, 0.0).is_ok());
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn tokens_signed_by_jwt_compact_decode_as_the_server_issued_them() {
        use jwt_compact::alg::{Hs256, Hs256Key};
        use jwt_compact::{AlgorithmExt, Claims, Header};

        let at = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap();
        let mut claims = Claims::new(serde_json::json!({ "sub": "u1", "email": "a@b.c" }));
        claims.issued_at = Some(at(1_700_000_000));
        claims.expiration = Some(at(1_700_000_900));
        claims.not_before = Some(at(1_700_000_000));
        let key = Hs256Key::new(b"test key of thirty-two bytes....");
        let signed = Hs256.token(&Header::empty(), &claims, &key).unwrap();
        let t = Token::decode(&signed, 5.0).unwrap();
        assert_eq!((t.lifetime_ms, t.expires_at_ms), (900_000.0, 900_005.0));
        let payload: serde_json::Value = serde_json::from_str(&t.payload).unwrap();
        assert_eq!(payload["sub"], "u1");
        assert_eq!(payload["email"], "a@b.c");
        assert_eq!(t.jwt, signed);
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn number_or_not() -> impl Strategy<Value = Field> {
            prop_oneof![
                Just(Field::Absent),
                Just(Field::Other),
                Just(Field::Text("60".into())),
                any::<f64>().prop_map(Field::Number),
                (-1e13..1e13f64).prop_map(Field::Number),
                (0u32..4_000_000_000).prop_map(|s| Field::Number(s.into())),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn expiry_follows_the_server_lifetime_whatever_the_local_clock(
                iat in 0u32..4_000_000_000,
                life_s in 1u32..1_000_000,
                received in -1e13..1e13f64,
                ahead in 0.0..1e7f64,
            ) {
                let f = fields(
                    Field::Number(f64::from(iat) + f64::from(life_s)),
                    Field::Number(iat.into()),
                    Field::Absent,
                );
                let t = Token::from_fields("j", "{}".into(), &f, at(received)).unwrap();
                let life_ms = f64::from(life_s) * 1000.0;
                prop_assert_eq!(t.lifetime_ms, life_ms);
                prop_assert!((t.expires_at_ms - received - life_ms).abs() < 0.01);
                let margin = t.refresh_margin_ms(ahead);
                prop_assert!(margin >= 0.0 && margin <= ahead && margin <= life_ms / 2.0);
                prop_assert!(!t.needs_refresh(received, ahead) || margin == life_ms / 2.0);
                prop_assert!(t.needs_refresh(t.refresh_due_at_ms(ahead), ahead));
                prop_assert!(t.is_expired(t.expires_at_ms));
                prop_assert!(!t.is_expired(t.expires_at_ms - 1.0));
            }

            #[test]
            fn any_claims_are_accepted_exactly_when_the_rules_hold(
                exp in number_or_not(),
                iat in number_or_not(),
                nbf in number_or_not(),
                received in -1e13..1e13f64,
            ) {
                let time = |f: &Field| match f {
                    Field::Absent => Some(None),
                    Field::Number(n) if (0.0..=MAX_NUMERIC_DATE_S).contains(n) => Some(Some(n.trunc())),
                    _ => None,
                };
                let valid = match (time(&exp), time(&iat), time(&nbf)) {
                    (Some(Some(e)), Some(i), Some(_)) => i.is_none_or(|i| e > i),
                    _ => false,
                };
                let result = Token::from_fields("j", "{}".into(), &fields(exp, iat, nbf), at(received));
                prop_assert_eq!(result.is_ok(), valid, "{:?}", result);
                if let Ok(t) = result {
                    prop_assert!(t.lifetime_ms.is_finite() && t.lifetime_ms >= 0.0);
                    prop_assert!(t.expires_at_ms.is_finite());
                } else if let Err(e) = result {
                    prop_assert_eq!(e.code(), "bad_token");
                }
            }

            #[test]
            fn any_text_splits_or_is_a_bad_token(text in ".{0,80}", dots in "[A-Za-z0-9_.=-]{0,40}") {
                for candidate in [text, dots] {
                    if let Err(e) = Parts::split(&candidate) {
                        prop_assert_eq!(e.code(), "bad_token");
                    }
                }
            }
        }
    }

    #[test]
    fn newer_means_ordered_later() {
        let a = Token::decode(&jwt(r#"{"iat":0,"exp":60}"#), 1000.0).unwrap();
        let b = Token::decode(&jwt(r#"{"iat":0,"exp":60}"#), 2000.0).unwrap();
        assert!(b.is_newer_than(&a));
        assert!(!a.is_newer_than(&b));
        assert!(!a.is_newer_than(&a));
    }
}
