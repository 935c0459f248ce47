//! HTTP through the browser's `fetch`, always with `credentials: "include"`.

use crate::web::events::EventListener;
use crate::web::timer::Timeout;
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Request, Response};

use crate::core::options::CSRF_HEADER_VALUE;
use crate::core::text::decimal;
use crate::core::Error;
use crate::web::js::set;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (window or worker), looked up at each call as `fetch(...)` in JS
    /// is, so a page's own wrapper of `window.fetch` applies.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(input: &JsValue, init: &JsValue) -> Result<Promise, JsValue>;
}

/// Calls the global `fetch(input, init)` and returns its promise.
pub fn start(input: &JsValue, init: &JsValue) -> Result<Promise, Error> {
    global_fetch(input, init).map_err(|e| network(&e))
}

/// The answer of a started fetch; a rejected fetch (offline, DNS, CORS refusal, abort) is
/// `network`.
pub async fn response(pending: Promise) -> Result<Response, Error> {
    as_response(JsFuture::from(pending).await.map_err(|e| network(&e))?)
}

/// What a fetch resolved with, which must be a `Response` (a page's own `fetch` wrapper may
/// resolve with anything).
pub fn as_response(value: JsValue) -> Result<Response, Error> {
    value
        .dyn_into::<Response>()
        .map_err(|_| Error::Network("fetch did not return a Response".into()))
}

/// `fetch(input, init)`.
pub async fn send(input: &JsValue, init: &JsValue) -> Result<Response, Error> {
    response(start(input, init)?).await
}

/// A `network` error carrying the JS error's message.
pub fn network(e: &JsValue) -> Error {
    Error::Network(super::js::message_of(e))
}

/// Posts `body` (JSON text, if any) to an auth endpoint with the static CSRF header and
/// `credentials: "include"`, aborted after `timeout_ms` or when `cancel` aborts.
///
/// # Errors
/// `network` (timeouts included), `disposed` when `cancel` aborted it.
pub async fn post_auth(
    url: &str,
    csrf_header: &str,
    body: Option<&str>,
    timeout_ms: f64,
    cancel: Option<&AbortSignal>,
) -> Result<Response, Error> {
    if cancel.is_some_and(AbortSignal::aborted) {
        return Err(Error::Disposed);
    }
    // Plain objects, as a JS caller would write them: one `Reflect.set` import instead of a
    // binding per `RequestInit` and `Headers` setter. (Header names were checked with the
    // options.)
    let headers = Object::new();
    set(&headers, csrf_header, &CSRF_HEADER_VALUE.into());
    let init = Object::new();
    set(&init, "method", &"POST".into());
    set(&init, "credentials", &"include".into());
    if let Some(body) = body {
        set(&headers, "Content-Type", &"application/json".into());
        set(&init, "body", &body.into());
    }
    set(&init, "headers", &headers);
    let controller = AbortController::new().map_err(|e| network(&e))?;
    let signal = controller.signal();
    set(&init, "signal", &signal);
    let request = Request::new_with_str_and_init(url, init.unchecked_ref())
        .map_err(|_| Error::Config(["apiBase gives an invalid URL: ", url].concat()))?;
    let timeout_ms = timeout_ms.clamp(1.0, u32::MAX as f64) as u32;
    let on_cancel = cancel.map(|cancel| {
        let controller = controller.clone();
        EventListener::new(cancel, "abort", move |_| controller.abort()) // fires once
    });
    let timer = Timeout::new(timeout_ms, move || controller.abort());
    let result = send(&request, &JsValue::UNDEFINED).await;
    drop((timer, on_cancel)); // cancels the aborts
    if cancel.is_some_and(AbortSignal::aborted) {
        return Err(Error::Disposed);
    }
    result.map_err(|e| {
        if signal.aborted() {
            Error::Network(["timed out after ", &decimal(timeout_ms.into()), " ms"].concat())
        } else {
            e
        }
    })
}

/// The server's clock at the time of `response`, from its `Date` header (readable across
/// origins only when the API lists it in `Access-Control-Expose-Headers`).
pub fn server_date_ms(response: &Response) -> Option<f64> {
    let date = response.headers().get("Date").ok()??;
    Some(js_sys::Date::parse(&date)).filter(|ms| ms.is_finite())
}

/// Reads the JWT in field `field` of a JSON response body.
///
/// # Errors
/// `bad_response` when the body is not JSON or the field is missing or not a string.
pub async fn read_token(response: &Response, field: &str) -> Result<String, Error> {
    let text = match response.text() {
        Ok(p) => JsFuture::from(p).await.map_err(|e| network(&e))?,
        Err(e) => return Err(network(&e)),
    };
    let text = text.as_string().unwrap_or_default();
    let json = js_sys::JSON::parse(&text)
        .map_err(|_| Error::BadResponse("the response body is not JSON".into()))?;
    if !json.is_object() {
        return Err(Error::BadResponse(
            "the response body is not a JSON object".into(),
        ));
    }
    Reflect::get(&json, &field.into())
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| {
            Error::BadResponse(["the response has no string field `", field, "`"].concat())
        })
}
