//! # tokenrelay-leptos
//!
//! [tokenrelay](https://docs.rs/tokenrelay)'s Rust driver in a Leptos 0.8 app: the session as
//! a signal, login and logout as actions, and a guard component. It translates lifetimes and
//! reactivity only: every rule of the session (restore, refresh across tabs, logout) is the
//! driver's, `tokenrelay::web::AuthClient`.
//!
//! ```no_run
//! use leptos::prelude::*;
//! use tokenrelay_leptos::{provide_auth, use_auth, Options, RequireAuth};
//!
//! #[component]
//! fn App() -> impl IntoView {
//!     provide_auth(Options::new("https://api.example.com")).expect("valid options");
//!     view! { <RequireAuth fallback=|| "Please sign in"><Account/></RequireAuth> }
//! }
//!
//! #[component]
//! fn Account() -> impl IntoView {
//!     let auth = use_auth();
//!     let logout = auth.logout_action();
//!     view! { <button on:click=move |_| { logout.dispatch(()); }>"Sign out"</button> }
//! }
//! ```
//!
//! On a server render (any target but `wasm32`) there is no browser and no session: the state
//! stays `Unknown`, so a guarded page renders nothing until the browser takes over.
#![deny(missing_docs)]

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use tokenrelay::core::{Error, Options, Status};

#[cfg(target_arch = "wasm32")]
pub use tokenrelay::web::{AuthClient, AuthState, LoggedOut};

#[cfg(not(target_arch = "wasm32"))]
mod server;
#[cfg(not(target_arch = "wasm32"))]
pub use server::{AuthState, LoggedOut};

/// The client behind the handle: the driver in the browser, nothing on a server.
#[cfg(target_arch = "wasm32")]
type Client = AuthClient;
#[cfg(not(target_arch = "wasm32"))]
type Client = ();

/// The session of the app, as [`provide_auth`] made it and [`use_auth`] finds it. `Copy`:
/// move it into any closure.
///
/// # Example
/// ```no_run
/// use leptos::prelude::*;
/// #[component]
/// fn Who() -> impl IntoView {
///     let auth = tokenrelay_leptos::use_auth();
///     let label = move || if auth.is_signed_in().get() { "in" } else { "out" };
///     view! { <span>{label}</span> }
/// }
/// ```
#[derive(Clone, Copy)]
pub struct Auth {
    /// The client (and its subscription), owned by the component that provided it: disposed
    /// with it.
    client: StoredValue<Option<Client>, LocalStorage>,
    state: RwSignal<AuthState>,
    signed_in: Memo<bool>,
    logout: Action<(), Result<LoggedOut, Error>>,
}

/// Makes the app's client for `options` (call it in the root component), provides it to every
/// component below, and starts it (the session of another tab, else the refresh cookie's).
/// The client is disposed when that component is. On a server render nothing is made and the
/// state stays `Unknown`.
///
/// # Errors
/// `config`, naming the bad option.
///
/// # Example
/// ```no_run
/// use leptos::prelude::*;
/// #[component]
/// fn App() -> impl IntoView {
///     let mut options = tokenrelay_leptos::Options::new("https://api.example.com");
///     options.channel = "my-app".into();
///     tokenrelay_leptos::provide_auth(options).expect("valid options");
///     view! { <p>"..."</p> }
/// }
/// ```
pub fn provide_auth(options: Options) -> Result<Auth, Error> {
    let auth = make(options)?;
    provide_context(auth);
    Ok(auth)
}

#[cfg(target_arch = "wasm32")]
fn make(options: Options) -> Result<Auth, Error> {
    let client = AuthClient::new(options)?;
    let state = RwSignal::new(client.state());
    let subscription = client.subscribe(move |now| state.set(now.clone()));
    // Dropped with the providing component: the listener goes, then the client is disposed.
    StoredValue::new_local(subscription);
    let starting = client.clone();
    leptos::task::spawn_local(async move {
        let _ = starting.start().await; // the outcome is in the state
    });
    let stored = StoredValue::new_local(Some(client));
    let logout = Action::new_unsync(move |_: &()| {
        let client = stored.get_value();
        async move {
            match client {
                Some(client) => client.logout().await,
                None => Err(Error::Disposed),
            }
        }
    });
    Ok(Auth {
        client: stored,
        state,
        signed_in: Memo::new(move |_| state.with(AuthState::is_signed_in)),
        logout,
    })
}

#[cfg(not(target_arch = "wasm32"))]
fn make(options: Options) -> Result<Auth, Error> {
    options.validate()?;
    let state = RwSignal::new(AuthState::unknown());
    Ok(Auth {
        client: StoredValue::new_local(None),
        state,
        signed_in: Memo::new(move |_| state.with(AuthState::is_signed_in)),
        logout: Action::new_unsync(|_: &()| async { Err(Error::NotSignedIn) }),
    })
}

/// The session provided by [`provide_auth`] above this component.
///
/// # Panics
/// When no component above called [`provide_auth`] (a mistake in the app's tree).
///
/// # Example
/// ```no_run
/// use leptos::prelude::*;
/// #[component]
/// fn Status() -> impl IntoView {
///     let auth = tokenrelay_leptos::use_auth();
///     move || if auth.is_signed_in().get() { "signed in" } else { "signed out" }
/// }
/// ```
#[track_caller]
pub fn use_auth() -> Auth {
    use_context::<Auth>()
        .unwrap_or_else(|| panic!("use_auth: call provide_auth in a component above this one"))
}

impl Auth {
    /// The session as a signal: it changes on every sign-in, refresh, sign-out and failure,
    /// in this tab or another.
    ///
    /// # Example
    /// ```no_run
    /// # fn demo(auth: tokenrelay_leptos::Auth) {
    /// use leptos::prelude::*;
    /// let status = move || auth.state().with(|s| s.status.as_str());
    /// # }
    /// ```
    pub fn state(&self) -> Signal<AuthState> {
        self.state.read_only().into()
    }

    /// Whether a token is held: a memo, so it changes only when that does (not on each
    /// refresh).
    ///
    /// # Example
    /// ```no_run
    /// # fn demo(auth: tokenrelay_leptos::Auth) {
    /// use leptos::prelude::*;
    /// let label = move || if auth.is_signed_in().get() { "Sign out" } else { "Sign in" };
    /// # }
    /// ```
    pub fn is_signed_in(&self) -> Memo<bool> {
        self.signed_in
    }

    /// The token's claims read into `C` (`None` signed out, or when the claims do not fit
    /// `C`): a memo, so it changes only when the claims do. Each call makes one, owned by the
    /// calling component: call it once there.
    ///
    /// # Example
    /// ```no_run
    /// # fn demo(auth: tokenrelay_leptos::Auth) {
    /// use leptos::prelude::*;
    /// #[derive(Clone, PartialEq, serde::Deserialize)]
    /// struct User {
    ///     email: String,
    /// }
    /// let user = auth.user::<User>();
    /// let email = move || user.get().map(|u| u.email).unwrap_or_default();
    /// # }
    /// ```
    pub fn user<C>(&self) -> Memo<Option<C>>
    where
        C: DeserializeOwned + PartialEq + Clone + Send + Sync + 'static,
    {
        let state = self.state;
        Memo::new(move |_| state.with(|s| s.user::<C>().ok().flatten()))
    }

    /// An action that logs in with the credentials it is dispatched with (posted as JSON);
    /// its value is the outcome (`unauthorized` for refused credentials).
    ///
    /// # Example
    /// ```no_run
    /// # fn demo(auth: tokenrelay_leptos::Auth) {
    /// use leptos::prelude::*;
    /// #[derive(Clone, serde::Serialize)]
    /// struct Login {
    ///     email: String,
    ///     password: String,
    /// }
    /// let login = auth.login_action::<Login>();
    /// login.dispatch(Login { email: "ada@example.com".into(), password: "secret".into() });
    /// let refused = move || login.value().get().is_some_and(|r| r.is_err());
    /// # }
    /// ```
    pub fn login_action<B>(&self) -> Action<B, Result<AuthState, Error>>
    where
        B: Serialize + Clone + Send + Sync + 'static,
    {
        let client = self.client;
        Action::new_unsync(move |body: &B| {
            let (client, body) = (client.get_value(), body.clone());
            async move { login(client, body).await }
        })
    }

    /// The action that signs out every tab (and the server, as soon as it answers); its value
    /// says whether the server confirmed.
    ///
    /// # Example
    /// ```no_run
    /// # fn demo(auth: tokenrelay_leptos::Auth) {
    /// use leptos::prelude::*;
    /// let logout = auth.logout_action();
    /// let sign_out = move |_: ()| {
    ///     logout.dispatch(());
    /// };
    /// # }
    /// ```
    pub fn logout_action(&self) -> Action<(), Result<LoggedOut, Error>> {
        self.logout
    }

    /// The client itself, for `fetch` and the rest of its API (`None` once the providing
    /// component is gone).
    ///
    /// # Example
    /// ```no_run
    /// # async fn demo(auth: tokenrelay_leptos::Auth) -> Result<(), tokenrelay_leptos::Error> {
    /// use gloo_net::http::Request;
    /// if let Some(client) = auth.client() {
    ///     let response = client.fetch(Request::get(&client.url("/api/me"))).await?;
    /// }
    /// # Ok(()) }
    /// ```
    #[cfg(target_arch = "wasm32")]
    pub fn client(&self) -> Option<AuthClient> {
        self.client.try_get_value().flatten()
    }
}

#[cfg(target_arch = "wasm32")]
async fn login<B: Serialize>(client: Option<Client>, body: B) -> Result<AuthState, Error> {
    match client {
        Some(client) => client.login(&body).await,
        None => Err(Error::Disposed),
    }
}

#[cfg(not(target_arch = "wasm32"))]
async fn login<B: Serialize>(_: Option<Client>, _: B) -> Result<AuthState, Error> {
    Err(Error::NotSignedIn)
}

/// What a guard shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gate {
    /// Not known yet (`start()` or a refresh without a token under way): nothing yet.
    Waiting,
    SignedIn,
    SignedOut,
}

/// Shows its children while signed in, `fallback` once signed out, and nothing while the
/// session is being restored (as the React and Vue guards do). It renders again only when that changes (a refresh does not
/// remount the page).
///
/// # Example
/// ```no_run
/// use leptos::prelude::*;
/// use tokenrelay_leptos::RequireAuth;
/// #[component]
/// fn Guarded() -> impl IntoView {
///     view! { <RequireAuth fallback=|| view! { <p>"Sign in first."</p> }><p>"Secret"</p></RequireAuth> }
/// }
/// ```
#[component]
pub fn RequireAuth<F, V>(
    /// Shown when signed out (a redirect to the login page, say).
    fallback: F,
    /// Shown while signed in.
    children: ChildrenFn,
) -> impl IntoView
where
    F: Fn() -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let auth = use_auth();
    let state = auth.state;
    let gate = Memo::new(move |_| {
        state.with(|s| {
            if s.is_signed_in() {
                Gate::SignedIn
            } else if s.status == Status::SignedOut {
                Gate::SignedOut
            } else {
                Gate::Waiting
            }
        })
    });
    move || match gate.get() {
        Gate::SignedIn => children().into_any(),
        Gate::SignedOut => fallback().into_any(),
        Gate::Waiting => ().into_any(),
    }
}
