//! A Leptos 0.8 app rendered in the browser: a login form, an account page and a logout
//! button, with client-side routes. The baseline of tokenrelay's Leptos example: the same pages
//! with no session behind them yet (the user name is kept in a signal).

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes, A};
use leptos_router::hooks::use_navigate;
use leptos_router::path;

/// Who is signed in, as the pages see it: `None` when nobody is.
#[derive(Clone, Copy)]
struct User(RwSignal<Option<String>>);

fn main() {
    leptos::mount::mount_to_body(App);
}

/// The root: the user in context, the navigation bar and the routes.
#[component]
fn App() -> impl IntoView {
    let user = User(RwSignal::new(None));
    provide_context(user);
    view! {
        <Router>
            <nav>
                <A href="/">"Home"</A>
                " "
                <A href="/account">"Account"</A>
                " "
                <Show when=move || user.0.with(Option::is_some)>
                    <LogoutButton/>
                </Show>
            </nav>
            <main>
                <Routes fallback=|| view! { <p>"Not found."</p> }>
                    <Route path=path!("/") view=Login/>
                    <Route path=path!("/account") view=Account/>
                </Routes>
            </main>
        </Router>
    }
}

/// The login form: a name and a password; submitting signs in and opens the account page.
#[component]
fn Login() -> impl IntoView {
    let User(user) = expect_context::<User>();
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let who = name.get_untracked();
        if who.is_empty() || password.with_untracked(String::is_empty) {
            return;
        }
        user.set(Some(who));
        password.set(String::new());
        navigate("/account", Default::default());
    };
    view! {
        <h1>"Sign in"</h1>
        <form on:submit=submit>
            <label>"Name " <input name="username" autocomplete="username" bind:value=name/></label>
            <label>
                "Password "
                <input
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    bind:value=password
                />
            </label>
            <button type="submit">"Sign in"</button>
        </form>
    }
}

/// The account page: the user's name, or a redirect to the login form when nobody is signed in.
#[component]
fn Account() -> impl IntoView {
    let User(user) = expect_context::<User>();
    move || match user.get() {
        Some(name) => view! {
            <h1>"Account"</h1>
            <p>"Signed in as " <strong id="user">{name}</strong></p>
        }
        .into_any(),
        None => view! { <Redirect path="/"/> }.into_any(),
    }
}

/// Signs out and goes back to the login form.
#[component]
fn LogoutButton() -> impl IntoView {
    let User(user) = expect_context::<User>();
    let navigate = use_navigate();
    let logout = move |_| {
        user.set(None);
        navigate("/", Default::default());
    };
    view! { <button id="logout" on:click=logout>"Sign out"</button> }
}
