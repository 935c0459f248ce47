//! `document.cookie` access (it lives on `HtmlDocument`, not `Document`).

use wasm_bindgen::JsCast;
use web_sys::HtmlDocument;

fn document() -> Option<HtmlDocument> {
    web_sys::window()?
        .document()?
        .dyn_into::<HtmlDocument>()
        .ok()
}

/// The page's `document.cookie` string ("" where there is no document, e.g. in a worker).
pub fn read_all() -> String {
    document().and_then(|d| d.cookie().ok()).unwrap_or_default()
}

/// Assigns one cookie (`name=value; attributes`). Failures (sandboxed documents) are ignored:
/// the cooldown cookie is an optimisation, never a requirement.
pub fn write(assignment: &str) {
    if let Some(d) = document() {
        let _ = d.set_cookie(assignment);
    }
}
