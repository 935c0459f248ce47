//! Errors as JS values: real `Error`s named `TokenRelayError` with a stable `code`.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use super::js::set;
use crate::core::Error;

/// The `name` of every error tokenrelay throws or rejects with.
pub const ERROR_NAME: &str = "TokenRelayError";

/// Converts an error to a JS `Error` with `name`, `code` and, for HTTP errors, `status`.
pub fn to_js(error: &Error) -> JsValue {
    let js_error = js_sys::Error::new(&error.message());
    // Through the one property setter the crate imports (not `set_name`: one import more).
    set(&js_error, "name", &ERROR_NAME.into());
    set(&js_error, "code", &error.code().into());
    if let Some(status) = error.status() {
        set(&js_error, "status", &status.into());
    }
    js_error.into()
}

/// The error a JS `TokenRelayError` made by [`to_js`] stands for (`None`: not one of ours).
pub fn from_js(value: &JsValue) -> Option<Error> {
    let get = |key: &str| Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let code = get("code").as_string()?;
    let message = get("message").as_string().unwrap_or_default();
    let status = get("status").as_f64().unwrap_or(0.0) as u16;
    Error::from_view(&code, &message, status)
}

/// A `TokenRelayError` of `code` with `detail` (the message of `config`, `network`,
/// `bad_response` and `bad_token`) or HTTP `status` (`server`, `unauthorized`), for the
/// failures the JS driver sees first (a rejected fetch, a disposed client).
/// (Strings arrive as JS values: the glue then copies no string into the wasm's memory.)
#[wasm_bindgen(js_name = error)]
pub fn error_of(code: JsValue, detail: JsValue, status: u16) -> JsValue {
    let (code, detail) = (code.as_string(), detail.as_string().unwrap_or_default());
    let error = Error::from_parts(&code.unwrap_or_default(), &detail, status);
    to_js(&error.unwrap_or(Error::Network(detail)))
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
