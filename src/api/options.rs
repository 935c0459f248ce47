//! Reads the options object given to `new AuthClient(...)` with `Reflect` (cheaper in size
//! than serde-wasm-bindgen's deserializer) and type-checks every field.
use alloc::{string::String, vec::Vec};

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::options::{config, ORIGINS, RETRY_ON};
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
        .dyn_ref::<Object>()
        .filter(|_| !Array::is_array(value) && !value.is_function())
        .ok_or_else(|| Error::Config("options must be an object with apiBase".into()))?;
    for key in Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        if !KNOWN.contains(&key.as_str()) {
            return Err(Error::Config(concat(&["unknown option ", &key])));
        }
    }
    let get = |name: &str| Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED);
    let api_base = string(&get("apiBase"), "apiBase")?
        .ok_or_else(|| Error::Config("apiBase is required".into()))?;
    let mut o = Options::new(api_base);
    if let Some(list) = string_list(&get("allowedOrigins"), "allowedOrigins")? {
        o.allowed_origins = list;
    }
    let strings: [(&str, &mut String); 6] = [
        ("loginPath", &mut o.login_path),
        ("refreshPath", &mut o.refresh_path),
        ("logoutPath", &mut o.logout_path),
        ("tokenField", &mut o.token_field),
        ("cooldownCookie", &mut o.cooldown_cookie),
        ("channel", &mut o.channel),
    ];
    for (name, slot) in strings {
        if let Some(v) = string(&get(name), name)? {
            *slot = v;
        }
    }
    let numbers: [(&str, &mut f64); 3] = [
        ("refreshAheadSeconds", &mut o.refresh_ahead_seconds),
        ("cooldownMs", &mut o.cooldown_ms),
        ("requestTimeoutMs", &mut o.request_timeout_ms),
    ];
    for (name, slot) in numbers {
        if let Some(v) = number(&get(name), name)? {
            *slot = v;
        }
    }
    let header = get("csrfHeader");
    if !header.is_undefined() {
        o.csrf_header = if header.is_null() {
            None
        } else {
            string(&header, "csrfHeader")?
        };
    }
    let csrf = get("csrf");
    if !csrf.is_undefined() && !csrf.is_null() {
        let field = |name: &str| {
            Reflect::get(&csrf, &name.into())
                .ok()
                .and_then(|v| v.as_string())
                .ok_or_else(|| Error::Config("csrf must be { cookie, header }".into()))
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
        let body = get(name);
        if !body.is_undefined() && !body.is_null() {
            // A function, a symbol or a cycle has no JSON text.
            let text = JSON::stringify(&body).ok().and_then(|t| t.as_string());
            *slot = Some(
                text.ok_or_else(|| Error::Config(concat(&[name, " must be JSON-serialisable"])))?,
            );
        }
    }
    let retry = get("retryOn");
    if !retry.is_undefined() {
        let not_list = || config("retryOn", RETRY_ON);
        let array = retry.dyn_ref::<Array>().ok_or_else(not_list)?;
        let mut list = Vec::new();
        for item in array.iter() {
            let n = item.as_f64().ok_or_else(not_list)?;
            // Not a whole number that fits: 0, which validation refuses (naming retryOn).
            let status = n as u16;
            list.push(if f64::from(status) == n { status } else { 0 });
        }
        o.retry_on = list;
    }
    let locks = get("useWebLocks");
    if !locks.is_undefined() {
        o.use_web_locks = locks
            .as_bool()
            .ok_or_else(|| Error::Config("useWebLocks must be a boolean".into()))?;
    }
    Ok(o)
}

fn string(v: &JsValue, name: &str) -> Result<Option<String>, Error> {
    if v.is_undefined() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| Error::Config(concat(&[name, " must be a string"])))
}

fn number(v: &JsValue, name: &str) -> Result<Option<f64>, Error> {
    if v.is_undefined() {
        return Ok(None);
    }
    v.as_f64()
        .map(Some)
        .ok_or_else(|| Error::Config(concat(&[name, " must be a number"])))
}

fn string_list(v: &JsValue, name: &str) -> Result<Option<Vec<String>>, Error> {
    if v.is_undefined() {
        return Ok(None);
    }
    let not_list = || config(name, ORIGINS);
    let array = v.dyn_ref::<Array>().ok_or_else(not_list)?;
    let mut list = Vec::new();
    for item in array.iter() {
        list.push(item.as_string().ok_or_else(not_list)?);
    }
    Ok(Some(list))
}
