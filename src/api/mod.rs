//! The JS API: the `AuthClient` class. Its TypeScript types are written once, by hand, in
//! js/lib/types.d.ts (the package publishes those; the glue's generated ones are dropped).

mod errors;
pub use errors::is_token_relay_error;
mod options;
pub(crate) mod state;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::client::{refresh, requests, wrapped, Inner};
use crate::core::Error;
use crate::web::http;

/// A login session against one API: restores, refreshes and attaches the access token.
#[wasm_bindgen]
pub struct AuthClient {
    inner: Rc<Inner>,
    /// Turns a rejected `fetch` into a `network` TokenRelayError: one function for every call
    /// of this client (per client rather than a `thread_local!`, whose machinery costs more
    /// wasm than the one closure).
    network_failure: JsValue,
}

#[wasm_bindgen]
extern "C" {
    /// A promise seen through a `then` whose handlers may return values or promises.
    type Thenable;
    #[wasm_bindgen(method)]
    fn then(this: &Thenable, on_fulfilled: &JsValue, on_rejected: &JsValue) -> Promise;
}

/// `promise.then(on_fulfilled, on_rejected)`.
fn then(promise: &Promise, on_fulfilled: &JsValue, on_rejected: &JsValue) -> Promise {
    promise
        .unchecked_ref::<Thenable>()
        .then(on_fulfilled, on_rejected)
}

/// Runs `task` and settles a Promise with its value or a `TokenRelayError` (one helper for
/// every method keeps the wasm small). A client disposed meanwhile rejects with `disposed`.
fn promise(
    inner: &Rc<Inner>,
    task: Pin<Box<dyn Future<Output = Result<JsValue, Error>>>>,
) -> Promise {
    let inner = Rc::downgrade(inner);
    future_to_promise(async move {
        let result = task.await;
        let alive = inner.upgrade().is_some_and(|i| i.check_alive().is_ok());
        result
            .and_then(|value| {
                if alive {
                    Ok(value)
                } else {
                    Err(Error::Disposed)
                }
            })
            .map_err(|e| errors::to_js(&e))
    })
}

#[wasm_bindgen]
impl AuthClient {
    /// Creates a client. Throws a `TokenRelayError` with code `config`, naming the option,
    /// when an option is missing, unknown or invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<AuthClient, JsValue> {
        let build = || -> Result<AuthClient, Error> {
            let options = options::read(&options)?;
            let allow = options.validate()?;
            let network_failure = Closure::<dyn FnMut(JsValue) -> JsValue>::new(|e: JsValue| {
                JsValue::from(Promise::reject(&errors::to_js(&http::network(&e))))
            });
            Ok(AuthClient {
                inner: Inner::new(options, allow),
                network_failure: network_failure.into_js_value(),
            })
        };
        build().map_err(|e| errors::to_js(&e))
    }

    /// The current state; the same (frozen) object until it changes.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> JsValue {
        self.inner.state()
    }

    /// Calls `listener(state)` on every state change; returns an idempotent unsubscribe.
    pub fn subscribe(&self, listener: Function) -> Function {
        let id = self.inner.subscribe(listener);
        let weak = Rc::downgrade(&self.inner);
        Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                inner.unsubscribe(id);
            }
        })
        .into_js_value()
        .unchecked_into()
    }

    /// Restores the session: a token from another tab, else the refresh cookie. Resolves
    /// with the state (`signedOut` when there is no session); rejects only when disposed.
    pub fn start(&self) -> Promise {
        let inner = self.inner.clone();
        promise(
            &self.inner,
            Box::pin(async move {
                requests::start(&inner).await?;
                Ok(inner.state())
            }),
        )
    }

    /// Posts `body` as JSON to `loginPath`; resolves with the state, rejects with
    /// `unauthorized`, `network`, `server`, `bad_response` or `bad_token`.
    pub fn login(&self, body: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(
            &self.inner,
            Box::pin(async move {
                requests::login(&inner, &body).await?;
                Ok(inner.state())
            }),
        )
    }

    /// Like `window.fetch`, with the token for allowed origins, `credentials: "include"`,
    /// and on a 401 one shared refresh and one retry.
    pub fn fetch(&self, input: JsValue, init: Option<js_sys::Object>) -> Promise {
        let init: JsValue = init.map_or(JsValue::UNDEFINED, Into::into);
        // The request goes out before this returns, unless a refresh has to come first.
        let mut begun = match wrapped::begin(&self.inner, &input, &init) {
            Ok(begun) => begun,
            Err(e) => return Promise::reject(&errors::to_js(&e)),
        };
        let inner = self.inner.clone();
        let Some((first, used)) = begun.take_sent() else {
            return promise(
                &self.inner,
                Box::pin(async move { Ok(wrapped::finish(&inner, begun).await?.into()) }),
            );
        };
        // On the wire: the answer settles the returned promise through one callback, without
        // the async machinery (it costs ~20 us a call) unless a 401 calls for a refresh.
        let on_answer = Closure::once(move |answer: JsValue| -> JsValue {
            if inner.check_alive().is_err() {
                return Promise::reject(&errors::to_js(&Error::Disposed)).into();
            }
            let response = match http::as_response(answer) {
                Ok(response) if wrapped::is_final(&response, used) => return response.into(),
                Ok(response) => response,
                Err(e) => return Promise::reject(&errors::to_js(&e)).into(),
            };
            let owner = inner.clone();
            promise(
                &owner,
                Box::pin(async move {
                    Ok(wrapped::answered(&inner, begun, used, response)
                        .await?
                        .into())
                }),
            )
            .into()
        });
        then(&first, &on_answer.into_js_value(), &self.network_failure)
    }

    /// Whether `fetch(url)` sends the token and `credentials: "include"` to `url`
    /// (`apiBase`'s origin and `allowedOrigins`; a relative URL is appended to `apiBase`).
    #[wasm_bindgen(js_name = sendsToken)]
    pub fn sends_token(&self, url: &str) -> bool {
        wrapped::sends_token(&self.inner, url)
    }

    /// Refreshes now (one refresh shared by every caller and tab); resolves with the state.
    pub fn refresh(&self) -> Promise {
        let inner = self.inner.clone();
        promise(
            &self.inner,
            Box::pin(async move {
                let used = inner.held_order();
                refresh::refresh_after_401(&inner, used).await?;
                Ok(inner.state())
            }),
        )
    }

    /// A valid access token, refreshed first if it is due.
    #[wasm_bindgen(js_name = accessToken)]
    pub fn access_token(&self) -> Promise {
        let inner = self.inner.clone();
        promise(
            &self.inner,
            Box::pin(async move { Ok(requests::access_token(&inner).await?.into()) }),
        )
    }

    /// Logs out on the server and in every tab; resolves with the state.
    pub fn logout(&self) -> Promise {
        let inner = self.inner.clone();
        promise(
            &self.inner,
            Box::pin(async move {
                requests::logout(&inner).await?;
                Ok(inner.state())
            }),
        )
    }

    /// Releases the channel, timers and listeners; later calls reject with `disposed`.
    pub fn dispose(&self) {
        self.inner.dispose();
    }
}
