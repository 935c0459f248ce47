//! `AuthClient::fetch`: a gloo-net request sent with `credentials: "include"` and the token to
//! allowed origins, and on a status of `retry_on` (401 by default) one shared refresh and one
//! retry (the twin of js/lib/driver/wrapped.js). Whether a refresh comes first, and whether the
//! one after such an answer goes to the network, is the machine's call (`Ensure`, `Refresh` with the token used).

use alloc::string::String;

use gloo_net::http::{Request, RequestBuilder, Response};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit};

use super::auth_http::fetch_request;
use super::pump::{call, now, Shared};
use crate::core::machine::Input;
use crate::core::origin::origin_of;
use crate::core::text::concat;
use crate::core::Error;

/// What [`AuthClient::fetch`](super::AuthClient::fetch) takes: a built gloo-net [`Request`]
/// or a [`RequestBuilder`] (built without a body).
///
/// # Example
/// ```no_run
/// # async fn demo(auth: tokenrelay::web::AuthClient) -> Result<(), tokenrelay::core::Error> {
/// use gloo_net::http::Request;
/// let builder = Request::get(&auth.url("/api/me"));
/// let _ = auth.fetch(builder).await?; // a RequestBuilder
/// let built = Request::post(&auth.url("/api/echo")).body("hi").expect("a valid request");
/// let _ = auth.fetch(built).await?; // or a Request
/// # Ok(()) }
/// ```
pub trait IntoRequest {
    /// The request to send.
    ///
    /// # Errors
    /// gloo-net's, when the builder cannot build it (an invalid header, say).
    ///
    /// # Example
    /// ```no_run
    /// use gloo_net::http::Request;
    /// use tokenrelay::web::IntoRequest;
    /// let request = Request::get("https://api.example.com/me").into_request()?;
    /// # Ok::<(), gloo_net::Error>(())
    /// ```
    fn into_request(self) -> Result<Request, gloo_net::Error>;
}

impl IntoRequest for Request {
    fn into_request(self) -> Result<Request, gloo_net::Error> {
        Ok(self)
    }
}

impl IntoRequest for RequestBuilder {
    fn into_request(self) -> Result<Request, gloo_net::Error> {
        self.build()
    }
}

/// `disposed` once the client is.
fn alive(this: &Shared) -> Result<(), Error> {
    if this.borrow().disposed {
        return Err(Error::Disposed);
    }
    Ok(())
}

/// A `config` error for arguments the browser refused.
fn invalid(why: &str) -> Error {
    Error::Config(concat(&["invalid fetch arguments: ", why]))
}

/// The `message` of a thrown value.
fn message_of(thrown: &JsValue) -> String {
    js_sys::Reflect::get(thrown, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "fetch failed".into())
}

/// Whether `url` may carry the token (its origin is allowed).
pub(crate) fn allowed(this: &Shared, url: &str) -> bool {
    origin_of(url).is_some_and(|origin| this.borrow().allow.allows(&origin))
}

/// Sends `request` through the client: see [`AuthClient::fetch`](super::AuthClient::fetch).
pub(crate) async fn fetch(this: &Shared, request: Request) -> Result<Response, Error> {
    alive(this)?;
    let mut request: web_sys::Request = request.into();
    let allowed = allowed(this, &request.url());
    if allowed {
        let init = RequestInit::new();
        init.set_credentials(RequestCredentials::Include);
        request = web_sys::Request::new_with_request_and_init(&request, &init)
            .map_err(|e| invalid(&message_of(&e)))?;
        if !this.borrow().machine.settled(now().wall_ms) {
            call(this, |call| Input::Ensure { call }).await?;
        }
    }
    let (first, used) = attempt(this, &request, allowed)?;
    let response = first.await?;
    alive(this)?;
    let retry_on = this
        .borrow()
        .machine
        .options()
        .retry_on
        .contains(&response.status());
    if !retry_on || used.is_none() {
        return Ok(response);
    }
    // Signed out since the request was sent: a late 401 is the answer, not a reason to refresh.
    if this.borrow().machine.session.token().is_none() {
        return Ok(response);
    }
    let refreshed = call(this, move |call| Input::Refresh {
        call,
        proactive: false,
        used,
    })
    .await;
    alive(this)?;
    if refreshed.is_err() || this.borrow().machine.usable_token(now().wall_ms).is_err() {
        return Ok(response); // the original 401: no loop, no lost response
    }
    let (retry, _) = attempt(this, &request, allowed)?;
    let response = retry.await?;
    alive(this)?;
    Ok(response)
}

/// Starts one attempt with a fresh copy of `request` (its body intact for a retry) and the
/// token when `allowed`; returns the pending answer and the order of the token it carries.
fn attempt(
    this: &Shared,
    request: &web_sys::Request,
    allowed: bool,
) -> Result<
    (
        impl core::future::Future<Output = Result<Response, Error>>,
        Option<f64>,
    ),
    Error,
> {
    let copy = web_sys::Request::clone(request).map_err(|e| invalid(&message_of(&e)))?;
    let mut used = None;
    if allowed {
        let d = this.borrow();
        if let Some(token) = d.machine.session.token() {
            copy.headers()
                .set("Authorization", &concat(&["Bearer ", &token.jwt]))
                .map_err(|e| invalid(&message_of(&e)))?;
            used = Some(token.order_ms);
        }
    }
    let sent = JsFuture::from(fetch_request(&copy));
    let answer = async move {
        let response = sent.await.map_err(|e| Error::Network(message_of(&e)))?;
        Ok(Response::from(
            response.unchecked_into::<web_sys::Response>(),
        ))
    };
    Ok((answer, used))
}
