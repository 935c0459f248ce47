//! The auth POSTs (login, refresh, logout) as one HTTP call each, through gloo-net.
//!
//! [`post`] sends with `credentials: "include"` (the refresh cookie goes along), the headers
//! given, an optional JSON body and an abort signal, and settles only once the whole body is
//! read: an [`Answer`] (any status) or a [`Failure`]. What a status means is the core's
//! business, as are timeouts and retries.

use alloc::string::{String, ToString};

use gloo_net::http::Request;
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
    /// connection cut mid-body. The browser's message.
    Network(String),
}

/// POSTs to `url` with `headers`, and `json` as an `application/json` body when given;
/// `signal` aborts it.
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
pub async fn post(
    url: &str,
    headers: &[(&str, &str)],
    json: Option<&str>,
    signal: Option<&AbortSignal>,
) -> Result<Answer, Failure> {
    let mut builder = Request::post(url)
        .credentials(RequestCredentials::Include)
        .abort_signal(signal);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    let request = match json {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .body(body),
        None => builder.build(),
    }
    .map_err(|e| failure(e, signal))?;
    let response = request.send().await.map_err(|e| failure(e, signal))?;
    let body = response.text().await.map_err(|e| failure(e, signal))?;
    Ok(Answer {
        status: response.status(),
        body,
        date: response.headers().get("date"),
    })
}

/// Classifies a gloo-net error: an abort when the signal fired, else a network failure.
fn failure(error: gloo_net::Error, signal: Option<&AbortSignal>) -> Failure {
    let aborted = match &error {
        gloo_net::Error::JsError(e) => e.name == "AbortError",
        _ => false,
    };
    if aborted || signal.is_some_and(AbortSignal::aborted) {
        Failure::Aborted
    } else {
        Failure::Network(error.to_string())
    }
}
