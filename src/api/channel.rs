//! Cross-tab messages as the plain objects that travel on the BroadcastChannel.
use alloc::string::String;

use js_sys::{Array, Object};
use wasm_bindgen::JsValue;

use super::js::{get, set};
use crate::core::protocol::{Envelope, Fields};

/// Reads a received value as a message; `None` for anything malformed (any same-origin script
/// can post on the channel).
pub fn read(data: &JsValue) -> Option<Envelope> {
    if !data.is_object() || Array::is_array(data) {
        return None;
    }
    let get = |key: &str| get(data, key);
    Envelope::from_fields(Fields {
        v: get("v").as_f64(),
        from: get("from").as_string(),
        kind: get("kind").as_string(),
        token: get("token").as_string(),
        obtained_at: get("obtainedAt").as_f64(),
        expires_at: get("expiresAt").as_f64(),
        order: get("order").as_f64(),
        expired: get("expired").as_bool(),
        proof: get("proof").as_string(),
        status: get("status").as_f64(),
        at: get("at").as_f64(),
    })
}

/// The plain object posted for `envelope`.
pub fn write(envelope: &Envelope) -> JsValue {
    let fields = envelope.to_fields();
    let object: JsValue = Object::new().into();
    let text = |v: &Option<String>| v.as_deref().map(JsValue::from_str);
    for (key, value) in [
        ("v", fields.v.map(JsValue::from)),
        ("from", text(&fields.from)),
        ("kind", text(&fields.kind)),
        ("token", text(&fields.token)),
        ("obtainedAt", fields.obtained_at.map(JsValue::from)),
        ("expiresAt", fields.expires_at.map(JsValue::from)),
        ("order", fields.order.map(JsValue::from)),
        ("expired", fields.expired.map(JsValue::from)),
        ("proof", text(&fields.proof)),
        ("status", fields.status.map(JsValue::from)),
        ("at", fields.at.map(JsValue::from)),
    ] {
        if let Some(value) = value {
            set(&object, key, &value);
        }
    }
    object
}
