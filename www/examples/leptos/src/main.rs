//! tokenrelay's Leptos example: a Leptos 0.8 app rendered in the browser, signed in with
//! tokenrelay-leptos. A login page, a guarded account page with the user and the answers of 20
//! parallel API calls, and a logout button. It shares one session with every other tab of its
//! origin, JS or Rust. The API's address is the page's `<meta name="api-base">`.

use futures::future::join_all;
use gloo_net::http::Request;
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes, A};
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::{path, NavigateOptions};
use tokenrelay_leptos::{provide_auth, use_auth, Options, RequireAuth};

/// The API's address: the page's `<meta name="api-base" content="...">`, else the reference
/// server's default.
fn api_base() -> String {
    document()
        .query_selector(r#"meta[name="api-base"]"#)
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .unwrap_or_else(|| "http://127.0.0.1:8000".into())
}

/// The claims the account page shows.
#[derive(Clone, PartialEq, serde::Deserialize)]
struct User {
    email: String,
}

/// What the login form posts.
#[derive(Clone, serde::Serialize)]
struct Credentials {
    email: String,
    password: String,
}

fn main() {
    leptos::mount::mount_to_body(App);
}

/// The root: the session for every page, the status, the navigation and the routes.
#[component]
fn App() -> impl IntoView {
    let auth = provide_auth(Options::new(api_base())).expect("valid options");
    let signed_in = auth.is_signed_in();
    view! {
        <Router>
            <main>
                <p>"Status: " <b id="status">{move || auth.state().with(|s| s.status.as_str())}</b></p>
                <nav>
                    <A href="/account">"Account"</A>
                    " "
                    <Show when=move || signed_in.get()>
                        <LogoutButton/>
                    </Show>
                </nav>
                <Routes fallback=|| view! { <p>"Not found."</p> }>
                    <Route path=path!("/") view=|| view! { <p id="home">"Home"</p> }/>
                    <Route path=path!("/login") view=Login/>
                    <Route path=path!("/account") view=Guarded/>
                </Routes>
            </main>
        </Router>
    }
}

/// The account page behind the guard: signed out, the login page, which comes back here.
#[component]
fn Guarded() -> impl IntoView {
    let here = use_location().pathname.get_untracked();
    view! {
        <RequireAuth fallback=move || view! { <Redirect path=format!("/login?redirect={here}")/> }>
            <Account/>
        </RequireAuth>
    }
}

/// The login form; signed in, it goes where the guard sent it from (or home).
#[component]
fn Login() -> impl IntoView {
    let login = use_auth().login_action::<Credentials>();
    let email = RwSignal::new(String::from("demo@example.com"));
    let password = RwSignal::new(String::from("demo"));
    let query = use_query_map();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if login.value().with(|v| matches!(v, Some(Ok(_)))) {
            let to = query
                .with_untracked(|q| q.get("redirect"))
                .unwrap_or_else(|| "/".into());
            navigate(
                &to,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    let error = move || {
        login.value().with(|v| {
            v.as_ref()
                .and_then(|r| r.as_ref().err().map(ToString::to_string))
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        login.dispatch(Credentials {
            email: email.get_untracked(),
            password: password.get_untracked(),
        });
    };
    view! {
        <form id="login-form" on:submit=submit>
            <input name="email" autocomplete="username" bind:value=email/>
            <input name="password" type="password" autocomplete="current-password" bind:value=password/>
            <button id="login" type="submit">"Sign in"</button>
            {move || error().map(|e| view! { <p id="error">{e}</p> })}
        </form>
    }
}

/// Who is signed in, and 20 parallel calls of the API through the session.
#[component]
fn Account() -> impl IntoView {
    let auth = use_auth();
    let user = auth.user::<User>();
    let result = RwSignal::new(String::new());
    let burst = move |_| {
        result.set(String::new());
        let Some(client) = auth.client() else { return };
        leptos::task::spawn_local(async move {
            let calls = (0..20).map(|_| async {
                let answer = client.fetch(Request::get(&client.url("/api/me"))).await;
                answer.map_or(0, |r| r.status())
            });
            let statuses: Vec<String> = join_all(calls).await.iter().map(u16::to_string).collect();
            result.set(statuses.join(","));
        });
    };
    view! {
        <section id="account">
            <p>"Signed in as " <b id="user">{move || user.get().map(|u| u.email)}</b></p>
            <button id="burst" on:click=burst>"20 calls"</button>
            <output id="burst-result">{result}</output>
        </section>
    }
}

/// Signs every tab out.
#[component]
fn LogoutButton() -> impl IntoView {
    let logout = use_auth().logout_action();
    view! { <button id="logout" on:click=move |_| { logout.dispatch(()); }>"Sign out"</button> }
}
