//! Browser tests of the wasm's JS API (`Core`: its options, state, errors and the machine's
//! inputs and outputs, with channel messages as the plain objects that travel), in headless
//! Chromium (`wasm-pack test --headless --chrome`). Each test feeds inputs as the JS driver
//! (js/lib/driver/pump.js) does and drains every output after each; the driver's browser
//! plumbing (fetch, Web Locks, BroadcastChannel, timers, cookies) is tested end to end against
//! the reference server in `tests/e2e` (driver.test.mjs).
#![cfg(target_arch = "wasm32")]

use core::sync::atomic::{AtomicU32, Ordering};

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

use tokenrelay::core::budget::WINDOW_MS;
use tokenrelay::core::cooldown::read_stamp;
use tokenrelay::core::machine::wire::{input, output};
use tokenrelay::core::Token;
use tokenrelay::{is_token_relay_error, Core};

wasm_bindgen_test_configure!(run_in_browser);

/// An API base nobody listens on (the tests here make no request).
const CLOSED_API: &str = "http://127.0.0.1:9";
/// No value: `undefined` as the driver passes it for `x` or `y`.
const NONE: f64 = f64::NAN;
/// The caller id of the logins of these tests.
const LOGIN_CALL: u32 = 1;
/// The caller id of the refreshes of these tests.
const REFRESH_CALL: u32 = 2;
/// The caller id of the logouts of these tests.
const LOGOUT_CALL: u32 = 3;

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

fn text(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

/// `state.status`, read from the state object the driver reads.
fn status(c: &mut Core) -> String {
    text(&c.state(), "status").unwrap_or_default()
}

fn code_of(e: &JsValue) -> String {
    text(e, "code").unwrap_or_default()
}

/// A client in the tab `tab`; `locks`: the browser has Web Locks.
fn client(tab: &str, locks: bool) -> Core {
    let options = options(&[("apiBase", JsValue::from(CLOSED_API))]);
    Core::new(options, tab.into(), locks).unwrap_or_else(|_| panic!("valid options"))
}

/// A client with Web Locks in a tab of its own.
fn core() -> Core {
    static TABS: AtomicU32 = AtomicU32::new(0);
    let n = TABS.fetch_add(1, Ordering::Relaxed);
    client(&["tab-", &n.to_string()].concat(), true)
}

/// Local epoch ms, as the driver passes it.
fn now() -> f64 {
    js_sys::Date::now()
}

/// One output of the machine: `[kind, a, b, c]`.
type Out = Vec<JsValue>;

/// Feeds `c` one input at `at` (as its monotonic and its wall clock), then drains its outputs.
fn feed(c: &mut Core, kind: u8, id: u32, x: f64, y: f64, data: JsValue, at: f64) -> Vec<Out> {
    c.input(kind, id, x, y, data, at, at);
    std::iter::from_fn(|| {
        let out = c.poll();
        (!out.is_undefined()).then(|| Array::from(&out).to_vec())
    })
    .collect()
}

fn find(outs: &[Out], kind: u8) -> Option<&Out> {
    outs.iter().find(|o| o[0] == kind)
}

fn expect(outs: &[Out], kind: u8) -> &Out {
    find(outs, kind).unwrap_or_else(|| panic!("no output {kind}"))
}

/// The id (`a`) of an output.
fn id_of(out: &Out) -> u32 {
    out[1].as_f64().unwrap() as u32
}

/// The error the caller `call` is rejected with.
fn rejected(outs: &[Out], call: u32) -> JsValue {
    let reject = outs
        .iter()
        .find(|o| o[0] == output::REJECT && id_of(o) == call);
    reject.unwrap_or_else(|| panic!("caller {call} not rejected"))[2].clone()
}

/// The messages posted to the other tabs.
fn posts(outs: &[Out]) -> Vec<JsValue> {
    let posted = outs.iter().filter(|o| o[0] == output::POST);
    posted.map(|o| o[1].clone()).collect()
}

/// The one message of `kind` posted.
fn posted(outs: &[Out], kind: &str) -> JsValue {
    let all = posts(outs);
    let mut of_kind = all
        .iter()
        .filter(|m| text(m, "kind").as_deref() == Some(kind));
    let message = of_kind.next().unwrap_or_else(|| panic!("no {kind} posted"));
    assert!(of_kind.next().is_none(), "one {kind} posted");
    message.clone()
}

/// A channel message as it travels: a plain object of the given fields.
fn message(pairs: &[(&str, JsValue)]) -> JsValue {
    options(pairs)
}

/// The question of the tab `from` for a newer token.
fn ask_from(from: &str) -> JsValue {
    message(&[
        ("v", 1.into()),
        ("from", from.into()),
        ("kind", "ask".into()),
    ])
}

/// `message` reaches `c` from another tab at `at`.
fn hear(c: &mut Core, message: &JsValue, at: f64) -> Vec<Out> {
    feed(c, input::MESSAGE, 0, NONE, NONE, message.clone(), at)
}

/// A compact JWT with `header` and `payload` as given (the signature is never checked).
fn jwt_of(header: &str, payload: &str) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let b64 = |s: &str| Base64UrlUnpadded::encode_string(s.as_bytes());
    [b64(header), b64(payload), b64("sig")].join(".")
}

fn jwt_claims(payload: &str) -> String {
    jwt_of(r#"{"alg":"HS256","typ":"JWT"}"#, payload)
}

/// The body of a login or refresh answer carrying `jwt` (default `tokenField`).
fn body(jwt: &str) -> String {
    let json = js_sys::JSON::stringify(&options(&[("accessToken", jwt.into())])).unwrap();
    String::from(json)
}

/// A token living 60 s, told apart by `sub`.
fn minute_token(sub: &str) -> String {
    jwt_claims(&[r#"{"sub":""#, sub, r#"","iat":1000,"exp":1060}"#].concat())
}

/// `c` logs in at `at` (no logout waits for the server) and the server answers `status`
/// with the body `text` and the `Date` header `date` (NaN: none); the outputs of the answer.
fn login_answered(c: &mut Core, status: f64, date: f64, text: &str, at: f64) -> Vec<Out> {
    let credentials = r#"{"user":"u","password":"p"}"#;
    let outs = feed(
        c,
        input::LOGIN,
        LOGIN_CALL,
        NONE,
        NONE,
        credentials.into(),
        at,
    );
    expect(&outs, output::READ_FACTS);
    let outs = feed(c, input::FACTS, 0, NONE, NONE, "".into(), at);
    let send = expect(&outs, output::SEND_AUTH);
    assert_eq!(send[2].as_f64(), Some(0.0), "the login endpoint");
    assert_eq!(send[3].as_string().as_deref(), Some(credentials));
    feed(c, input::ANSWER, id_of(send), status, date, text.into(), at)
}

/// `c` logs in at `at` and the server answers with `jwt`, its clock at `date`; returns the
/// token message posted to the other tabs.
fn sign_in_dated(c: &mut Core, jwt: &str, date: f64, at: f64) -> JsValue {
    let outs = login_answered(c, 200.0, date, &body(jwt), at);
    if let Some(reject) = find(&outs, output::REJECT) {
        panic!("{jwt}: {:?}", text(&reject[2], "message"));
    }
    assert_eq!(id_of(expect(&outs, output::RESOLVE)), LOGIN_CALL);
    posted(&outs, "token")
}

/// `c` logs in at `at` and takes `jwt`; returns the token message posted to the other tabs.
fn sign_in(c: &mut Core, jwt: &str, at: f64) -> JsValue {
    sign_in_dated(c, jwt, NONE, at)
}

/// The error a login answered `status` with the body `text` is rejected with.
fn login_error(c: &mut Core, status: f64, text: &str, at: f64) -> JsValue {
    rejected(&login_answered(c, status, NONE, text, at), LOGIN_CALL)
}

/// `c` logs out at `at`; returns the sign-out message posted to the other tabs.
fn log_out(c: &mut Core, at: f64) -> JsValue {
    let outs = feed(
        c,
        input::LOGOUT,
        LOGOUT_CALL,
        NONE,
        NONE,
        JsValue::UNDEFINED,
        at,
    );
    posted(&outs, "signedOut")
}

/// Runs a refresh a caller asked for, with Web Locks, up to its request, the page's cookies
/// being `cookies`; returns the request's id and the messages posted on the way.
fn refresh(c: &mut Core, cookies: &str, at: f64) -> (u32, Vec<JsValue>) {
    let outs = feed(
        c,
        input::REFRESH,
        REFRESH_CALL,
        0.0,
        NONE,
        JsValue::UNDEFINED,
        at,
    );
    let lock = expect(&outs, output::REQUEST_LOCK);
    let outs = feed(
        c,
        input::LOCK,
        id_of(lock),
        1.0,
        NONE,
        JsValue::UNDEFINED,
        at,
    );
    expect(&outs, output::READ_FACTS);
    let mut on_the_way = feed(c, input::FACTS, 0, NONE, NONE, cookies.into(), at);
    // Before the refresh token is spent: the lock is still this tab's.
    expect(&on_the_way, output::QUERY_LOCKS);
    let outs = feed(c, input::HOLDER, 0, 1.0, NONE, "me".into(), at);
    let send = expect(&outs, output::SEND_AUTH);
    assert_eq!(send[2].as_f64(), Some(1.0), "the refresh endpoint");
    let request = id_of(send);
    on_the_way.extend(outs);
    (request, posts(&on_the_way))
}

#[wasm_bindgen_test]
fn bad_options_throw_config_errors_naming_the_option() {
    let with = |key: &str, value: JsValue| options(&[("apiBase", CLOSED_API.into()), (key, value)]);
    let cases: Vec<(JsValue, &str)> = vec![
        (options(&[]), "apiBase"),
        (options(&[("apiBase", "".into())]), "apiBase"),
        (options(&[("apiBase", "ftp://x".into())]), "apiBase"),
        (options(&[("apiBase", "/relative".into())]), "apiBase"),
        (options(&[("apiBase", 42.into())]), "apiBase"),
        (JsValue::NULL, "apiBase"),
        (JsValue::UNDEFINED, "apiBase"),
        (Array::of1(&CLOSED_API.into()).into(), "apiBase"),
        (
            with("refreshAheadSeconds", "soon".into()),
            "refreshAheadSeconds",
        ),
        (with("allowedOrigins", "x".into()), "allowedOrigins"),
        (
            with("allowedOrigins", Array::of1(&5.into()).into()),
            "allowedOrigins",
        ),
        (with("useWebLocks", "yes".into()), "useWebLocks"),
        (with("cooldownMs", (-1).into()), "cooldownMs"),
        (with("requestTimeoutMs", 0.into()), "requestTimeoutMs"),
        (with("tokenField", "".into()), "tokenField"),
        (with("cooldownCookie", "a b;".into()), "cooldownCookie"),
        (with("refreshAheadSecs", 5.into()), "refreshAheadSecs"),
        (with("tokenField", "data..token".into()), "tokenField"),
        (with("csrfHeader", 5.into()), "csrfHeader"),
        (with("csrfHeader", "X Bad".into()), "csrfHeader"),
        (with("csrf", "csrf_refresh_token".into()), "csrf"),
        (
            with("csrf", options(&[("cookie", "csrf_refresh_token".into())])),
            "csrf",
        ),
        (
            with(
                "csrf",
                options(&[("cookie", "a b".into()), ("header", "X-CSRF-TOKEN".into())]),
            ),
            "csrf.cookie",
        ),
        (
            with("refreshBody", js_sys::BigInt::from(1u64).into()),
            "refreshBody",
        ),
        (
            with("logoutBody", js_sys::Symbol::for_("x").into()),
            "logoutBody",
        ),
        (with("retryOn", 401.into()), "retryOn"),
        (with("retryOn", Array::of1(&"401".into()).into()), "retryOn"),
        (with("retryOn", Array::of1(&200.into()).into()), "retryOn"),
        (with("retryOn", Array::of1(&401.5.into()).into()), "retryOn"),
    ];
    for (opts, option) in cases {
        let err = Core::new(opts, "tab".into(), true)
            .err()
            .expect("must throw");
        assert!(is_token_relay_error(&err), "{option}");
        assert_eq!(code_of(&err), "config", "{option}");
        let message = text(&err, "message").unwrap();
        assert!(message.contains(option), "{option}: {message}");
        assert!(err.is_instance_of::<js_sys::Error>());
        assert_eq!(text(&err, "name").as_deref(), Some("TokenRelayError"));
    }
    let valid = options(&[("apiBase", CLOSED_API.into())]);
    assert!(Core::new(valid, "tab".into(), false).is_ok());
    // Any object is read: one without a prototype (or from another realm) too; not an array,
    // a function or null.
    let bare: Object = Object::create(JsValue::NULL.unchecked_ref());
    Reflect::set(&bare, &"apiBase".into(), &CLOSED_API.into()).unwrap();
    assert!(Core::new(bare.into(), "tab".into(), false).is_ok());
    let function = get(&js_sys::global(), "parseInt"); // any function
    let not_objects = [Array::new().into(), function, JsValue::NULL, "x".into()];
    for value in not_objects {
        let err = Core::new(value, "tab".into(), false)
            .err()
            .expect("must throw");
        assert!(text(&err, "message").unwrap().contains("options"));
    }
}

#[wasm_bindgen_test]
fn is_token_relay_error_tells_ours_apart() {
    let ours = Core::new(JsValue::NULL, "tab".into(), true).err().unwrap();
    assert!(is_token_relay_error(&ours));
    assert!(!is_token_relay_error(&js_sys::Error::new("x").into()));
    let named = js_sys::Error::new("x");
    named.set_name("TokenRelayError");
    assert!(!is_token_relay_error(&named), "no string code");
    assert!(!is_token_relay_error(&options(&[
        ("name", "TokenRelayError".into()),
        ("code", "config".into())
    ])));
    assert!(!is_token_relay_error(&JsValue::NULL));
    assert!(!is_token_relay_error(&"config".into()));
}

#[wasm_bindgen_test]
fn state_is_one_frozen_object_until_it_changes() {
    let mut c = core();
    let unknown = c.state();
    assert!(Object::is_frozen(unknown.unchecked_ref::<Object>()));
    assert_eq!(text(&unknown, "status").as_deref(), Some("unknown"));
    for key in ["user", "expiresAt", "error"] {
        assert!(get(&unknown, key).is_null(), "{key}");
    }
    assert!(
        Object::is(&unknown, &c.state()),
        "same object while nothing changed"
    );

    sign_in(&mut c, &minute_token("u1"), now());
    let signed_in = c.state();
    assert!(
        !Object::is(&unknown, &signed_in),
        "a new object after a change"
    );
    assert!(Object::is_frozen(signed_in.unchecked_ref::<Object>()));
    assert_eq!(text(&signed_in, "status").as_deref(), Some("signedIn"));
    assert_eq!(text(&get(&signed_in, "user"), "sub").as_deref(), Some("u1"));
    assert!(Object::is(&signed_in, &c.state()));
    assert_eq!(status(&mut c), "signedIn");

    let logout = |c: &mut Core| {
        let outs = feed(
            c,
            input::LOGOUT,
            LOGOUT_CALL,
            NONE,
            NONE,
            JsValue::UNDEFINED,
            now(),
        );
        find(&outs, output::CHANGED).is_some()
    };
    assert!(logout(&mut c), "the state changed");
    let signed_out = c.state();
    assert!(!Object::is(&signed_in, &signed_out));
    assert_eq!(text(&signed_out, "status").as_deref(), Some("signedOut"));
    assert!(get(&signed_out, "user").is_null() && get(&signed_out, "error").is_null());
    assert!(!logout(&mut c), "no change the second time");
    assert!(Object::is(&signed_out, &c.state()));
    let thrown = c.access_token(now()).expect_err("no token to hand out");
    assert_eq!(code_of(&thrown), "not_signed_in");
    assert!(c.bearer().is_undefined() && c.order().is_none());
}

/// Tokens are read with the browser's `JSON.parse`: what it makes of the claims (numbers of
/// any size, Unicode, members of any type) decodes or is a `bad_token` error, never a panic.
#[wasm_bindgen_test]
fn claims_are_read_with_the_browsers_json_parser() {
    let mut c = core();
    let jwt = jwt_claims(
        r#"{"sub":"u1","name":"Zoë 名前","n":1e400,"deep":{"a":[1,null]},"iat":1000,"exp":1060,"nbf":1000}"#,
    );
    sign_in(&mut c, &jwt, 5_000_000.0);
    assert_eq!(c.order(), Some(5_000_000.0), "ordered at its receipt");
    let state = c.state();
    assert_eq!(
        get(&state, "expiresAt").as_f64(),
        Some(5_060_000.0),
        "exp - iat after receipt"
    );
    let user = get(&state, "user");
    assert_eq!(text(&user, "name").as_deref(), Some("Zoë 名前"));
    assert_eq!(
        get(&user, "n").as_f64(),
        Some(f64::INFINITY),
        "JSON.parse's reading"
    );
    assert!(get(&get(&user, "deep"), "a").is_instance_of::<Array>());
    let handed_out = c.access_token(5_000_000.0).unwrap_or_else(|_| panic!());
    assert_eq!(handed_out, jwt);
    assert_eq!(c.bearer().as_string(), Some(["Bearer ", &jwt].concat()));
    assert!(c.access_token(5_059_000.0).is_ok() && c.access_token(5_060_000.0).is_err());

    let fractional = Token::decode(&jwt_claims(r#"{"iat":1.0005e3,"exp":1060}"#), 0.0).unwrap();
    assert_eq!(fractional.lifetime_ms, 60_000.0, "whole seconds");
    let without_iat = Token::decode(&jwt_claims(r#"{"exp":2000}"#), 1_900_000.0).unwrap();
    assert_eq!(without_iat.expires_at_ms, 2_000_000.0);
    // The server's clock (its Date header) tells the lifetime of a token without iat.
    let mut c = core();
    let jwt = jwt_claims(r#"{"exp":2000}"#);
    sign_in_dated(&mut c, &jwt, 1_940_000.0, 7_000_000.0);
    assert_eq!(get(&c.state(), "expiresAt").as_f64(), Some(7_060_000.0));
}

#[wasm_bindgen_test]
fn malformed_tokens_are_bad_token_errors_with_a_message() {
    let ok = jwt_claims(r#"{"exp":60}"#);
    let cases: Vec<(String, &str)> = vec![
        // Not three parts.
        ("".into(), "not a compact JWT"),
        ("abc".into(), "not a compact JWT"),
        ("a.b".into(), "not a compact JWT"),
        ([ok.as_str(), ".more"].concat(), "not a compact JWT"),
        // Bad base64url.
        (ok.replacen('.', ".*", 1), "payload is not base64url"),
        (["=", ok.as_str()].concat(), "header is not base64url"),
        ([ok.as_str(), "+/"].concat(), "signature is not base64url"),
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
    // A login answered 200 with the token in its body: the login is rejected with the error.
    let mut c = core();
    for (token, why) in cases {
        let err = login_error(&mut c, 200.0, &body(&token), 0.0);
        assert!(is_token_relay_error(&err), "{token}");
        assert_eq!(code_of(&err), "bad_token", "{token}");
        let message = text(&err, "message").unwrap();
        assert!(
            message.starts_with("bad token: ") && message.contains(why),
            "{token}: {message}"
        );
    }
    // An answer that is not an object with a string token is bad_response, not bad_token.
    for answer in [
        "",
        "{",
        "null",
        "[]",
        r#""jwt""#,
        "{}",
        r#"{"accessToken":5}"#,
    ] {
        let err = login_error(&mut c, 200.0, answer, 0.0);
        assert_eq!(code_of(&err), "bad_response", "{answer}");
        assert!(text(&err, "message").unwrap().starts_with("bad response: "));
    }
    assert!(
        c.order().is_none() && c.access_token(0.0).is_err(),
        "nothing was taken"
    );
}

/// The options of backends that nest the token, turn the static header off, submit a CSRF
/// cookie and want bodies: read, handed to the driver, and used by the machine.
#[wasm_bindgen_test]
fn backend_shaped_options_reach_the_driver_and_the_machine() {
    let csrf = options(&[
        ("cookie", "csrf_refresh_token".into()),
        ("header", "X-CSRF-TOKEN".into()),
    ]);
    let mode = options(&[("mode", "cookie".into())]);
    let retry: Array = [401, 403].iter().map(|s| JsValue::from(*s)).collect();
    let opts = options(&[
        ("apiBase", CLOSED_API.into()),
        ("tokenField", "data.access_token".into()),
        ("csrfHeader", JsValue::NULL),
        ("csrf", csrf),
        ("refreshBody", mode),
        ("logoutBody", options(&[])),
        ("retryOn", retry.into()),
    ]);
    let mut c = Core::new(opts, "tab".into(), true).unwrap_or_else(|_| panic!("valid"));
    let config = c.config();
    assert!(get(&config, "csrfHeader").is_null());
    let pair: Array = get(&config, "csrf").unchecked_into();
    assert_eq!(
        pair.get(0).as_string().as_deref(),
        Some("csrf_refresh_token")
    );
    assert_eq!(pair.get(1).as_string().as_deref(), Some("X-CSRF-TOKEN"));
    let statuses: Vec<f64> = get(&config, "retryOn")
        .unchecked_into::<Array>()
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    assert_eq!(statuses, [401.0, 403.0]);

    // The token is read at its dotted path; a flat answer is not.
    let jwt = minute_token("nested");
    let nested = [
        "{\"data\":{\"expires\":60000,\"access_token\":\"",
        &jwt,
        "\"}}",
    ]
    .concat();
    let err = login_error(&mut c, 200.0, &body(&jwt), 0.0);
    assert_eq!(code_of(&err), "bad_response");
    assert!(text(&err, "message").unwrap().contains("data.access_token"));
    let outs = login_answered(&mut c, 200.0, NONE, &nested, now());
    assert_eq!(id_of(expect(&outs, output::RESOLVE)), LOGIN_CALL);
    assert_eq!(status(&mut c), "signedIn");

    // The refresh and the logout carry their bodies.
    let t = now();
    let outs = feed(
        &mut c,
        input::REFRESH,
        REFRESH_CALL,
        0.0,
        NONE,
        JsValue::UNDEFINED,
        t,
    );
    let lock = id_of(expect(&outs, output::REQUEST_LOCK));
    feed(&mut c, input::LOCK, lock, 1.0, NONE, JsValue::UNDEFINED, t);
    feed(&mut c, input::FACTS, 0, NONE, NONE, "".into(), t);
    let outs = feed(&mut c, input::HOLDER, 0, 1.0, NONE, "me".into(), t);
    let sent = expect(&outs, output::SEND_AUTH);
    assert_eq!(sent[2].as_f64(), Some(1.0), "the refresh endpoint");
    assert_eq!(sent[3].as_string().as_deref(), Some(r#"{"mode":"cookie"}"#));
    let outs = feed(
        &mut c,
        input::LOGOUT,
        LOGOUT_CALL,
        NONE,
        NONE,
        JsValue::UNDEFINED,
        t,
    );
    let lock = id_of(expect(&outs, output::REQUEST_LOCK));
    let outs = feed(&mut c, input::LOCK, lock, 1.0, NONE, JsValue::UNDEFINED, t);
    let sent = expect(&outs, output::SEND_AUTH);
    assert_eq!(sent[2].as_f64(), Some(2.0), "the logout endpoint");
    assert_eq!(sent[3].as_string().as_deref(), Some("{}"));
}

/// `auth.fetch` attaches the token to a target relative to `apiBase` (`Core.relative`)
/// without parsing the joined URL: the browser's parser must agree that the origin is
/// `apiBase`'s, whatever the target holds.
#[wasm_bindgen_test]
fn relative_targets_never_leave_the_api_origin() {
    let url_class = get(&js_sys::global(), "URL").unchecked_into::<js_sys::Function>();
    let origin_of = |url: &str| {
        Reflect::construct(&url_class, &Array::of1(&url.into()))
            .map(|u| text(&u, "origin").unwrap())
            .map_err(|_| ())
    };
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
        let origin = origin_of(base).unwrap();
        let c = Core::new(options(&[("apiBase", base.into())]), "tab".into(), true)
            .unwrap_or_else(|_| panic!());
        for target in targets {
            let Some(joined) = c.relative(target).as_string() else {
                continue; // absolute ("evil.test:80" has a scheme): parsed per call
            };
            assert_eq!(
                origin_of(&joined).as_deref(),
                Ok(origin.as_str()),
                "{base} + {target:?} = {joined}"
            );
        }
        for absolute in ["https://evil.test/", "HTTP://127.0.0.1:8000", "http://[bad"] {
            assert_eq!(
                c.relative(absolute).as_string(),
                None,
                "{absolute}: parsed per call"
            );
        }
    }
}

/// Every kind of message a tab posts is read back as that kind by another tab (a question is
/// answered, a token taken, a claim waited for, a release ends the wait); garbage from any
/// same-origin script changes nothing.
#[wasm_bindgen_test]
fn channel_codec_round_trips_and_drops_garbage() {
    let t = now();
    let mut a = client("tab-a", true);
    let jwt = minute_token("u1");
    sign_in(&mut a, &jwt, t);

    // A question: a tab restoring its session asks the others; a tab with a token answers.
    let mut asker = client("tab-q", true);
    let outs = feed(
        &mut asker,
        input::START,
        4,
        NONE,
        NONE,
        JsValue::UNDEFINED,
        t,
    );
    expect(&outs, output::READ_FACTS);
    let outs = feed(&mut asker, input::FACTS, 0, NONE, NONE, "".into(), t);
    expect(&outs, output::QUERY_PRESENCE);
    let outs = feed(
        &mut asker,
        input::PRESENCE,
        0,
        1.0,
        NONE,
        JsValue::UNDEFINED,
        t,
    );
    let ask = posted(&outs, "ask");
    assert_eq!(text(&ask, "from").as_deref(), Some("tab-q"));
    assert_eq!(get(&ask, "v").as_f64(), Some(1.0));
    let answer = posted(&hear(&mut a, &ask, t), "token");
    assert_eq!(text(&answer, "from").as_deref(), Some("tab-a"));
    assert_eq!(text(&answer, "token").as_deref(), Some(jwt.as_str()));
    assert!(
        posts(&hear(&mut core(), &ask, t)).is_empty(),
        "no token held: no answer"
    );

    // A token: taken, and the restore waiting for it is over.
    let outs = hear(&mut asker, &answer, t);
    assert_eq!(id_of(expect(&outs, output::RESOLVE)), 4);
    assert_eq!(asker.order(), a.order());
    assert!(asker.access_token(t).is_ok() && status(&mut asker) == "signedIn");

    // A claim (posted before a refresh request) and a release (posted when the refresh ends
    // without a token): without Web Locks, a tab that heard the claim waits for that tab
    // instead of claiming; the release ends its wait, and it claims.
    let (request, on_the_way) = refresh(&mut a, "", t);
    let claim = on_the_way
        .iter()
        .find(|m| text(m, "kind").as_deref() == Some("claim"))
        .expect("a claim before the request")
        .clone();
    assert_eq!(get(&claim, "at").as_f64(), Some(t));
    let outs = feed(&mut a, input::ANSWER, request, 503.0, NONE, "".into(), t);
    let released = posted(&outs, "released");
    let mut b = client("tab-b", false);
    sign_in(&mut b, &minute_token("u2"), t);
    hear(&mut b, &claim, t);
    let outs = feed(
        &mut b,
        input::REFRESH,
        REFRESH_CALL,
        0.0,
        NONE,
        JsValue::UNDEFINED,
        t,
    );
    assert!(posts(&outs).is_empty(), "waits for the claimant");
    let b_claim = posted(&hear(&mut b, &released, t + 1.0), "claim");
    assert_eq!(get(&b_claim, "at").as_f64(), Some(t + 1.0));

    // Garbage from any same-origin script is nothing: B (signed in, its claim out) would
    // answer a question, remind a later claimant of its claim, or take a newer token.
    let well_formed =
        |kind: &str| message(&[("v", 1.into()), ("from", "x".into()), ("kind", kind.into())]);
    let garbage: Vec<JsValue> = vec![
        JsValue::from(1),
        JsValue::NULL,
        JsValue::UNDEFINED,
        "{".into(),
        r#"{"v":1,"from":"x","kind":"ask"}"#.into(),
        Object::new().into(),
        Array::of1(&ask_from("x")).into(),
        message(&[
            ("v", 2.into()),
            ("from", "x".into()),
            ("kind", "ask".into()),
        ]),
        message(&[("v", 1.into()), ("from", "".into()), ("kind", "ask".into())]),
        message(&[("v", 1.into()), ("kind", "ask".into())]),
        well_formed("shout"),
        well_formed("claim"),
        well_formed("token"),
        message(&[
            ("v", "1".into()),
            ("from", "x".into()),
            ("kind", "ask".into()),
        ]),
    ];
    let state = b.state();
    let at = t + 100.0;
    for data in &garbage {
        assert!(hear(&mut b, data, at).is_empty(), "{data:?}");
    }
    assert!(Object::is(&state, &b.state()), "no change");
    // The same B, well-formed messages: the garbage changed nothing because it is garbage.
    let answer = posted(&hear(&mut b, &ask_from("x"), at), "token");
    assert_eq!(get(&answer, "order").as_f64(), b.order());
    let later = message(&[
        ("v", 1.into()),
        ("from", "x".into()),
        ("kind", "claim".into()),
        ("at", (t + 2.0).into()),
    ]);
    posted(&hear(&mut b, &later, at), "claim");

    // A token that does not decode is taken by nobody.
    let forged = message(&[
        ("v", 1.into()),
        ("from", "x".into()),
        ("kind", "token".into()),
        ("token", "not.a.jwt".into()),
        ("obtainedAt", t.into()),
    ]);
    let mut fresh = core();
    assert!(hear(&mut fresh, &forged, t).is_empty());
    assert_eq!(status(&mut fresh), "unknown", "nothing was taken");
}

#[wasm_bindgen_test]
fn a_token_message_is_taken_only_when_newer() {
    let mut a = client("tab-a", true);
    let mut b = client("tab-b", true);
    let t = now();
    let first = sign_in(&mut a, &minute_token("first"), t);
    let outs = hear(&mut b, &first, t);
    assert!(find(&outs, output::CHANGED).is_some(), "newer than none");
    assert_eq!(b.access_token(t).ok(), a.access_token(t).ok());
    assert_eq!(b.order(), a.order());
    assert_eq!(status(&mut b), "signedIn");
    let state = b.state();
    assert!(hear(&mut b, &first, t).is_empty(), "the same token again");
    assert!(Object::is(&state, &b.state()), "no change");

    let second = sign_in(&mut a, &minute_token("second"), t); // same ms: ordered after
    assert!(a.order() > b.order());
    hear(&mut b, &second, t);
    assert_eq!(b.order(), a.order());
    let outs = hear(&mut b, &first, t);
    assert!(
        find(&outs, output::CHANGED).is_none(),
        "an older token is not taken"
    );
    assert_eq!(
        text(&get(&b.state(), "user"), "sub").as_deref(),
        Some("second")
    );

    // An expired token is not taken, however new its order.
    let mut c = core();
    hear(&mut c, &first, t + 61_000.0);
    assert_eq!(status(&mut c), "unknown");
    assert!(c.order().is_none());

    // B's own next token is ordered after what it saw, even with its clock set back.
    let back = t - 3_600_000.0;
    let own = sign_in(&mut b, &minute_token("own"), back);
    assert!(b.order() > a.order());
    hear(&mut a, &own, back + 1.0);
    assert_eq!(a.order(), b.order(), "newer by order, not by clock");
    assert_eq!(
        text(&get(&a.state(), "user"), "sub").as_deref(),
        Some("own")
    );
}

#[wasm_bindgen_test]
fn a_sign_out_message_is_proven_by_the_held_token() {
    let t = now();
    let mut a = client("tab-a", true);
    let jwt = minute_token("u1");
    let token = sign_in(&mut a, &jwt, t);
    let signature = jwt.rsplit_once('.').unwrap().1;
    let order = a.order();
    // A tab holding A's token.
    let receiver = |tab: &str, locks: bool| {
        let mut r = client(tab, locks);
        hear(&mut r, &token, t);
        assert_eq!(r.order(), order, "{tab}");
        r
    };

    // The same claims under another signature: not the session's token. The receiver asks
    // the server instead (a refresh: the refresh lock asked for, or without Web Locks a
    // claim of the refresh), and keeps its session meanwhile.
    let forged = [jwt.rsplit_once('.').unwrap().0, ".b3RoZXI"].concat();
    let mut stranger = client("tab-x", true);
    sign_in(&mut stranger, &forged, t);
    let unproven = log_out(&mut stranger, t);
    assert_eq!(text(&unproven, "proof").as_deref(), Some("b3RoZXI"));
    let mut b = receiver("tab-b", true);
    let outs = hear(&mut b, &unproven, t);
    expect(&outs, output::REQUEST_LOCK);
    assert_eq!(status(&mut b), "signedIn");
    assert_eq!(b.order(), order);
    let mut c = receiver("tab-c", false);
    let outs = hear(&mut c, &unproven, t);
    posted(&outs, "claim");
    assert_eq!(status(&mut c), "signedIn");
    // No proof at all (the sender held no token): the same.
    let no_proof = log_out(&mut client("tab-y", true), t);
    assert!(get(&no_proof, "proof").is_undefined());
    let mut d = receiver("tab-d", true);
    expect(&hear(&mut d, &no_proof, t), output::REQUEST_LOCK);
    assert_eq!(status(&mut d), "signedIn");

    // The proof: the signature of the token the receiver holds. The session is over there.
    let signed_out = log_out(&mut a, t);
    assert_eq!(get(&signed_out, "expired").as_bool(), Some(false));
    assert_eq!(text(&signed_out, "proof").as_deref(), Some(signature));
    let mut e = receiver("tab-e", true);
    let outs = hear(&mut e, &signed_out, t);
    assert!(find(&outs, output::REQUEST_LOCK).is_none(), "no refresh");
    assert_eq!(status(&mut e), "signedOut");
    assert!(e.order().is_none() && get(&e.state(), "error").is_null());
    // A tab without a session has nothing to end.
    let mut idle = core();
    assert!(hear(&mut idle, &signed_out, t).is_empty());
    assert_eq!(status(&mut idle), "unknown");

    // A refresh token the server rejected: the session expired, in every tab.
    let mut f = client("tab-f", true);
    let token = sign_in(&mut f, &minute_token("u2"), t);
    let mut g = client("tab-g", true);
    hear(&mut g, &token, t);
    let (request, _) = refresh(&mut f, "", t);
    let outs = feed(&mut f, input::ANSWER, request, 401.0, NONE, "".into(), t);
    expect(&outs, output::READ_FACTS);
    let outs = feed(&mut f, input::FACTS, 0, NONE, NONE, "".into(), t);
    let expired = posted(&outs, "signedOut");
    assert_eq!(get(&expired, "expired").as_bool(), Some(true));
    hear(&mut g, &expired, t);
    assert_eq!(status(&mut g), "signedOut");
    assert_eq!(code_of(&get(&g.state(), "error")), "session_expired");
}

/// A `TokenRelayError`-like value as another part of the page would hand it back.
fn error_view(code: &str, message: &str, status: Option<u16>) -> JsValue {
    let e = js_sys::Error::new(message);
    e.set_name("TokenRelayError");
    Reflect::set(&e, &"code".into(), &code.into()).unwrap();
    if let Some(status) = status {
        Reflect::set(&e, &"status".into(), &status.into()).unwrap();
    }
    e.into()
}

/// `state.error` of `core` as `(code, message)`, checking it is a plain `{code, message}`
/// (with `status` for an HTTP error).
fn state_error(core: &mut Core) -> (String, String) {
    let error = get(&core.state(), "error");
    let keys: Vec<String> = Object::keys(error.unchecked_ref::<Object>())
        .iter()
        .map(|k| k.as_string().unwrap())
        .collect();
    let plain = keys == ["code", "message"];
    assert!(plain || keys == ["code", "message", "status"], "{keys:?}");
    (code_of(&error), text(&error, "message").unwrap())
}

/// A refresh request of `c` fails at `at` without an answer, with `error` (as the driver
/// feeds a rejected fetch); the error the refresh caller is rejected with.
fn refresh_failed(c: &mut Core, error: JsValue, at: f64) -> JsValue {
    let (request, _) = refresh(c, "", at);
    let outs = feed(c, input::FAILED, request, NONE, NONE, error, at);
    rejected(&outs, REFRESH_CALL)
}

#[wasm_bindgen_test]
fn fail_and_sign_out_put_the_error_into_the_state() {
    let mut c = core();
    let t = now();
    sign_in(&mut c, &minute_token("u1"), t);
    assert!(get(&c.state(), "error").is_null());

    // A refresh answered 503: under way the status is `refreshing`, then what it was.
    let (request, _) = refresh(&mut c, "", t);
    assert_eq!(status(&mut c), "refreshing");
    let outs = feed(&mut c, input::ANSWER, request, 503.0, NONE, "".into(), t);
    assert_eq!(
        state_error(&mut c),
        ("server".into(), "server error: HTTP 503".into())
    );
    assert_eq!(status(&mut c), "signedIn", "a failure keeps the session");
    let thrown = rejected(&outs, REFRESH_CALL);
    assert!(is_token_relay_error(&thrown));
    assert_eq!(code_of(&thrown), "server");
    assert_eq!(get(&thrown, "status").as_f64(), Some(503.0));
    assert_eq!(
        text(&thrown, "message").as_deref(),
        Some("server error: HTTP 503")
    );

    let network = error_view("network", "network error: Failed to fetch", None);
    let thrown = refresh_failed(&mut c, network, t + 1.0);
    assert_eq!(
        state_error(&mut c),
        ("network".into(), "network error: Failed to fetch".into())
    );
    assert!(
        get(&thrown, "status").is_undefined(),
        "no status but for HTTP errors"
    );

    // What the wasm itself threw goes back in as it was (a `config` error of a refresh ends
    // the session: the machine's host tests).
    let bad = core().access_token(t).err().unwrap();
    refresh_failed(&mut c, bad.clone(), t + 2.0);
    assert_eq!(
        state_error(&mut c),
        ("not_signed_in".into(), text(&bad, "message").unwrap())
    );
    // Not one of ours: a network error, never a panic.
    refresh_failed(&mut c, JsValue::from(5), t + 3.0);
    assert_eq!(state_error(&mut c).0, "network");
    assert_eq!(status(&mut c), "signedIn");

    // The refresh token rejected (and no other tab refreshed): the session expired.
    let (request, _) = refresh(&mut c, "", t + 4.0);
    let outs = feed(
        &mut c,
        input::ANSWER,
        request,
        401.0,
        NONE,
        "".into(),
        t + 4.0,
    );
    expect(&outs, output::READ_FACTS);
    let outs = feed(&mut c, input::FACTS, 0, NONE, NONE, "".into(), t + 4.0);
    assert_eq!(code_of(&rejected(&outs, REFRESH_CALL)), "session_expired");
    assert_eq!(status(&mut c), "signedOut");
    assert_eq!(
        state_error(&mut c),
        (
            "session_expired".into(),
            "session expired: the refresh was refused with HTTP 401".into()
        )
    );
    assert!(c.order().is_none(), "the token is dropped");

    // A refused login: signed out (no session was held), with the status.
    let thrown = login_error(&mut c, 401.0, "", t + 5.0);
    assert_eq!(status(&mut c), "signedOut");
    assert_eq!(
        state_error(&mut c),
        ("unauthorized".into(), "login refused: HTTP 401".into())
    );
    assert_eq!(get(&thrown, "status").as_f64(), Some(401.0));

    // A logout clears the error.
    log_out(&mut c, t + 6.0);
    assert!(get(&c.state(), "error").is_null());
}

/// A refresh answer is taken once, and only when a flight waits for it: a sign-out that came
/// first drops it.
#[wasm_bindgen_test]
fn a_refresh_answer_is_taken_once_or_dropped() {
    let t = now();
    let sub = |c: &mut Core| text(&get(&c.state(), "user"), "sub");
    let mut c = core();
    sign_in(&mut c, &minute_token("u1"), t);
    let (request, _) = refresh(&mut c, "", t);
    let outs = feed(
        &mut c,
        input::ANSWER,
        request,
        200.0,
        NONE,
        body(&minute_token("u2")).into(),
        t + 1.0,
    );
    assert_eq!(id_of(expect(&outs, output::RESOLVE)), REFRESH_CALL);
    assert_eq!(sub(&mut c).as_deref(), Some("u2"));
    let (state, order) = (c.state(), c.order());

    // The same answer again, and an answer nobody asked for: nothing.
    let again = body(&minute_token("u3"));
    for id in [request, request + 100] {
        let outs = feed(
            &mut c,
            input::ANSWER,
            id,
            200.0,
            NONE,
            again.as_str().into(),
            t + 2.0,
        );
        assert!(outs.is_empty(), "{id}");
    }
    assert!(Object::is(&state, &c.state()) && c.order() == order);

    // Signed out while the request was out: its token does not sign back in.
    let (request, _) = refresh(&mut c, "", t + 3.0);
    log_out(&mut c, t + 3.0);
    let outs = feed(
        &mut c,
        input::ANSWER,
        request,
        200.0,
        NONE,
        again.into(),
        t + 4.0,
    );
    assert_eq!(code_of(&rejected(&outs, REFRESH_CALL)), "not_signed_in");
    assert_eq!(status(&mut c), "signedOut");
    assert!(c.order().is_none() && c.access_token(t + 4.0).is_err());
}

/// The cooldown stamp the machine writes after a refresh, through the page's `document.cookie`.
#[wasm_bindgen_test]
fn cooldown_stamp_round_trips_through_document_cookie() {
    let name = ["cooldown", &now().to_string().replace('.', "")].concat();
    let options = options(&[
        ("apiBase", CLOSED_API.into()),
        ("cooldownCookie", name.as_str().into()),
        ("cooldownMs", 30_000.into()),
    ]);
    let mut c = Core::new(options, "tab".into(), true).unwrap_or_else(|_| panic!());
    let document = get(&js_sys::global(), "document");
    let cookies = || text(&document, "cookie").unwrap();
    assert_eq!(read_stamp(&cookies(), &name), None);
    let (request, _) = refresh(&mut c, &cookies(), now());
    let received_from = now().floor();
    let answer = JsValue::from(body(&minute_token("u1")));
    let outs = feed(&mut c, input::ANSWER, request, 200.0, NONE, answer, now());
    let write = find(&outs, output::WRITE_COOKIE);
    let assignment = write
        .and_then(|o| o[1].as_string())
        .expect("the stamp is written");
    assert!(assignment.contains("Max-Age=90"), "{assignment}");
    Reflect::set(&document, &"cookie".into(), &assignment.into()).unwrap();
    let stamp = read_stamp(&cookies(), &name).expect("the stamp is read back");
    assert!(
        (received_from..=now()).contains(&stamp) && stamp.fract() == 0.0,
        "when the token was received, whole ms: {stamp}"
    );
    assert_eq!(
        read_stamp(&cookies(), "another"),
        None,
        "another cookie name"
    );
    assert_eq!(status(&mut c), "signedIn");
}

#[wasm_bindgen_test]
fn refresh_timing_follows_the_token() {
    let mut c = core();
    let t = 1_000_000.0;
    assert!(c.poll_timeout().is_nan() && c.settled(t) && c.access_token(t).is_err());
    sign_in(&mut c, &minute_token("u1"), t);
    // refreshAheadSeconds (30 by default, at most half the lifetime) before expiry: the
    // schedule's timer is armed for then, and the token is used as is until then.
    assert!(c.settled(1_029_999.0) && !c.settled(1_030_000.0));
    assert!(c.access_token(1_059_999.0).is_ok() && c.access_token(1_060_000.0).is_err());
    let due = c.poll_timeout();
    assert!((1_030_000.0..=1_030_001.0).contains(&due), "{due}");
    let outs = feed(&mut c, input::TIMER, 0, NONE, NONE, JsValue::UNDEFINED, due);
    let lock = expect(&outs, output::REQUEST_LOCK);
    assert_eq!(
        lock[2].as_f64(),
        Some(1.0),
        "ifAvailable: a due token never queues"
    );

    // The refresh budget (the machine's; src/core/machine/tests covers its wait): ten
    // requests in a window, then the eleventh waits until the first leaves the window.
    let mut c = core();
    sign_in(&mut c, &minute_token("u2"), t);
    for i in 0..10 {
        refresh_failed(&mut c, "offline".into(), t + f64::from(i));
    }
    let at = t + 10.0;
    let outs = feed(
        &mut c,
        input::REFRESH,
        REFRESH_CALL,
        0.0,
        NONE,
        JsValue::UNDEFINED,
        at,
    );
    assert!(outs.is_empty(), "the eleventh waits");
    assert_eq!(c.poll_timeout(), t + WINDOW_MS);
    let outs = feed(
        &mut c,
        input::TIMER,
        0,
        NONE,
        NONE,
        JsValue::UNDEFINED,
        t + WINDOW_MS,
    );
    expect(&outs, output::REQUEST_LOCK);
}
