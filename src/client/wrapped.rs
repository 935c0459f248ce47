//! `auth.fetch`: `window.fetch` with `credentials: "include"`, the token for allowed origins,
//! and on a 401 one shared refresh and one retry with the body intact.

use std::rc::Rc;

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{Headers, Request, Response, Url};

use crate::core::origin::{is_absolute, join};
use crate::core::Error;
use crate::web::{http, js};

use super::peers;
use super::refresh::refresh_after_401;
use super::requests::ensure_fresh;
use super::Inner;

#[wasm_bindgen]
extern "C" {
    /// `Headers`, seen through a `set` that takes a JS string as is (the cached `Bearer`).
    type JsHeaders;
    #[wasm_bindgen(method, js_name = set, catch)]
    fn set(this: &JsHeaders, name: &str, value: &JsValue) -> Result<(), JsValue>;

    /// The private copy of a wrapped fetch's `init`, through the fields the wrapper reads
    /// (plain property reads in the glue: no key strings cross the boundary per call).
    #[wasm_bindgen(extends = Object)]
    type FetchInit;
    #[wasm_bindgen(method, getter)]
    fn method(this: &FetchInit) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn body(this: &FetchInit) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn headers(this: &FetchInit) -> JsValue;

    /// A plain headers record (what a caller that gave no headers gets: the browser reads a
    /// record faster than a `Headers` object).
    #[wasm_bindgen(extends = Object)]
    type HeaderRecord;
    #[wasm_bindgen(method, setter = Authorization)]
    fn set_authorization(this: &HeaderRecord, value: &JsValue);
}

/// The headers a wrapped request is sent with, where the token goes.
enum HeaderBag {
    /// The caller gave none: a plain record.
    Record(HeaderRecord),
    /// `new Headers(init.headers)` (the caller's own object is never changed) or a
    /// `Request`'s headers.
    Headers(Headers),
}

impl HeaderBag {
    fn set_authorization(&self, bearer: &JsValue) -> Result<(), Error> {
        match self {
            HeaderBag::Record(record) => record.set_authorization(bearer),
            HeaderBag::Headers(headers) => headers
                .unchecked_ref::<JsHeaders>()
                .set("Authorization", bearer)
                .map_err(|e| invalid(&e))?,
        }
        Ok(())
    }
}

/// A request ready to be sent, once or twice.
enum Outgoing {
    /// A URL and a private copy of `init` whose `headers` are ours to change: sent as is,
    /// again for a retry (its body is a string, a buffer, a Blob or form data, all reusable).
    Url {
        url: JsValue,
        init: Object,
        headers: HeaderBag,
    },
    /// A `Request` (given as input, or carrying a one-shot stream body): each attempt sends
    /// a copy, so the body is intact for a retry.
    Request(Request),
}

/// A wrapped fetch after its synchronous part.
pub struct Begun {
    outgoing: Outgoing,
    allowed: bool,
    /// The first attempt, already on the wire (when no refresh had to come first), and
    /// when the token it carries was obtained.
    sent: Option<(Promise, Option<f64>)>,
}

/// The synchronous part of `fetch(input, init)`: checks the arguments and, when the token
/// needs no refresh first, starts the request at once (no task hop before the network).
pub fn begin(inner: &Inner, input: &JsValue, init: &JsValue) -> Result<Begun, Error> {
    inner.check_alive()?;
    let (outgoing, allowed) = prepare(inner, input, init)?;
    let sent = if allowed && !is_settled(inner) {
        None
    } else {
        Some(start(inner, &outgoing, allowed)?)
    };
    Ok(Begun {
        outgoing,
        allowed,
        sent,
    })
}

impl Begun {
    /// The first attempt, when it is on the wire already, and when the token it carries was
    /// obtained. Without it, [`finish`] sends the request after a refresh.
    pub fn take_sent(&mut self) -> Option<(Promise, Option<f64>)> {
        self.sent.take()
    }
}

/// The rest: a refresh first if due, the answer, and on a 401 one shared refresh and one
/// retry.
pub async fn finish(inner: &Rc<Inner>, mut begun: Begun) -> Result<Response, Error> {
    let (first, used) = match begun.take_sent() {
        Some(sent) => sent,
        None => {
            ensure_fresh(inner).await;
            start(inner, &begun.outgoing, begun.allowed)?
        }
    };
    let response = http::response(first).await?;
    answered(inner, begun, used, response).await
}

/// Whether the answer to an attempt that carried the token obtained at `used` is final:
/// anything but a 401 to a request sent with a token.
pub fn is_final(response: &Response, used: Option<f64>) -> bool {
    response.status() != 401 || used.is_none()
}

/// After the first answer: itself when final, else one shared refresh and one retry.
pub async fn answered(
    inner: &Rc<Inner>,
    begun: Begun,
    used: Option<f64>,
    response: Response,
) -> Result<Response, Error> {
    if is_final(&response, used) {
        return Ok(response);
    }
    if inner.held_order().is_none() {
        // Signed out since the request was sent: the session is known to be over, so a late
        // 401 is the answer, not a reason to refresh.
        return Ok(response);
    }
    if refresh_after_401(inner, used).await.is_err() || !peers::holds_valid_token(inner) {
        return Ok(response); // the original 401: no loop, no lost response
    }
    let (retry, _) = start(inner, &begun.outgoing, begun.allowed)?;
    http::response(retry).await
}

/// Whether the token can be used as is: no restore or refresh under way, none due.
fn is_settled(inner: &Inner) -> bool {
    let ahead_ms = inner.options.refresh_ahead_seconds * 1000.0;
    inner.restore.borrow().is_none()
        && inner.flight.borrow().is_none()
        && !inner
            .session
            .borrow()
            .token()
            .is_some_and(|t| t.needs_refresh(js::now_ms(), ahead_ms))
}

/// Starts one attempt, with the token when allowed; returns the pending answer and when the
/// token used was obtained.
fn start(
    inner: &Inner,
    outgoing: &Outgoing,
    allowed: bool,
) -> Result<(Promise, Option<f64>), Error> {
    // A `Request` is sent as a fresh copy each time; these hold it for the borrows below.
    let (copy, copy_headers);
    let (input, init, headers): (&JsValue, &JsValue, &HeaderBag) = match outgoing {
        Outgoing::Url { url, init, headers } => (url, init, headers),
        Outgoing::Request(request) => {
            let request = request.clone().map_err(|e| invalid(&e))?;
            copy_headers = HeaderBag::Headers(request.headers());
            copy = JsValue::from(request);
            (&copy, &JsValue::UNDEFINED, &copy_headers)
        }
    };
    let mut used = None;
    if allowed {
        if let Some((bearer, obtained_at)) = inner.bearer() {
            headers.set_authorization(&bearer)?;
            used = Some(obtained_at);
        }
    }
    Ok((http::start(input, init)?, used))
}

/// Where a request goes, as far as the allow-list is concerned.
enum Target {
    /// Appended to `apiBase` after a `/`, `?` or `#`, which ends the authority: the request
    /// goes to `apiBase`'s origin, whatever the target holds. Checked once, at construction.
    Relative,
    /// An absolute URL or a `Request`, with its origin as the browser's URL parser sees it
    /// (never a string guess: `http://evil.test\@api.test` goes to evil.test).
    Absolute(JsValue),
}

impl Target {
    /// Whether the target may receive the token, and so the cookies (`credentials:
    /// "include"`): `apiBase`'s origin and the allow-list. The origin stays a JS string: the
    /// allow-list is checked on the JS side.
    fn is_allowed(&self, inner: &Inner) -> bool {
        match self {
            Target::Relative => inner.api_base_allowed,
            Target::Absolute(origin) => inner.allowed_origins.includes(origin, 0),
        }
    }
}

/// Whether `auth.fetch(target)` would send the token (and `credentials: "include"`) to the
/// URL `target`: the one allow-list check, for callers that send requests themselves.
pub fn sends_token(inner: &Inner, target: &str) -> bool {
    resolve(inner, target.to_owned()).is_ok_and(|(_, _, target)| target.is_allowed(inner))
}

/// Where the string `target` of a request goes: an absolute URL, parsed by the browser's URL
/// parser, or a target appended to `apiBase`. Returns what `fetch` is given (the `URL`, or the
/// joined string), its href, and the target. Fails only for an absolute URL that does not parse.
fn resolve(inner: &Inner, target: String) -> Result<(JsValue, String, Target), JsValue> {
    if is_absolute(&target) {
        let url = Url::new(&target)?;
        let origin = origin_of(&url);
        Ok((url.into(), target, Target::Absolute(origin)))
    } else {
        // No URL parsing per call (it is the costliest part of a call): the browser's fetch
        // parses the string once anyway.
        let href = join(&inner.options.api_base, &target);
        Ok((JsValue::from_str(&href), href, Target::Relative))
    }
}

/// Resolves the target against `apiBase` and copies `init`, with `credentials: "include"`
/// for allowed targets (elsewhere the caller's own choice stands). Returns the request and
/// whether its target is allowed.
fn prepare(inner: &Inner, input: &JsValue, init: &JsValue) -> Result<(Outgoing, bool), Error> {
    let copy = Object::new();
    if init.is_object() {
        Object::assign(&copy, init.unchecked_ref());
    } else if !init.is_undefined() && !init.is_null() {
        return Err(Error::Config("fetch init must be an object".into()));
    }
    let include_if = |allowed: bool| {
        if allowed {
            js::set(&copy, "credentials", &"include".into());
        }
        allowed
    };
    if let Some(request) = input.dyn_ref::<Request>() {
        let origin = Url::new(&request.url()).map_or(JsValue::NULL, |u| origin_of(&u));
        let allowed = include_if(Target::Absolute(origin).is_allowed(inner));
        let request = Request::new_with_request_and_init(request, copy.unchecked_ref())
            .map_err(|e| invalid(&e))?;
        return Ok((Outgoing::Request(request), allowed));
    }
    let target = input
        .as_string()
        .or_else(|| Some(String::from(input.dyn_ref::<Object>()?.to_string()))) // URL objects
        .ok_or_else(|| Error::Config("fetch input must be a URL string, URL or Request".into()))?;
    let (url, href, target) = resolve(inner, target).map_err(|e| invalid(&e))?;
    let allowed = include_if(target.is_allowed(inner));
    let copy: FetchInit = copy.unchecked_into();
    let given = copy.headers();
    let headers = if given.is_undefined() || given.is_null() {
        let record = Object::new();
        js::set(&copy, "headers", &record);
        HeaderBag::Record(record.unchecked_into())
    } else {
        // `new Headers(init.headers)`
        let headers = Headers::new_with_str_sequence_sequence(&given).map_err(|e| invalid(&e))?;
        js::set(&copy, "headers", &headers);
        HeaderBag::Headers(headers)
    };
    let body = copy.body();
    check_method(&copy.method(), &body)?;
    if is_stream(&body) {
        let request =
            Request::new_with_str_and_init(&href, copy.unchecked_ref()).map_err(|e| invalid(&e))?;
        return Ok((Outgoing::Request(request), allowed));
    }
    Ok((
        Outgoing::Url {
            url,
            init: copy.into(),
            headers,
        },
        allowed,
    ))
}

/// `url.origin`, left in JS.
fn origin_of(url: &Url) -> JsValue {
    Reflect::get(url, &"origin".into()).unwrap_or(JsValue::NULL)
}

/// What `new Request` would refuse, found without building one (that costs time per call):
/// a method that is not an HTTP token or is forbidden, or a body on GET/HEAD.
fn check_method(method: &JsValue, body: &JsValue) -> Result<(), Error> {
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
    Error::Config(["invalid fetch arguments: ", &js::message_of(e)].concat())
}
