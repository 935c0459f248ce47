//! Errors as JS values: real `Error`s named `TokenRelayError` with a stable `code`.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

use crate::core::Error;

/// The `name` of every error tokenrelay throws or rejects with.
pub const ERROR_NAME: &str = "TokenRelayError";

/// Converts an error to a JS `Error` with `name`, `code` and, for HTTP errors, `status`.
pub fn to_js(error: &Error) -> JsValue {
    let js_error = js_sys::Error::new(&error.message());
    js_error.set_name(ERROR_NAME);
    let _ = Reflect::set(&js_error, &"code".into(), &error.code().into());
    if let Error::Server(status) | Error::Unauthorized(status) = error {
        let _ = Reflect::set(&js_error, &"status".into(), &(*status).into());
    }
    js_error.into()
}

/// Whether `value` is an error thrown by tokenrelay (`name` and a string `code`). Rust's
/// side of the check; JS uses `isTokenRelayError` of js/lib/errors.js, the same rule, so the
/// wasm exports no copy of it.
pub fn is_token_relay_error(value: &JsValue) -> bool {
    value.is_instance_of::<js_sys::Error>()
        && Reflect::get(value, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .as_deref()
            == Some(ERROR_NAME)
        && Reflect::get(value, &"code".into()).is_ok_and(|c| c.is_string())
}
