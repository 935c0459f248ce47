//! A JWT's header and claims read with the browser's own `JSON.parse`.

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::claims::{bad, Field, Fields, Parts, Receipt};
use crate::core::{Error, Token};

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

    /// Decodes `jwt` received as `receipt` says: the core splits it and decodes its base64url
    /// parts, the browser's
    /// [`JSON.parse`](https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/JSON/parse)
    /// reads the header and the claims, and the core checks the fields and does the expiry
    /// maths ([`Token::from_fields`]).
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

/// `text` parsed as JSON, when it is an object (not an array, not `null`).
fn object(text: &str) -> Option<Object> {
    let value = JSON::parse(text).ok()?;
    (value.is_object() && !Array::is_array(&value)).then(|| value.unchecked_into())
}

/// The member `key` of a parsed JSON object (JSON has no `undefined`: that is an absent one).
fn field(object: &Object, key: &str) -> Field {
    let value = Reflect::get(object, &key.into()).unwrap_or(JsValue::NULL);
    if value.is_undefined() {
        Field::Absent
    } else if let Some(n) = value.as_f64() {
        Field::Number(n)
    } else if let Some(s) = value.as_string() {
        Field::Text(s)
    } else {
        Field::Other
    }
}
