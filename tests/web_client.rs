//! Browser tests of the Rust driver (`tokenrelay::web::AuthClient`, feature `web`) in headless
//! Chromium: the pump over the real Web Locks, BroadcastChannel, timers, `document.cookie`,
//! localStorage and fetch. The API is a fake in the page (a `fetch` stub answering one made-up
//! origin per test, minting unsigned JWTs and counting calls), so every test owns its server,
//! channel and cooldown cookie. Two clients in one page are two tabs: BroadcastChannel and Web
//! Locks do not tell them apart.
#![cfg(all(feature = "web", target_arch = "wasm32"))]

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::Request;
use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use wasm_bindgen_test::*;

use tokenrelay::web::{AuthClient, Csrf, Error, Options, Status};

wasm_bindgen_test_configure!(run_in_browser);

/// Installs (once) the page's fetch stub: requests to `https://api-<n>.test` are answered by
/// fake server `n` (`globalThis.__servers[n]`), anything else by the real fetch.
const STUB: &str = r#"
if (!globalThis.__servers) {
  const servers = globalThis.__servers = {};
  const real = globalThis.fetch;
  const b64 = (o) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const json = (status, body) => new Response(JSON.stringify(body),
    { status, headers: { "Content-Type": "application/json" } });
  globalThis.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const s = servers[url.hostname];
    if (!s) return real(input, init);
    await new Promise((r) => setTimeout(r, 5));
    const mint = () => {
      const now = Math.floor(Date.now() / 1000);
      const token = b64({ alg: "HS256", typ: "JWT" }) + "." +
        b64({ sub: "ada", name: "Ada", n: ++s.minted, iat: now, exp: now + s.ttl }) + ".sig" + s.minted;
      s.valid.add(token);
      return token;
    };
    switch (url.pathname) {
      case "/auth/login": {
        s.logins++;
        const body = await request.json();
        if (body.password !== "secret") return json(401, { error: "bad credentials" });
        s.session = true;
        return json(200, { accessToken: mint() });
      }
      case "/auth/refresh":
        s.refreshes++;
        s.csrf = request.headers.get("X-Requested-With");
        s.xsrf = request.headers.get("X-XSRF-TOKEN");
        s.body = await request.text();
        return s.session ? json(200, { accessToken: mint() }) : json(401, {});
      case "/auth/logout":
        s.logouts++;
        s.session = false;
        s.valid.clear();
        return json(200, {});
      case "/api/me": {
        s.calls++;
        s.credentials = request.credentials;
        const token = (request.headers.get("Authorization") ?? "").replace("Bearer ", "");
        return s.valid.has(token) ? json(200, { sub: "ada" }) : json(401, {});
      }
    }
    return json(404, {});
  };
}
"#;

/// One fake API: its origin and counters.
struct Server {
    origin: String,
    state: JsValue,
}

impl Server {
    /// A fresh fake API whose tokens live `ttl_s` seconds.
    fn new(ttl_s: u32) -> Server {
        js_sys::eval(STUB).unwrap();
        let host = format!("api-{}.test", (js_sys::Math::random() * 1e12) as u64);
        let state = js_sys::eval(&format!(
            "globalThis.__servers[{host:?}] = {{ ttl: {ttl_s}, minted: 0, logins: 0, refreshes: 0, \
             logouts: 0, calls: 0, session: false, valid: new Set() }}"
        ))
        .unwrap();
        Server {
            origin: format!("https://{host}"),
            state,
        }
    }

    fn count(&self, key: &str) -> u32 {
        Reflect::get(&self.state, &key.into())
            .unwrap()
            .as_f64()
            .unwrap_or(0.0) as u32
    }

    fn text(&self, key: &str) -> Option<String> {
        Reflect::get(&self.state, &key.into()).unwrap().as_string()
    }

    /// The server refuses every access token issued so far (as after a key rotation).
    fn refuse_tokens(&self) {
        let valid = Reflect::get(&self.state, &"valid".into()).unwrap();
        let clear: js_sys::Function = Reflect::get(&valid, &"clear".into()).unwrap().into();
        clear.call0(&valid).unwrap();
    }

    /// Options for a client of this API, on a channel and cooldown cookie of its own.
    fn options(&self) -> Options {
        let mut options = Options::new(self.origin.as_str());
        let id = self
            .origin
            .trim_start_matches("https://api-")
            .replace(".test", "");
        options.channel = format!("tokenrelay.test.{id}");
        options.cooldown_cookie = format!("tr_cooldown_{id}");
        options
    }
}

#[derive(serde::Serialize)]
struct Credentials<'a> {
    username: &'a str,
    password: &'a str,
}

const GOOD: Credentials = Credentials {
    username: "ada",
    password: "secret",
};

#[derive(serde::Deserialize, Debug, PartialEq)]
struct User {
    sub: String,
    name: String,
}

/// Settles after `ms` of the page's timers.
async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits until `condition` holds (checked every 10 ms, for at most `ms`).
async fn until(what: &str, ms: i32, condition: impl Fn() -> bool) {
    for _ in 0..ms / 10 {
        if condition() {
            return;
        }
        sleep(10).await;
    }
    assert!(condition(), "timed out waiting for: {what}");
}

#[wasm_bindgen_test]
fn new_refuses_a_bad_option_and_names_it() {
    let error = AuthClient::new(Options::new("not a url")).err().unwrap();
    assert_eq!(error.code(), "config");
    assert!(error.to_string().contains("apiBase"), "{error}");
    let mut options = Options::new("https://api.test");
    options.request_timeout_ms = 0.0;
    let error = AuthClient::new(options).err().unwrap();
    assert!(error.to_string().contains("requestTimeoutMs"), "{error}");
    // The Rust enum is a std error with the JS codes.
    let boxed: Box<dyn std::error::Error> = Box::new(error);
    assert!(boxed.to_string().starts_with("invalid options"));
}

#[wasm_bindgen_test]
async fn start_without_a_refresh_cookie_settles_signed_out() {
    let server = Server::new(60);
    let auth = AuthClient::new(server.options()).unwrap();
    assert!(auth.state().status == Status::Unknown);
    let state = auth.start().await.unwrap();
    assert!(state.status == Status::SignedOut, "{state:?}");
    assert_eq!(server.count("refreshes"), 1);
    assert_eq!(server.text("csrf").as_deref(), Some("tokenrelay"));
}

#[wasm_bindgen_test]
async fn login_signs_in_with_typed_claims_and_fetch_carries_the_token() {
    let server = Server::new(60);
    let auth = AuthClient::new(server.options()).unwrap();
    let refused = auth
        .login(&Credentials {
            username: "ada",
            password: "wrong",
        })
        .await;
    assert!(
        matches!(refused, Err(Error::Unauthorized(401))),
        "{refused:?}"
    );
    let state = auth.login(&GOOD).await.unwrap();
    assert!(state.status == Status::SignedIn, "{state:?}");
    let user = state.user::<User>().unwrap().unwrap();
    assert_eq!(user.name, "Ada");
    assert!(state.user::<Vec<u8>>().is_err(), "claims that do not fit");
    let response = auth
        .fetch(Request::get(&auth.url("/api/me")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.text("credentials").as_deref(), Some("include"));
    assert_eq!(server.count("refreshes"), 0);
    assert!(auth.access_token().await.unwrap().contains('.'));
    assert!(auth.sends_token(&server.origin));
    assert!(!auth.sends_token("https://elsewhere.test/"));
}

#[wasm_bindgen_test]
async fn twenty_parallel_fetches_refused_make_one_refresh_and_twenty_200s() {
    let server = Server::new(60);
    let auth = AuthClient::new(server.options()).unwrap();
    auth.login(&GOOD).await.unwrap();
    server.refuse_tokens();
    let ok = Rc::new(Cell::new(0));
    let done = Rc::new(Cell::new(0));
    for _ in 0..20 {
        let (auth, ok, done) = (auth.clone(), ok.clone(), done.clone());
        spawn_local(async move {
            let response = auth.fetch(Request::get(&auth.url("/api/me"))).await;
            if response.is_ok_and(|r| r.status() == 200) {
                ok.set(ok.get() + 1);
            }
            done.set(done.get() + 1);
        });
    }
    until("20 answers", 5000, || done.get() == 20).await;
    assert_eq!(ok.get(), 20);
    assert_eq!(server.count("refreshes"), 1);
    assert_eq!(server.count("calls"), 40);
}

#[wasm_bindgen_test]
async fn a_second_tab_takes_the_token_without_a_request() {
    let server = Server::new(60);
    let first = AuthClient::new(server.options()).unwrap();
    first.login(&GOOD).await.unwrap();
    let second = AuthClient::new(server.options()).unwrap();
    let state = second.start().await.unwrap();
    assert!(state.status == Status::SignedIn, "{state:?}");
    assert_eq!(server.count("refreshes"), 0);
    // A refresh in one tab hands the new token to the other with no request of its own.
    let before = second.access_token().await.unwrap();
    first.refresh().await.unwrap();
    until("the new token", 2000, || {
        second.state().expires_at_ms != state.expires_at_ms
    })
    .await;
    assert_ne!(second.access_token().await.unwrap(), before);
    assert_eq!(server.count("refreshes"), 1);
}

#[wasm_bindgen_test]
async fn logout_in_one_tab_signs_out_the_other_and_tells_its_listener() {
    let server = Server::new(60);
    let first = AuthClient::new(server.options()).unwrap();
    first.login(&GOOD).await.unwrap();
    let second = AuthClient::new(server.options()).unwrap();
    second.start().await.unwrap();
    let heard = Rc::new(Cell::new(false));
    let flag = heard.clone();
    let subscription = second.subscribe(move |state| {
        if state.status == Status::SignedOut {
            flag.set(true);
        }
    });
    let out = first.logout().await.unwrap();
    assert!(out.confirmed);
    assert!(out.state.status == Status::SignedOut);
    until("the other tab signed out", 2000, || heard.get()).await;
    assert!(second.state().status == Status::SignedOut);
    assert_eq!(server.count("logouts"), 1);
    // A dropped subscription hears nothing more.
    drop(subscription);
    heard.set(false);
    second.login(&GOOD).await.unwrap();
    assert!(!heard.get());
}

#[wasm_bindgen_test]
async fn a_due_token_is_refreshed_by_the_timer() {
    // A 2 s token is due at half its life: the machine's timer (armed by the pump) fires.
    let server = Server::new(2);
    let auth = AuthClient::new(server.options()).unwrap();
    auth.login(&GOOD).await.unwrap();
    until("a scheduled refresh", 4000, || {
        server.count("refreshes") == 1
    })
    .await;
    assert!(auth.state().is_signed_in());
}

#[wasm_bindgen_test]
async fn a_disposed_client_fails_every_call_with_disposed() {
    let server = Server::new(60);
    let auth = AuthClient::new(server.options()).unwrap();
    auth.login(&GOOD).await.unwrap();
    let clone = auth.clone();
    drop(auth); // a clone remains: not disposed
    assert!(clone.state().is_signed_in());
    clone.dispose();
    assert!(matches!(clone.start().await, Err(Error::Disposed)));
    assert!(matches!(clone.access_token().await, Err(Error::Disposed)));
    let fetched = clone.fetch(Request::get(&clone.url("/api/me"))).await;
    assert!(matches!(fetched, Err(Error::Disposed)));
}

#[wasm_bindgen_test]
async fn a_double_submit_cookie_and_a_refresh_body_are_sent_and_a_missing_cookie_sends_nothing() {
    let server = Server::new(60);
    let mut options = server.options();
    let cookie = options.cooldown_cookie.replace("tr_cooldown_", "xsrf_");
    options.csrf_header = None;
    options.csrf = Some(Csrf {
        cookie: cookie.clone(),
        header: "X-XSRF-TOKEN".into(),
    });
    options.refresh_body = Some(r#"{"mode":"cookie"}"#.into());
    // No double-submit cookie: the refresh is not sent, and the restore settles signed out.
    let auth = AuthClient::new(options.clone()).unwrap();
    let state = auth.start().await.unwrap();
    assert!(state.status == Status::SignedOut, "{state:?}");
    assert_eq!(
        server.count("refreshes"),
        0,
        "nothing sent without the cookie"
    );
    drop(auth);
    // With it: its value (percent-decoded) in the header, no static header, the body as given.
    let document: web_sys::HtmlDocument = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .dyn_into()
        .unwrap();
    document
        .set_cookie(&format!("{cookie}=a%20b; Path=/"))
        .unwrap();
    let auth = AuthClient::new(options).unwrap();
    auth.start().await.unwrap();
    assert_eq!(server.count("refreshes"), 1);
    assert_eq!(server.text("xsrf").as_deref(), Some("a b"));
    assert_eq!(
        server.text("csrf"),
        None,
        "csrfHeader off: no X-Requested-With"
    );
    assert_eq!(server.text("body").as_deref(), Some(r#"{"mode":"cookie"}"#));
    document
        .set_cookie(&format!("{cookie}=; Path=/; Max-Age=0"))
        .unwrap();
}
