//! `document.cookie`: the cookies scripts may see, and writing one.
//!
//! Reading returns the browser's whole `name=value; name2=value2` string (the core parses it);
//! writing takes one `Set-Cookie`-like assignment. HttpOnly cookies are invisible here.

use alloc::string::String;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlDocument;

/// This page's HTML document (`None` in a worker or a non-HTML document).
fn document() -> Option<HtmlDocument> {
    web_sys::window()?.document()?.dyn_into().ok()
}

/// The page's `document.cookie`.
///
/// # Errors
/// The browser's exception where cookies are forbidden (a sandboxed or opaque origin), or
/// `undefined` without an HTML document.
///
/// # Example
/// ```no_run
/// let cookies = tokenrelay::web::cookie::read()?;
/// let has_stamp = cookies.split("; ").any(|c| c.starts_with("app_stamp="));
/// # Ok::<(), wasm_bindgen::JsValue>(())
/// ```
pub fn read() -> Result<String, JsValue> {
    document().ok_or(JsValue::UNDEFINED)?.cookie()
}

/// Assigns `cookie` to `document.cookie`: sets (or, with `Max-Age=0`, deletes) one cookie.
///
/// # Errors
/// As [`read`].
///
/// # Example
/// ```no_run
/// tokenrelay::web::cookie::write("app_stamp=1; Path=/; Max-Age=30; SameSite=Lax")?;
/// # Ok::<(), wasm_bindgen::JsValue>(())
/// ```
pub fn write(cookie: &str) -> Result<(), JsValue> {
    document().ok_or(JsValue::UNDEFINED)?.set_cookie(cookie)
}
