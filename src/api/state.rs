//! The `state` object handed to JS: `{ status, user, expiresAt, error }` (`error`: `{ code,
//! message }`, and `status` for an HTTP error), frozen.

use crate::core::float::floor;
use js_sys::{Object, JSON};
use wasm_bindgen::JsValue;

use super::js::set;
use crate::core::Session;

/// Builds the frozen JS state object of `session`; absent parts are `null`.
pub fn to_js(session: &Session) -> JsValue {
    let token = session.token();
    let state = Object::new();
    set(&state, "status", &session.status().as_str().into());
    // The payload was checked to be a JSON object when the token was decoded.
    let user = token.and_then(|t| JSON::parse(&t.payload).ok());
    set(&state, "user", &user.unwrap_or(JsValue::NULL));
    let expires_at = token.map(|t| JsValue::from(floor(t.expires_at_ms)));
    set(&state, "expiresAt", &expires_at.unwrap_or(JsValue::NULL));
    let error = session.error().map(|e| {
        let view = Object::new();
        set(&view, "code", &e.code().into());
        set(&view, "message", &e.message().into());
        if let Some(status) = e.status() {
            set(&view, "status", &status.into());
        }
        JsValue::from(view)
    });
    set(&state, "error", &error.unwrap_or(JsValue::NULL));
    Object::freeze(&state).into()
}
