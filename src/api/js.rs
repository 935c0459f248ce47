//! Plain JS objects made and read by the wasm.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Reflect.set` without a catch: on the plain objects and errors this crate made, it
    /// cannot throw (js-sys' binding catches, which costs every caller an error path).
    #[wasm_bindgen(js_namespace = Reflect, js_name = set)]
    fn reflect_set(object: &JsValue, key: &JsValue, value: &JsValue) -> bool;
}

/// Sets `key` of a plain object this crate made (the state, a message, the config, an error).
pub fn set(object: &JsValue, key: &str, value: &JsValue) {
    reflect_set(object, &key.into(), value);
}

/// Reads `key` of any value (`undefined` when absent or when the read throws).
pub fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}
