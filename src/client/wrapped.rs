//! `auth.fetch`: `window.fetch` with `credentials: "include"`, the token for allowed origins,
//! and on a 401 one shared refresh and one retry with the body intact.

use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Headers, Request, Response, Url};

use crate::core::origin::join;
use crate::core::Error;
use crate::web::{http, js};

use super::peers;
use super::refresh::refresh_after_401;
use super::requests::ensure_fresh;
use super::Inner;

/// A request ready to be sent, once or twice.
enum Outgoing {
    /// A URL and a private copy of `init` whose `headers` is a `Headers` object: sent as is,
    /// again for a retry (its body is a string, a buffer, a Blob or form data, all reusable).
    Url {
        href: String,
        init: Object,
        headers: Headers,
    },
    /// A `Request` (given as input, or carrying a one-shot stream body): each attempt sends
    /// a copy, so the body is intact for a retry.
    Request(Request),
}

/// `fetch(input, init)`, wrapped.
pub async fn fetch(inner: &Rc<Inner>, input: &JsValue, init: &JsValue) -> Result<Response, Error> {
    inner.check_alive()?;
    let (outgoing, origin) = prepare(inner, input, init)?;
    let allowed = inner.allow.allows(&origin);
    if allowed {
        ensure_fresh(inner).await;
    }
    let (response, used) = send(inner, &outgoing, allowed).await?;
    if response.status() != 401 || used.is_none() {
        return Ok(response);
    }
    if refresh_after_401(inner, used).await.is_err() || !peers::holds_valid_token(inner) {
        return Ok(response); // the original 401: no loop, no lost response
    }
    Ok(send(inner, &outgoing, allowed).await?.0)
}

/// Sends one attempt, with the token when allowed; returns when the token used was obtained.
async fn send(
    inner: &Inner,
    outgoing: &Outgoing,
    allowed: bool,
) -> Result<(Response, Option<f64>), Error> {
    let (input, init, headers): (JsValue, JsValue, Headers) = match outgoing {
        Outgoing::Url {
            href,
            init,
            headers,
        } => (href.into(), init.into(), headers.clone()),
        Outgoing::Request(request) => {
            let copy = request.clone().map_err(|e| invalid(&e))?;
            let headers = copy.headers();
            (copy.into(), JsValue::UNDEFINED, headers)
        }
    };
    let mut used = None;
    if allowed {
        if let Some(token) = inner.session.borrow().token() {
            let bearer = format!("Bearer {}", token.jwt);
            headers
                .set("Authorization", &bearer)
                .map_err(|e| invalid(&e))?;
            used = Some(token.obtained_at_ms);
        }
    }
    Ok((http::send(&input, &init).await?, used))
}

/// Resolves the target against `apiBase` and copies `init` with `credentials: "include"`.
/// Returns the request and its origin as the browser's URL parser sees it (never a string
/// guess: `http://evil.test\@api.test` goes to evil.test).
fn prepare(inner: &Inner, input: &JsValue, init: &JsValue) -> Result<(Outgoing, String), Error> {
    let copy = Object::new();
    if init.is_object() {
        Object::assign(&copy, init.unchecked_ref());
    } else if !init.is_undefined() && !init.is_null() {
        return Err(Error::Config("fetch init must be an object".into()));
    }
    let set = |key: &str, value: &JsValue| Reflect::set(&copy, &key.into(), value);
    let _ = set("credentials", &"include".into());
    if let Some(request) = input.dyn_ref::<Request>() {
        let request = Request::new_with_request_and_init(request, copy.unchecked_ref())
            .map_err(|e| invalid(&e))?;
        let origin = Url::new(&request.url())
            .map(|u| u.origin())
            .unwrap_or_default();
        return Ok((Outgoing::Request(request), origin));
    }
    let target = input
        .as_string()
        .or_else(|| Some(String::from(input.dyn_ref::<Object>()?.to_string()))) // URL objects
        .ok_or_else(|| Error::Config("fetch input must be a URL string, URL or Request".into()))?;
    let url = Url::new(&join(&inner.options.api_base, &target)).map_err(|e| invalid(&e))?;
    let (href, origin) = (url.href(), url.origin());
    let given = Reflect::get(&copy, &"headers".into()).unwrap_or(JsValue::UNDEFINED);
    let headers = if given.is_undefined() || given.is_null() {
        Headers::new()
    } else {
        Headers::new_with_str_sequence_sequence(&given) // `new Headers(init.headers)`
    }
    .map_err(|e| invalid(&e))?;
    let _ = set("headers", &headers);
    let body = Reflect::get(&copy, &"body".into()).unwrap_or(JsValue::UNDEFINED);
    check_method(&copy, &body)?;
    if is_stream(&body) {
        let request =
            Request::new_with_str_and_init(&href, copy.unchecked_ref()).map_err(|e| invalid(&e))?;
        return Ok((Outgoing::Request(request), origin));
    }
    Ok((
        Outgoing::Url {
            href,
            init: copy,
            headers,
        },
        origin,
    ))
}

/// What `new Request` would refuse, found without building one (that costs time per call):
/// a method that is not an HTTP token or is forbidden, or a body on GET/HEAD.
fn check_method(init: &Object, body: &JsValue) -> Result<(), Error> {
    let method = Reflect::get(init, &"method".into()).unwrap_or(JsValue::UNDEFINED);
    let method = match method.as_string() {
        Some(m) => m.to_ascii_uppercase(),
        None if method.is_undefined() => "GET".into(),
        None => return Err(Error::Config("fetch init.method must be a string".into())),
    };
    let is_token = !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !is_token || matches!(method.as_str(), "CONNECT" | "TRACE" | "TRACK") {
        return Err(Error::Config(
            "invalid fetch arguments: bad init.method".into(),
        ));
    }
    if matches!(method.as_str(), "GET" | "HEAD") && !body.is_undefined() && !body.is_null() {
        return Err(Error::Config(
            "invalid fetch arguments: a GET or HEAD request has no body".into(),
        ));
    }
    Ok(())
}

/// Whether a body is a one-shot `ReadableStream` (it has a `getReader` method).
fn is_stream(body: &JsValue) -> bool {
    body.is_object() && Reflect::get(body, &"getReader".into()).is_ok_and(|f| f.is_function())
}

fn invalid(e: &JsValue) -> Error {
    Error::Config(format!("invalid fetch arguments: {}", js::message_of(e)))
}
