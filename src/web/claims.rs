//! A JWT's header and claims read with the browser's own `JSON.parse`.

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::claims::{Field, JsonReader, Receipt};
use crate::core::{Error, Token};

/// The browser's JSON parser, as token decoding reads it.
pub struct BrowserJson;

impl Token {
    /// Decodes `jwt` received as `receipt` says: the core splits it and decodes its base64url
    /// parts, the browser's
    /// [`JSON.parse`](https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/JSON/parse)
    /// reads the header and the claims, and the core checks the fields and does the expiry
    /// maths ([`Token::decode_with`]).
    ///
    /// # Errors
    /// `bad_token`, as [`Token::decode_with`].
    pub fn decode_at(jwt: &str, receipt: Receipt) -> Result<Self, Error> {
        Self::decode_with::<BrowserJson>(jwt, receipt)
    }
}

impl JsonReader for BrowserJson {
    type Object = Object;

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
}
