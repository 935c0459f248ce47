//! Token decoding off the browser (host tests and tools): serde_json stands in for the
//! browser's `JSON.parse`, which `Token::decode` in the web layer uses; the rest is the same
//! core code ([`Parts::split`], [`Token::from_fields`]). Not compiled into the wasm.

use serde_json::{Map, Value};

use super::claims::{bad, Field, Fields, Parts, Receipt, Token};
use super::error::Error;

impl Token {
    /// Decodes `jwt` received from the server at `received_at_ms` (local clock), with no
    /// word of the server's clock. See [`Token::decode_at`].
    ///
    /// # Errors
    /// `bad_token`, as [`Token::decode_at`].
    pub fn decode(jwt: &str, received_at_ms: f64) -> Result<Self, Error> {
        Self::decode_at(
            jwt,
            Receipt {
                local_ms: received_at_ms,
                server_ms: None,
            },
        )
    }

    /// Decodes `jwt` received as `receipt` says (see [`Token::from_fields`] for the maths).
    ///
    /// # Errors
    /// `bad_token` when `jwt` is not a compact JWT whose header and payload are JSON objects
    /// with a string `alg` and a NumericDate `exp` (after `iat`, when present).
    pub fn decode_at(jwt: &str, receipt: Receipt) -> Result<Self, Error> {
        let parts = Parts::split(jwt)?;
        let header = object(&parts.header).ok_or_else(|| bad("the header is not a JSON object"))?;
        let claims =
            object(&parts.payload).ok_or_else(|| bad("the payload is not a JSON object"))?;
        let fields = Fields {
            alg: field(&header, "alg"),
            cty: field(&header, "cty"),
            exp: field(&claims, "exp"),
            iat: field(&claims, "iat"),
            nbf: field(&claims, "nbf"),
        };
        Token::from_fields(jwt, parts.payload, &fields, receipt)
    }
}

fn object(text: &str) -> Option<Map<String, Value>> {
    match serde_json::from_str(text) {
        Ok(Value::Object(o)) => Some(o),
        _ => None,
    }
}

fn field(object: &Map<String, Value>, key: &str) -> Field {
    match object.get(key) {
        None => Field::Absent,
        // Numbers beyond f64 are refused by serde_json (JSON.parse makes them infinite).
        Some(Value::Number(n)) => n.as_f64().map_or(Field::Other, Field::Number),
        Some(Value::String(s)) => Field::Text(s.clone()),
        Some(_) => Field::Other,
    }
}
