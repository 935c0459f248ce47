//! Browser tests of the web layer and the JS API surface, in headless Chromium
//! (`cargo test --target wasm32-unknown-unknown --tests`). Network behaviour against the
//! reference server is covered end to end in `tests/e2e`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use tokenrelay::core::cooldown;
use tokenrelay::core::protocol::{Envelope, Message};
use tokenrelay::web::{channel::Channel, cookie, js, locks};
use tokenrelay::{is_token_relay_error, AuthClient};

wasm_bindgen_test_configure!(run_in_browser);

/// An API base nobody listens on (port 9 is discard; connections are refused on loopback).
const CLOSED_API: &str = "http://127.0.0.1:9";

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn code_of(e: &JsValue) -> String {
    get(e, "code").as_string().unwrap_or_default()
}

fn client(extra: &[(&str, JsValue)]) -> AuthClient {
    let mut pairs = vec![
        ("apiBase", JsValue::from(CLOSED_API)),
        ("requestTimeoutMs", 2000.into()),
    ];
    pairs.extend(extra.iter().cloned());
    AuthClient::new(options(&pairs)).unwrap_or_else(|_| panic!("valid options"))
}

#[wasm_bindgen_test]
fn bad_options_throw_config_errors_naming_the_option() {
    let cases: Vec<(JsValue, &str)> = vec![
        (options(&[]), "apiBase"),
        (options(&[("apiBase", "ftp://x".into())]), "apiBase"),
        (options(&[("apiBase", "/relative".into())]), "apiBase"),
        (options(&[("apiBase", 42.into())]), "apiBase"),
        (JsValue::NULL, "apiBase"),
        (
            options(&[
                ("apiBase", CLOSED_API.into()),
                ("refreshAheadSeconds", "soon".into()),
            ]),
            "refreshAheadSeconds",
        ),
        (
            options(&[
                ("apiBase", CLOSED_API.into()),
                ("allowedOrigins", "x".into()),
            ]),
            "allowedOrigins",
        ),
        (
            options(&[
                ("apiBase", CLOSED_API.into()),
                ("useWebLocks", "yes".into()),
            ]),
            "useWebLocks",
        ),
        (
            options(&[("apiBase", CLOSED_API.into()), ("cooldownMs", (-1).into())]),
            "cooldownMs",
        ),
        (
            options(&[
                ("apiBase", CLOSED_API.into()),
                ("refreshAheadSecs", 5.into()),
            ]),
            "refreshAheadSecs",
        ),
    ];
    for (opts, option) in cases {
        let err = AuthClient::new(opts).err().expect("must throw");
        assert!(is_token_relay_error(&err), "{option}");
        assert_eq!(code_of(&err), "config", "{option}");
        let message = get(&err, "message").as_string().unwrap();
        assert!(message.contains(option), "{option}: {message}");
        assert!(err.is_instance_of::<js_sys::Error>());
        assert_eq!(
            get(&err, "name").as_string().as_deref(),
            Some("TokenRelayError")
        );
    }
}

#[wasm_bindgen_test]
fn is_token_relay_error_tells_ours_apart() {
    assert!(!is_token_relay_error(&js_sys::Error::new("x").into()));
    assert!(!is_token_relay_error(&options(&[(
        "code",
        "config".into()
    )])));
    assert!(!is_token_relay_error(&JsValue::NULL));
}

#[wasm_bindgen_test]
fn state_is_one_frozen_object_until_it_changes() {
    let auth = client(&[]);
    let a = auth.state();
    assert!(Object::is_frozen(a.unchecked_ref::<Object>()));
    assert_eq!(get(&a, "status").as_string().as_deref(), Some("unknown"));
    assert!(
        get(&a, "user").is_null() && get(&a, "expiresAt").is_null() && get(&a, "error").is_null()
    );
    assert!(
        Object::is(&a, &auth.state()),
        "same object while nothing changed"
    );
    auth.dispose();
}

#[wasm_bindgen_test]
async fn start_against_a_dead_api_keeps_unknown_and_reports_network() {
    let auth = client(&[]);
    let seen = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let counter = seen.clone();
    let listener = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(move |_| {
        counter.set(counter.get() + 1)
    });
    let off = auth.subscribe(
        listener
            .as_ref()
            .unchecked_ref::<js_sys::Function>()
            .clone(),
    );
    let before = auth.state();
    let state = JsFuture::from(auth.start())
        .await
        .expect("start never rejects for a dead API");
    assert_eq!(
        get(&state, "status").as_string().as_deref(),
        Some("unknown")
    );
    assert_eq!(code_of(&get(&state, "error")), "network");
    assert!(!Object::is(&before, &state), "a new object after a change");
    assert!(seen.get() >= 1, "listeners are told");
    // Unsubscribe is idempotent and stops notifications.
    off.call0(&JsValue::UNDEFINED).unwrap();
    off.call0(&JsValue::UNDEFINED).unwrap();
    let n = seen.get();
    let err = JsFuture::from(auth.login(options(&[("email", "a".into())])))
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), "network");
    assert_eq!(seen.get(), n, "no call after unsubscribe");
    auth.dispose();
}

#[wasm_bindgen_test]
async fn calls_after_dispose_reject_with_disposed() {
    let auth = client(&[]);
    auth.dispose();
    for p in [
        auth.start(),
        auth.logout(),
        auth.refresh(),
        auth.access_token(),
        auth.fetch("/x".into(), None),
    ] {
        let err = JsFuture::from(p).await.unwrap_err();
        assert_eq!(code_of(&err), "disposed");
        assert!(is_token_relay_error(&err));
    }
}

#[wasm_bindgen_test]
async fn access_token_without_a_session_is_not_signed_in() {
    let auth = client(&[]);
    let err = JsFuture::from(auth.access_token()).await.unwrap_err();
    assert_eq!(code_of(&err), "not_signed_in");
    auth.dispose();
}

#[wasm_bindgen_test]
async fn wrapped_fetch_rejects_bad_input_with_typed_errors() {
    let auth = client(&[]);
    let err = JsFuture::from(auth.fetch(JsValue::from(5), Some(Object::new()))).await;
    assert_eq!(
        code_of(&err.unwrap_err()),
        "config",
        "a number is not a URL"
    );
    let err = JsFuture::from(auth.fetch("/x".into(), None))
        .await
        .unwrap_err();
    assert_eq!(
        code_of(&err),
        "network",
        "a dead API is a network error, not a hang"
    );
    let get_with_body = options(&[("body", "x".into())]);
    let err = JsFuture::from(auth.fetch("/x".into(), Some(get_with_body.unchecked_into())))
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), "config", "a GET has no body");
    let bad_init = options(&[("method", "NOT A METHOD".into())]);
    let err = JsFuture::from(auth.fetch("/x".into(), Some(bad_init.unchecked_into())))
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), "config");
    auth.dispose();
}

#[wasm_bindgen_test]
async fn web_lock_is_exclusive_and_released_on_drop() {
    assert!(locks::available(), "127.0.0.1 is a secure context");
    let name = format!("test-{}", js::random_id());
    let held = locks::Request::new(&name, locks::Mode::Wait)
        .unwrap()
        .granted()
        .await
        .expect("free lock");
    let second = locks::Request::new(&name, locks::Mode::IfAvailable)
        .unwrap()
        .granted()
        .await;
    assert!(second.is_none(), "ifAvailable must not get a held lock");
    let waiting = locks::Request::new(&name, locks::Mode::Wait).unwrap();
    assert!(
        !js::settled_within(waiting.granted_promise(), 50.0).await,
        "waits while held"
    );
    drop(held);
    let next = waiting.granted().await;
    assert!(next.is_some(), "granted after release");
    let stolen = locks::Request::new(&name, locks::Mode::Steal)
        .unwrap()
        .granted()
        .await;
    assert!(stolen.is_some(), "steal takes a held lock");
}

#[wasm_bindgen_test]
async fn a_dropped_waiting_request_never_holds_the_lock() {
    let name = format!("test-{}", js::random_id());
    let held = locks::Request::new(&name, locks::Mode::Wait)
        .unwrap()
        .granted()
        .await
        .unwrap();
    drop(locks::Request::new(&name, locks::Mode::Wait).unwrap());
    drop(held);
    let again = locks::Request::new(&name, locks::Mode::Wait).unwrap();
    assert!(js::settled_within(again.granted_promise(), 2000.0).await);
    assert!(again.granted().await.is_some());
}

#[wasm_bindgen_test]
async fn channel_carries_valid_messages_and_drops_garbage() {
    let name = format!("test-{}", js::random_id());
    let got = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let sink = got.clone();
    let _rx = Channel::open(&name, move |e| sink.borrow_mut().push(e)).unwrap();
    let tx = Channel::open(&name, |_| {}).unwrap();
    let raw = web_sys::BroadcastChannel::new(&name).unwrap();
    for garbage in [
        JsValue::from(1),
        JsValue::NULL,
        "{".into(),
        r#"{"v":2,"from":"x","kind":"ask"}"#.into(),
        Object::new().into(),
    ] {
        raw.post_message(&garbage).unwrap();
    }
    let ask = Envelope {
        from: "tab-a".into(),
        message: Message::Ask,
    };
    tx.post(&ask);
    for _ in 0..100 {
        if !got.borrow().is_empty() {
            break;
        }
        js::sleep(10.0).await;
    }
    assert!(*got.borrow() == vec![ask], "only the valid message arrives");
    raw.close();
}

#[wasm_bindgen_test]
fn cooldown_cookie_round_trips_through_document_cookie() {
    let name = format!("cooldown{}", js::random_id());
    cookie::write(&cooldown::write_stamp(&name, 1_700_000_000_123.0, 60));
    assert_eq!(
        cooldown::read_stamp(&cookie::read_all(), &name),
        Some(1_700_000_000_123.0)
    );
}

/// `auth.fetch` attaches the token to a target relative to `apiBase` without parsing the
/// joined URL: the browser's parser must agree that the origin is `apiBase`'s, whatever the
/// target holds.
#[wasm_bindgen_test]
fn relative_targets_never_leave_the_api_origin() {
    use tokenrelay::core::origin::{is_absolute, join};
    let bases = [
        "http://127.0.0.1:8000",
        "http://127.0.0.1:8000/",
        "https://api.test/v1",
        "https://user@api.test:8443/v1/",
        "http://[::1]:8000/api?x=1",
    ];
    let targets = [
        "",
        "/",
        "me",
        "/me",
        "@evil.test/",
        "/@evil.test",
        "\\evil.test",
        "/\\evil.test",
        "\\\\evil.test/x",
        ":8080/x",
        "?next=//evil.test",
        "#//evil.test",
        "%2F%2Fevil.test",
        ".//evil.test",
        "..//evil.test",
        "/..//evil.test",
        " //evil.test",
        "\t//evil.test",
        "\n//evil.test",
        "evil.test:80",
        "a:b@evil.test",
    ];
    for base in bases {
        let origin = web_sys::Url::new(base).unwrap().origin();
        for target in targets {
            if is_absolute(target) {
                continue; // parsed and checked per call
            }
            let joined = join(base, target);
            let got = web_sys::Url::new(&joined).map(|u| u.origin());
            assert_eq!(
                got.as_deref(),
                Ok(origin.as_str()),
                "{base} + {target:?} = {joined}"
            );
        }
    }
}

/// `sendsToken(url)` answers with the allow-list `auth.fetch` uses: `apiBase`'s origin (relative
/// targets included) and `allowedOrigins`, as the browser's URL parser sees the origin.
#[wasm_bindgen_test]
fn sends_token_follows_the_allow_list() {
    let auth = client(&[(
        "allowedOrigins",
        js_sys::Array::of1(&"https://cdn.test".into()).into(),
    )]);
    let cases = [
        ("/api/me", true),
        ("@evil.test/", true), // relative: appended to apiBase
        ("http://127.0.0.1:9/api/me", true),
        ("HTTP://127.0.0.1:9", true),
        ("https://cdn.test/x", true),
        ("https://cdn.test:443/x", true),
        ("http://cdn.test/x", false),
        ("http://127.0.0.1:8000/api/me", false),
        ("http://localhost:9/api/me", false),
        ("http://evil.test\\@127.0.0.1:9/", false),
        ("http://127.0.0.1:9@evil.test/", false),
        ("http://[bad", false),
    ];
    for (url, expected) in cases {
        assert_eq!(auth.sends_token(url), expected, "{url}");
    }
}

/// `auth.fetch` calls the page's current `fetch` (so a page's own wrapper applies) and
/// rejects with a typed error when that wrapper resolves with something else than a Response.
#[wasm_bindgen_test]
async fn a_page_fetch_wrapper_is_used_and_checked() {
    let global = js_sys::global();
    let real = get(&global, "fetch");
    let calls = js_sys::Array::new();
    let fake =
        js_sys::Function::new_with_args("input", "this.push(input); return Promise.resolve(42);")
            .bind0(&calls);
    Reflect::set(&global, &"fetch".into(), &fake).unwrap();
    let auth = client(&[]);
    let result = JsFuture::from(auth.fetch("/me".into(), None)).await;
    Reflect::set(&global, &"fetch".into(), &real).unwrap();
    assert_eq!(calls.length(), 1, "the page's fetch was called once");
    assert_eq!(
        calls.get(0).as_string().as_deref(),
        Some("http://127.0.0.1:9/me")
    );
    assert_eq!(code_of(&result.unwrap_err()), "network");
    auth.dispose();
}

/// A compact JWT with `header` and `payload` as given (the signature is never checked).
fn jwt_of(header: &str, payload: &str) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let b64 = |s: &str| Base64UrlUnpadded::encode_string(s.as_bytes());
    format!("{}.{}.{}", b64(header), b64(payload), b64("sig"))
}

fn jwt_claims(payload: &str) -> String {
    jwt_of(r#"{"alg":"HS256","typ":"JWT"}"#, payload)
}

/// Tokens are read with the browser's `JSON.parse`: what it makes of the claims (numbers of
/// any size, Unicode, members of any type) decodes or is a `bad_token` error, never a panic.
#[wasm_bindgen_test]
fn claims_are_read_with_the_browsers_json_parser() {
    use tokenrelay::core::Token;
    let t = Token::decode(
        &jwt_claims(r#"{"sub":"u1","name":"Zoë 名前","iat":1000,"exp":1060,"nbf":1000}"#),
        5_000_000.0,
    )
    .unwrap();
    assert_eq!((t.expires_at_ms, t.lifetime_ms), (5_060_000.0, 60_000.0));
    let user = js_sys::JSON::parse(&t.payload).unwrap();
    assert_eq!(get(&user, "name").as_string().as_deref(), Some("Zoë 名前"));
    let fractional = Token::decode(&jwt_claims(r#"{"iat":1.0005e3,"exp":1060}"#), 0.0).unwrap();
    assert_eq!(fractional.lifetime_ms, 60_000.0, "whole seconds, as before");
    let without_iat = Token::decode(&jwt_claims(r#"{"exp":2000}"#), 1_900_000.0).unwrap();
    assert_eq!(without_iat.expires_at_ms, 2_000_000.0);
}

#[wasm_bindgen_test]
fn malformed_tokens_are_bad_token_errors_with_a_message() {
    use tokenrelay::core::Token;
    let ok = jwt_claims(r#"{"exp":60}"#);
    let cases: Vec<(String, &str)> = vec![
        // Not three parts.
        ("".into(), "three base64url parts"),
        ("abc".into(), "three base64url parts"),
        ("a.b".into(), "three base64url parts"),
        (format!("{ok}.more"), "three base64url parts"),
        // Bad base64url.
        (ok.replacen('.', ".*", 1), "payload is not base64url"),
        (format!("={ok}"), "header is not base64url"),
        (format!("{ok}+/"), "signature is not base64url"),
        // A header or payload that is not a JSON object.
        (
            jwt_of("not json", r#"{"exp":60}"#),
            "header is not a JSON object",
        ),
        (jwt_of(r#"{"typ":"JWT"}"#, r#"{"exp":60}"#), "no string alg"),
        (jwt_claims("not json"), "payload is not a JSON object"),
        (jwt_claims(r#"["array"]"#), "payload is not a JSON object"),
        (jwt_claims("null"), "payload is not a JSON object"),
        (jwt_claims("42"), "payload is not a JSON object"),
        (jwt_claims(r#""text""#), "payload is not a JSON object"),
        // exp missing or not a number; exp not after iat.
        (jwt_claims(r#"{"sub":"u"}"#), "no exp claim"),
        (jwt_claims(r#"{"exp":"soon"}"#), "exp is not a number"),
        (jwt_claims(r#"{"exp":null}"#), "exp is not a number"),
        (jwt_claims(r#"{"exp":{"at":60}}"#), "exp is not a number"),
        (jwt_claims(r#"{"iat":"0","exp":60}"#), "iat is not a number"),
        (jwt_claims(r#"{"iat":60,"exp":60}"#), "exp is not after iat"),
        (jwt_claims(r#"{"iat":61,"exp":60}"#), "exp is not after iat"),
        // Huge or negative numbers (JSON.parse makes 1e400 Infinity).
        (jwt_claims(r#"{"exp":1e400}"#), "exp is not a time"),
        (jwt_claims(r#"{"exp":-1e400}"#), "exp is not a time"),
        (jwt_claims(r#"{"exp":1e300}"#), "exp is not a time"),
        (jwt_claims(r#"{"exp":-60}"#), "exp is not a time"),
        (jwt_claims(r#"{"iat":-1,"exp":60}"#), "iat is not a time"),
        (jwt_claims(r#"{"nbf":1e400,"exp":60}"#), "nbf is not a time"),
    ];
    for (token, why) in cases {
        let Err(err) = Token::decode(&token, 0.0) else {
            panic!("{token} decoded");
        };
        assert_eq!(err.code(), "bad_token", "{token}");
        let message = err.to_string();
        assert!(
            message.starts_with("bad token: ") && message.contains(why),
            "{token}: {message}"
        );
    }
}

/// The timer and listener guards of the web layer (in place of gloo's) undo their
/// registration when dropped, and only then.
#[wasm_bindgen_test]
async fn timers_and_listeners_stop_when_dropped() {
    use std::cell::Cell;
    use std::rc::Rc;
    use tokenrelay::web::{events::EventListener, timer::Timeout};

    let fired = Rc::new(Cell::new(0));
    let f = fired.clone();
    let kept = Timeout::new(0, move || f.set(f.get() + 1));
    let f = fired.clone();
    drop(Timeout::new(0, move || f.set(f.get() + 10)));
    js::sleep(30.0).await;
    assert_eq!(
        fired.get(),
        1,
        "the kept timer fired once, the dropped one never"
    );
    drop(kept);

    let target = web_sys::EventTarget::new().unwrap();
    let heard = Rc::new(Cell::new(0));
    let h = heard.clone();
    let listener = EventListener::new(&target, "ping", move |e| {
        assert_eq!(e.type_(), "ping");
        h.set(h.get() + 1);
    });
    let ping = || target.dispatch_event(&web_sys::Event::new("ping").unwrap());
    ping().unwrap();
    ping().unwrap();
    drop(listener);
    ping().unwrap();
    assert_eq!(heard.get(), 2, "heard until dropped");
}
