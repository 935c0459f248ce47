//! The `state` object handed to JS: `{ status, user, expiresAt, error }`, frozen.

use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;

use crate::core::Session;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StateView<'a> {
    status: &'static str,
    user: Option<&'a Map<String, Value>>,
    expires_at: Option<f64>,
    error: Option<ErrorView>,
}

#[derive(Serialize)]
struct ErrorView {
    code: &'static str,
    message: String,
}

/// Builds the frozen JS state object of `session`.
pub fn to_js(session: &Session) -> JsValue {
    let token = session.token();
    let view = StateView {
        status: session.status().as_str(),
        user: token.map(|t| &t.claims),
        expires_at: token.map(|t| t.expires_at_ms.floor()),
        error: session.error().map(|e| ErrorView {
            code: e.code(),
            message: e.to_string(),
        }),
    };
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true);
    let value = view.serialize(&serializer).unwrap_or(JsValue::NULL);
    if let Some(object) = wasm_bindgen::JsCast::dyn_ref::<js_sys::Object>(&value) {
        js_sys::Object::freeze(object);
    }
    value
}
