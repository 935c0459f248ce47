//! [`AuthClient`]: the Rust driver's API, the same calls as the JS `AuthClient` over the same
//! machine (the pump in pump.rs carries out its outputs).

use alloc::rc::Rc;
use alloc::string::String;

use gloo_net::http::Response;
use serde::Serialize;

use super::fetch::{self, IntoRequest};
use super::pump::{self, call, now, Shared};
use super::state::AuthState;
use crate::core::machine::Input;
use crate::core::origin::{is_absolute, join};
use crate::core::{Error, Options};

/// One login session of a single-page app, shared with every other tab of the origin (Rust
/// or JS) that uses the same `channel`: the access token in wasm memory, the refresh token in
/// the server's HttpOnly cookie, one refresh across all tabs.
///
/// Cheap to clone (the clones share one client); the client is disposed when the last clone
/// is dropped, or by [`AuthClient::dispose`].
///
/// # Example
/// ```no_run
/// # async fn demo() -> Result<(), tokenrelay::core::Error> {
/// use tokenrelay::core::Options;
/// use tokenrelay::web::AuthClient;
///
/// let auth = AuthClient::new(Options::new("https://api.example.com"))?;
/// auth.start().await?;
/// if !auth.state().is_signed_in() {
///     let credentials = [("username", "ada"), ("password", "secret")];
///     auth.login(&std::collections::BTreeMap::from(credentials)).await?;
/// }
/// let me = auth.fetch(gloo_net::http::Request::get(&auth.url("/me"))).await?;
/// # let _ = me; Ok(()) }
/// ```
#[derive(Clone)]
pub struct AuthClient {
    owner: Rc<Owner>,
}

/// Disposes the driver when the last clone of the client goes.
struct Owner {
    driver: Shared,
}

impl Drop for Owner {
    fn drop(&mut self) {
        pump::dispose(&self.driver);
    }
}

/// Unsubscribes its listener when dropped (see [`AuthClient::subscribe`]).
///
/// # Example
/// ```no_run
/// # fn demo(auth: tokenrelay::web::AuthClient) {
/// let subscription = auth.subscribe(|_state| {});
/// drop(subscription); // the listener is removed
/// # }
/// ```
#[must_use = "the listener is removed when the subscription is dropped"]
pub struct Subscription {
    driver: alloc::rc::Weak<core::cell::RefCell<pump::Driver>>,
    id: u64,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(driver) = self.driver.upgrade() {
            driver
                .borrow_mut()
                .listeners
                .retain(|(id, _)| *id != self.id);
        }
    }
}

/// What [`AuthClient::logout`] came to.
///
/// # Example
/// ```no_run
/// # async fn demo(auth: tokenrelay::web::AuthClient) -> Result<(), tokenrelay::core::Error> {
/// let out = auth.logout().await?;
/// assert!(!out.state.is_signed_in());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedOut {
    /// The state after it (signed out).
    pub state: AuthState,
    /// Whether the server confirmed the logout (answered 2xx or 401).
    pub confirmed: bool,
}

impl AuthClient {
    /// Makes a client for the API of `options` (the JS options, snake_case, with the same
    /// defaults: see [`Options::new`]); it opens the channel, listens to the page and joins
    /// the tabs' presence. The session is `Unknown` until [`AuthClient::start`] or a login.
    ///
    /// # Errors
    /// `config`, with a message naming the option (`apiBase must be an absolute http(s) URL`).
    ///
    /// # Example
    /// ```no_run
    /// use tokenrelay::core::Options;
    /// let mut options = Options::new("https://api.example.com");
    /// options.refresh_ahead_seconds = 60.0;
    /// let auth = tokenrelay::web::AuthClient::new(options)?;
    /// # Ok::<(), tokenrelay::core::Error>(())
    /// ```
    pub fn new(options: Options) -> Result<AuthClient, Error> {
        let driver = pump::open(options)?;
        Ok(AuthClient {
            owner: Rc::new(Owner { driver }),
        })
    }

    fn driver(&self) -> &Shared {
        &self.owner.driver
    }

    /// Settles the session at page load: a token of another tab, else the refresh cookie's.
    /// Idempotent. Resolves with the state whatever it is (signed in or out).
    ///
    /// # Errors
    /// `disposed`.
    ///
    /// # Example
    /// ```no_run
    /// # async fn demo(auth: tokenrelay::web::AuthClient) -> Result<(), tokenrelay::core::Error> {
    /// let state = auth.start().await?;
    /// let signed_in = state.is_signed_in();
    /// # Ok(()) }
    /// ```
    pub async fn start(&self) -> Result<AuthState, Error> {
        call(self.driver(), |call| Input::Start { call }).await?;
        Ok(self.state())
    }

    /// Posts `credentials` as JSON to `login_path`; every tab is signed in with the token.
    ///
    /// # Errors
    /// `unauthorized` (refused), `network`, `server`, `bad_response`, `bad_token`,
    /// `disposed`; `config` when `credentials` cannot be written as JSON.
    ///
    /// # Example
    /// ```no_run
    /// # async fn demo(auth: tokenrelay::web::AuthClient) -> Result<(), tokenrelay::core::Error> {
    /// #[derive(serde::Serialize)]
    /// struct Login<'a> {
    ///     username: &'a str,
    ///     password: &'a str,
    /// }
    /// auth.login(&Login { username: "ada", password: "secret" }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn login<B: Serialize + ?Sized>(&self, credentials: &B) -> Result<AuthState, Error> {
        let not_json = || Error::Config("the login body must be a JSON-serialisable value".into());
        let value = credentials
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|_| not_json())?;
        let body: String = js_sys::JSON::stringify(&value)
            .map_err(|_| not_json())?
            .into();
        call(self.driver(), |call| Input::Login { call, body }).await?;
        Ok(self.state())
    }

    /// Sends `request` with `credentials: "include"` and the access token when its URL's
    /// origin is `api_base`'s or in `allowed_origins` (a due token is refreshed first); on a
    /// status of `retry_on` (401 by default) to a request that carried a token, one refresh
    /// shared with every caller and tab, and one retry with the body intact. Any other answer is returned as is.
    ///
    /// # Errors
    /// `network` (no answer), `config` (a request the browser refuses), `disposed`.
    ///
    /// # Example
    /// ```no_run
    /// # async fn demo(auth: tokenrelay::web::AuthClient) -> Result<(), tokenrelay::core::Error> {
    /// use gloo_net::http::Request;
    /// let response = auth.fetch(Request::get(&auth.url("/api/orders"))).await?;
    /// if response.ok() {
    ///     let _orders = response.text().await;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn fetch(&self, request: impl IntoRequest) -> Result<Response, Error> {
        let request = request.into_request().map_err(|e| {
            Error::Config(crate::core::text::concat(&[
                "invalid fetch arguments: ",
                &e.to_string(),
            ]))
        })?;
        fetch::fetch(self.driver(), request).await
    }

    /// `target` as the URL [`AuthClient::fetch`] should be given: a path appended to
    /// `api_base`; an absolute URL as is.
    ///
    /// # Example
    /// ```no_run
    /// # fn demo(auth: tokenrelay::web::AuthClient) {
    /// // With api_base "https://api.example.com/v1":
    /// assert_eq!(auth.url("/me"), "https://api.example.com/v1/me");
    /// # }
    /// ```
    pub fn url(&self, target: &str) -> String {
        if is_absolute(target) {
            return target.into();
        }
        join(&self.driver().borrow().machine.options().api_base, target)
    }

    /// Whether [`AuthClient::fetch`] sends the token (and the cookies) to `url`.
    ///
    /// # Example
    /// ```no_run
    /// # fn demo(auth: tokenrelay::web::AuthClient) {
    /// assert!(!auth.sends_token("https://elsewhere.example/"));
    /// # }
    /// ```
    pub fn sends_token(&self, url: &str) -> bool {
        fetch::allowed(self.driver(), url)
    }

    /// Refreshes now: one refresh shared by every caller and tab (a newer token that comes
    /// meanwhile ends it).
    ///
    /// # Errors
    /// `session_expired` (the refresh cookie was refused), `network`, `server`,
    /// `bad_response`, `bad_token`, `disposed`.
    ///
    /// # Example
    /// ```no_run
    /// # async fn demo(auth: tokenrelay::web::AuthClient) -> Result<(), tokenrelay::core::Error> {
    /// let state = auth.refresh().await?;
    /// # Ok(()) }
    /// ```
    pub async fn refresh(&self) -> Result<AuthState, Error> {
        let used = self
            .driver()
            .borrow()
            .machine
            .session
            .token()
            .map(|t| t.order_ms);
        call(self.driver(), move |call| Input::Refresh {
            call,
            proactive: false,
            used,
        })
        .await?;
        Ok(self.state())
    }

    /// A valid access token, refreshed first if it is due (for a header of your own; prefer
    /// [`AuthClient::fetch`], which keeps the token out of your code).
    ///
    /// # Errors
    /// `not_signed_in`, `session_expired`, `disposed`.
    ///
    /// # Example
    /// ```no_run
    /// # async fn demo(auth: tokenrelay::web::AuthClient) -> Result<(), tokenrelay::core::Error> {
    /// let bearer = format!("Bearer {}", auth.access_token().await?);
    /// # Ok(()) }
    /// ```
    pub async fn access_token(&self) -> Result<String, Error> {
        call(self.driver(), |call| Input::Ensure { call }).await?;
        let d = self.driver().borrow();
        d.machine
            .usable_token(now().wall_ms)
            .map(|token| token.jwt.clone())
    }

    /// Signs out every tab at once and logs out on the server (again, until it answers, by
    /// whichever tab is open).
    ///
    /// # Errors
    /// `disposed`.
    ///
    /// # Example
    /// ```no_run
    /// # async fn demo(auth: tokenrelay::web::AuthClient) -> Result<(), tokenrelay::core::Error> {
    /// let out = auth.logout().await?;
    /// if !out.confirmed { /* the server will be told later */ }
    /// # Ok(()) }
    /// ```
    pub async fn logout(&self) -> Result<LoggedOut, Error> {
        let confirmed = call(self.driver(), |call| Input::Logout { call }).await?;
        Ok(LoggedOut {
            state: self.state(),
            confirmed,
        })
    }

    /// Calls `listener` with the state after every change, until the returned
    /// [`Subscription`] is dropped.
    ///
    /// # Example
    /// ```no_run
    /// # fn demo(auth: tokenrelay::web::AuthClient) {
    /// let subscription = auth.subscribe(|state| {
    ///     web_sys::console::log_1(&state.status.as_str().into());
    /// });
    /// drop(subscription); // no more calls
    /// # }
    /// ```
    pub fn subscribe(&self, listener: impl Fn(&AuthState) + 'static) -> Subscription {
        let mut d = self.driver().borrow_mut();
        d.last_listener += 1;
        let id = d.last_listener;
        if !d.disposed {
            d.listeners.push((id, Rc::new(listener)));
        }
        Subscription {
            driver: Rc::downgrade(self.driver()),
            id,
        }
    }

    /// The session now.
    ///
    /// # Example
    /// ```no_run
    /// # fn demo(auth: tokenrelay::web::AuthClient) {
    /// use tokenrelay::core::Status;
    /// let signed_out = auth.state().status == Status::SignedOut;
    /// # }
    /// ```
    pub fn state(&self) -> AuthState {
        AuthState::of(&self.driver().borrow().machine.session)
    }

    /// Disposes the client now (what dropping its last clone does): the channel, timer, page
    /// listeners and locks are released, the auth requests under way aborted; calls under way
    /// and later ones fail with `disposed`.
    ///
    /// # Example
    /// ```no_run
    /// # fn demo(auth: tokenrelay::web::AuthClient) {
    /// auth.dispose();
    /// # }
    /// ```
    pub fn dispose(&self) {
        pump::dispose(self.driver());
    }
}
