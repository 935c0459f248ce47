//! Token decoding off the browser (host tests and tools): serde_json stands in for the
//! browser's `JSON.parse`, which `Token::decode` in the web layer uses; the rest is the same
//! core code ([`Token::decode_with`]). Not compiled into the wasm.

use serde_json::{Map, Value};

use super::claims::{Field, JsonReader, Receipt, Token};
use super::error::Error;

/// serde_json, reading JSON as the browser's `JSON.parse` does for token decoding.
pub struct SerdeJson;

impl Token {
    /// Decodes `jwt` received as `receipt` says, its JSON read by serde_json (see
    /// [`Token::decode_with`]).
    ///
    /// # Errors
    /// `bad_token`, as [`Token::decode_with`].
    pub fn decode_at(jwt: &str, receipt: Receipt) -> Result<Self, Error> {
        Self::decode_with::<SerdeJson>(jwt, receipt)
    }
}

impl JsonReader for SerdeJson {
    type Object = Map<String, Value>;

    fn object(text: &str) -> Option<Self::Object> {
        match serde_json::from_str(text) {
            Ok(Value::Object(o)) => Some(o),
            _ => None,
        }
    }

    fn field(object: &Self::Object, key: &str) -> Field {
        match object.get(key) {
            None => Field::Absent,
            // Numbers beyond f64 are refused by serde_json (JSON.parse makes them infinite).
            Some(Value::Number(n)) => n.as_f64().map_or(Field::Other, Field::Number),
            Some(Value::String(s)) => Field::Text(s.clone()),
            Some(_) => Field::Other,
        }
    }
}
