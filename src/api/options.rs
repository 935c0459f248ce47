//! Reads the options object given to `new AuthClient(...)` with `Reflect` (cheaper in size
//! than serde-wasm-bindgen's deserializer) and type-checks every field.
use alloc::{string::String, vec::Vec};

use js_sys::{Array, Object, JSON};
use wasm_bindgen::{JsCast, JsValue};

use super::js::get;
use crate::core::options::{config, Bad, ORIGINS, RETRY_ON};
use crate::core::text::concat;
use crate::core::{Csrf, Error, Options};

/// Every option the constructor knows; anything else is a typo and a `config` error.
const KNOWN: [&str; 17] = [
    "apiBase",
    "allowedOrigins",
    "loginPath",
    "refreshPath",
    "logoutPath",
    "tokenField",
    "refreshAheadSeconds",
    "cooldownMs",
    "cooldownCookie",
    "channel",
    "csrfHeader",
    "csrf",
    "refreshBody",
    "logoutBody",
    "retryOn",
    "requestTimeoutMs",
    "useWebLocks",
];

/// Converts the JS options object to [`Options`] (not yet validated).
///
/// # Errors
/// `config` for a missing object, an unknown option or a value of the wrong type.
pub fn read(value: &JsValue) -> Result<Options, Error> {
    let object = value
        // `typeof "object"` (not null, not a function), not an array; any realm or prototype.
        .is_object()
        .then(|| value.unchecked_ref::<Object>())
        .filter(|_| !Array::is_array(value))
        .ok_or(("options", "must be an object with apiBase"))
        .map_err(|(name, rule)| config(name, rule))?;
    for key in Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        if !KNOWN.contains(&key.as_str()) {
            return Err(Error::Config(concat(&["unknown option ", &key])));
        }
    }
    fields(object).map_err(|(name, rule)| config(name, rule))
}

/// The value of `name`, `None` when undefined.
fn given(object: &Object, name: &str) -> Option<JsValue> {
    Some(get(object, name)).filter(|v| !v.is_undefined())
}

/// The string at `name`, `None` when undefined.
fn text(object: &Object, name: &'static str) -> Result<Option<String>, Bad> {
    given(object, name)
        .map(|v| v.as_string().ok_or((name, "must be a string")))
        .transpose()
}

/// The array at `name` (`None` when undefined); `rule` when it is none.
fn list(object: &Object, name: &'static str, rule: &'static str) -> Result<Option<Array>, Bad> {
    given(object, name)
        .map(|v| v.dyn_into::<Array>().map_err(|_| (name, rule)))
        .transpose()
}

fn fields(object: &Object) -> Result<Options, Bad> {
    let api_base = text(object, "apiBase")?.ok_or(("apiBase", "is required"))?;
    let mut o = Options::new(api_base);
    if let Some(array) = list(object, "allowedOrigins", ORIGINS)? {
        let mut origins = Vec::new();
        for item in array.iter() {
            origins.push(item.as_string().ok_or(("allowedOrigins", ORIGINS))?);
        }
        o.allowed_origins = origins;
    }
    let strings: [(&'static str, &mut String); 6] = [
        ("loginPath", &mut o.login_path),
        ("refreshPath", &mut o.refresh_path),
        ("logoutPath", &mut o.logout_path),
        ("tokenField", &mut o.token_field),
        ("cooldownCookie", &mut o.cooldown_cookie),
        ("channel", &mut o.channel),
    ];
    for (name, slot) in strings {
        if let Some(v) = text(object, name)? {
            *slot = v;
        }
    }
    let numbers: [(&'static str, &mut f64); 3] = [
        ("refreshAheadSeconds", &mut o.refresh_ahead_seconds),
        ("cooldownMs", &mut o.cooldown_ms),
        ("requestTimeoutMs", &mut o.request_timeout_ms),
    ];
    for (name, slot) in numbers {
        if let Some(v) = given(object, name) {
            *slot = v.as_f64().ok_or((name, "must be a number"))?;
        }
    }
    if let Some(header) = given(object, "csrfHeader") {
        o.csrf_header = if header.is_null() {
            None
        } else {
            Some(
                header
                    .as_string()
                    .ok_or(("csrfHeader", "must be a string"))?,
            )
        };
    }
    if let Some(csrf) = given(object, "csrf").filter(|v| !v.is_null()) {
        let field = |name| {
            get(&csrf, name)
                .as_string()
                .ok_or(("csrf", "must be { cookie, header }"))
        };
        o.csrf = Some(Csrf {
            cookie: field("cookie")?,
            header: field("header")?,
        });
    }
    for (name, slot) in [
        ("refreshBody", &mut o.refresh_body),
        ("logoutBody", &mut o.logout_body),
    ] {
        if let Some(body) = given(object, name).filter(|v| !v.is_null()) {
            // A function, a symbol or a cycle has no JSON text.
            let text = JSON::stringify(&body).ok().and_then(|t| t.as_string());
            *slot = Some(text.ok_or((name, "must be JSON-serialisable"))?);
        }
    }
    if let Some(array) = list(object, "retryOn", RETRY_ON)? {
        let mut statuses = Vec::new();
        for item in array.iter() {
            let n = item.as_f64().ok_or(("retryOn", RETRY_ON))?;
            // Not a whole number that fits: 0, which validation refuses (naming retryOn).
            let status = n as u16;
            statuses.push(if f64::from(status) == n { status } else { 0 });
        }
        o.retry_on = statuses;
    }
    if let Some(locks) = given(object, "useWebLocks") {
        o.use_web_locks = locks
            .as_bool()
            .ok_or(("useWebLocks", "must be a boolean"))?;
    }
    Ok(o)
}
