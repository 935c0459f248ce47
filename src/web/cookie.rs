//! `document.cookie` access, read and assigned as a property with `Reflect` (the same one
//! import as every other property, instead of `HtmlDocument`'s bindings).

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// The global `document`, where there is one (not in a worker).
fn document() -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &"document".into())
        .ok()
        .filter(JsValue::is_object)
}

/// The page's `document.cookie` string ("" where there is no document, e.g. in a worker).
pub fn read_all() -> String {
    document()
        .and_then(|d| Reflect::get(&d, &"cookie".into()).ok())
        .and_then(|c| c.as_string())
        .unwrap_or_default()
}

/// Assigns one cookie (`name=value; attributes`). Failures (sandboxed documents) are ignored:
/// the cooldown cookie is an optimisation, never a requirement.
pub fn write(assignment: &str) {
    if let Some(d) = document() {
        let _ = Reflect::set(&d, &"cookie".into(), &assignment.into());
    }
}
