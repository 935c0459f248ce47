//! The auth POSTs (login, refresh, logout) as one HTTP call each, through gloo-net.
//!
//! [`post`] sends with `credentials: "include"` (the refresh cookie goes along), the headers
//! given, an optional JSON body and an abort signal, and settles only once the whole body is
//! read: an [`Answer`] (any status) or a [`Failure`]. What a status means is the core's
//! business, as are timeouts and retries.

use alloc::string::{String, ToString};
use core::future::Future;

use gloo_net::http::{Request, Response};
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestCredentials};

/// A complete HTTP answer: its status, its whole body and its `Date` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status (any: 2xx, 401, 503, ...).
    pub status: u16,
    /// The body, read to its end as text.
    pub body: String,
    /// The `Date` header (the server's clock), when the response exposes it (a cross-origin
    /// API must list it in `Access-Control-Expose-Headers`).
    pub date: Option<String>,
}

/// Why no complete [`Answer`] came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The abort signal fired before the body was read.
    Aborted,
    /// No HTTP answer, or its body could not be read: offline, DNS, a CORS refusal, a
    /// connection cut mid-body, or a request the browser would not build (an invalid header).
    /// The browser's message.
    Network(String),
}

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (of a window or a worker), looked up at each call (a page's own
    /// wrapper applies), called with a built request; `AuthClient::fetch` sends with it too.
    #[wasm_bindgen(js_name = fetch)]
    pub(crate) fn fetch_request(request: &web_sys::Request) -> Promise;
}

/// POSTs to `url` with `headers`, and `json` as an `application/json` body when given;
/// `signal` aborts it. The request is sent at the call; the future settles once the whole
/// answer is read. Dropping the future does not stop the request: fire `signal` for that.
///
/// # Errors
/// [`Failure::Aborted`] once `signal` fires, [`Failure::Network`] when no complete answer
/// came. An HTTP error status is an [`Answer`], not a failure.
///
/// # Example
/// ```no_run
/// # async fn demo() -> Result<(), tokenrelay::web::auth_http::Failure> {
/// use tokenrelay::web::auth_http::post;
/// let answer = post(
///     "https://api.example.com/auth/refresh",
///     &[("X-CSRF", "1")],
///     None,
///     None,
/// )
/// .await?;
/// if answer.status == 200 {
///     let _token_json = answer.body;
/// }
/// # Ok(()) }
/// ```
pub fn post(
    url: &str,
    headers: &[(&str, &str)],
    json: Option<&str>,
    signal: Option<&AbortSignal>,
) -> impl Future<Output = Result<Answer, Failure>> + 'static {
    let abort = signal.cloned();
    let sent = build(url, headers, json, signal)
        .map(|request| JsFuture::from(fetch_request(&request.into())));
    async move {
        let fail = |error| failure(error, abort.as_ref());
        let response = sent
            .map_err(|e| fail(e.to_string()))?
            .await
            .map_err(|e| fail(message(&e)))?;
        let response = Response::from(response.unchecked_into::<web_sys::Response>());
        let body = response.text().await.map_err(|e| fail(e.to_string()))?;
        Ok(Answer {
            status: response.status(),
            body,
            date: response.headers().get("date"),
        })
    }
}

/// The request of [`post`].
fn build(
    url: &str,
    headers: &[(&str, &str)],
    json: Option<&str>,
    signal: Option<&AbortSignal>,
) -> Result<Request, gloo_net::Error> {
    let mut builder = Request::post(url)
        .credentials(RequestCredentials::Include)
        .abort_signal(signal);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    match json {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .body(body),
        None => builder.build(),
    }
}

/// The `name: message` of a thrown error (`AbortError: ...` once aborted).
fn message(error: &JsValue) -> String {
    let get = |key: &str| {
        js_sys::Reflect::get(error, &key.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    [get("name"), get("message")].join(": ")
}

/// A failure: an abort when the signal fired (or the browser says so), else a network one.
fn failure(message: String, signal: Option<&AbortSignal>) -> Failure {
    if message.starts_with("AbortError") || signal.is_some_and(AbortSignal::aborted) {
        Failure::Aborted
    } else {
        Failure::Network(message)
    }
}
