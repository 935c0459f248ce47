//! Plain JS objects made and read by the wasm.

use wasm_bindgen::JsValue;

/// Sets `key` of a plain object this crate made (the state, a message, the config):
/// `Reflect.set`, the one import every such property shares, which cannot fail on them.
pub fn set(object: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(object, &key.into(), value);
}

/// Reads `key` of any value (`undefined` when absent or when the read throws).
pub fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}
