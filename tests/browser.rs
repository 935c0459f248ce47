//! Browser tests of the wasm's JS API (`Core`, its codec and errors), in headless Chromium
//! (`wasm-pack test --headless --chrome`). The JS driver around it (fetch, Web Locks,
//! BroadcastChannel, timers, cookies) is tested end to end against the reference server in
//! `tests/e2e` (driver.test.mjs for its browser plumbing).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

use tokenrelay::core::cooldown::read_stamp;
use tokenrelay::core::machine::wire::{input, output};
use tokenrelay::core::Token;
use tokenrelay::{heard, is_token_relay_error, say, Core};

wasm_bindgen_test_configure!(run_in_browser);

/// An API base nobody listens on (the tests here make no request).
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

fn text(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

fn code_of(e: &JsValue) -> String {
    text(e, "code").unwrap_or_default()
}

fn core() -> Core {
    Core::new(options(&[("apiBase", JsValue::from(CLOSED_API))]))
        .unwrap_or_else(|_| panic!("valid options"))
}

/// Local epoch ms, as the driver passes it.
fn now() -> f64 {
    js_sys::Date::now()
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

/// `core` receives `jwt` from the server at `at` and takes it.
fn sign_in(core: &mut Core, jwt: &str, at: f64) {
    core.receive(&body(jwt), f64::NAN, at)
        .unwrap_or_else(|e| panic!("{jwt}: {:?}", text(&e, "message")));
    core.sign_in(true);
}

/// A token living 60 s, told apart by `sub`.
fn minute_token(sub: &str) -> String {
    jwt_claims(&[r#"{"sub":""#, sub, r#"","iat":1000,"exp":1060}"#].concat())
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
    ];
    for (opts, option) in cases {
        let err = Core::new(opts).err().expect("must throw");
        assert!(is_token_relay_error(&err), "{option}");
        assert_eq!(code_of(&err), "config", "{option}");
        let message = text(&err, "message").unwrap();
        assert!(message.contains(option), "{option}: {message}");
        assert!(err.is_instance_of::<js_sys::Error>());
        assert_eq!(text(&err, "name").as_deref(), Some("TokenRelayError"));
    }
    assert!(Core::new(options(&[("apiBase", CLOSED_API.into())])).is_ok());
}

#[wasm_bindgen_test]
fn is_token_relay_error_tells_ours_apart() {
    let ours = Core::new(JsValue::NULL).err().unwrap();
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
    assert_eq!(c.status(), "signedIn");

    assert!(c.sign_out(&JsValue::UNDEFINED), "the state changed");
    let signed_out = c.state();
    assert!(!Object::is(&signed_in, &signed_out));
    assert_eq!(text(&signed_out, "status").as_deref(), Some("signedOut"));
    assert!(get(&signed_out, "user").is_null() && get(&signed_out, "error").is_null());
    assert!(
        !c.sign_out(&JsValue::UNDEFINED),
        "no change the second time"
    );
    assert!(Object::is(&signed_out, &c.state()));
    assert!(c.jwt().is_undefined() && c.bearer().is_undefined() && c.order().is_none());
}

/// Tokens are read with the browser's `JSON.parse`: what it makes of the claims (numbers of
/// any size, Unicode, members of any type) decodes or is a `bad_token` error, never a panic.
#[wasm_bindgen_test]
fn claims_are_read_with_the_browsers_json_parser() {
    let mut c = core();
    let jwt = jwt_claims(
        r#"{"sub":"u1","name":"Zoë 名前","n":1e400,"deep":{"a":[1,null]},"iat":1000,"exp":1060,"nbf":1000}"#,
    );
    c.receive(&body(&jwt), f64::NAN, 5_000_000.0)
        .unwrap_or_else(|_| panic!());
    assert!(c.sign_in(true));
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
    assert_eq!(c.jwt().as_string().as_deref(), Some(jwt.as_str()));
    assert_eq!(c.bearer().as_string(), Some(["Bearer ", &jwt].concat()));
    assert!(c.valid(5_059_000.0) && !c.valid(5_060_000.0));

    let fractional = Token::decode(&jwt_claims(r#"{"iat":1.0005e3,"exp":1060}"#), 0.0).unwrap();
    assert_eq!(fractional.lifetime_ms, 60_000.0, "whole seconds");
    let without_iat = Token::decode(&jwt_claims(r#"{"exp":2000}"#), 1_900_000.0).unwrap();
    assert_eq!(without_iat.expires_at_ms, 2_000_000.0);
    // The server's clock (its Date header) tells the lifetime of a token without iat.
    let mut c = core();
    let r = c.receive(
        &body(&jwt_claims(r#"{"exp":2000}"#)),
        1_940_000.0,
        7_000_000.0,
    );
    r.unwrap_or_else(|_| panic!());
    c.sign_in(true);
    assert_eq!(get(&c.state(), "expiresAt").as_f64(), Some(7_060_000.0));
}

#[wasm_bindgen_test]
fn malformed_tokens_are_bad_token_errors_with_a_message() {
    let ok = jwt_claims(r#"{"exp":60}"#);
    let cases: Vec<(String, &str)> = vec![
        // Not three parts.
        ("".into(), "three base64url parts"),
        ("abc".into(), "three base64url parts"),
        ("a.b".into(), "three base64url parts"),
        ([ok.as_str(), ".more"].concat(), "three base64url parts"),
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
    let mut c = core();
    for (token, why) in cases {
        let Some(err) = c.receive(&body(&token), f64::NAN, 0.0).err() else {
            panic!("{token} decoded");
        };
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
        let err = c.receive(answer, f64::NAN, 0.0).expect_err(answer);
        assert_eq!(code_of(&err), "bad_response", "{answer}");
        assert!(text(&err, "message").unwrap().starts_with("bad response: "));
    }
    assert_eq!(c.status(), "unknown", "nothing was taken");
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
        let c = Core::new(options(&[("apiBase", base.into())])).unwrap_or_else(|_| panic!());
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

/// A channel message as it travels: a plain object of the given fields.
fn message(pairs: &[(&str, JsValue)]) -> JsValue {
    options(pairs)
}

#[wasm_bindgen_test]
fn channel_codec_round_trips_and_drops_garbage() {
    let mut a = core();
    let mut b = core();
    let t = now();
    sign_in(&mut a, &minute_token("u1"), t);

    // Every kind a tab posts is read back as that kind.
    let ask = a.post(say::ASK, "tab-a".into(), 0.0, false);
    assert_eq!(text(&ask, "kind").as_deref(), Some("ask"));
    assert_eq!(text(&ask, "from").as_deref(), Some("tab-a"));
    assert_eq!(get(&ask, "v").as_f64(), Some(1.0));
    assert_eq!(b.read(&ask, t), heard::ASK);
    let claim = a.post(say::CLAIM, "tab-a".into(), 1234.0, false);
    assert_eq!(get(&claim, "at").as_f64(), Some(1234.0));
    assert_eq!(b.read(&claim, t), heard::CLAIM);
    assert_eq!(
        b.read(&a.post(say::RELEASED, "tab-a".into(), 0.0, false), t),
        heard::RELEASED
    );
    assert!(
        core()
            .post(say::TOKEN, "x".into(), 0.0, false)
            .is_undefined(),
        "no token held"
    );

    // Garbage from any same-origin script is nothing.
    let garbage: Vec<JsValue> = vec![
        JsValue::from(1),
        JsValue::NULL,
        JsValue::UNDEFINED,
        "{".into(),
        r#"{"v":1,"from":"x","kind":"ask"}"#.into(),
        Object::new().into(),
        Array::of1(&ask).into(),
        message(&[
            ("v", 2.into()),
            ("from", "x".into()),
            ("kind", "ask".into()),
        ]),
        message(&[("v", 1.into()), ("from", "".into()), ("kind", "ask".into())]),
        message(&[("v", 1.into()), ("kind", "ask".into())]),
        message(&[
            ("v", 1.into()),
            ("from", "x".into()),
            ("kind", "shout".into()),
        ]),
        message(&[
            ("v", 1.into()),
            ("from", "x".into()),
            ("kind", "claim".into()),
        ]),
        message(&[
            ("v", 1.into()),
            ("from", "x".into()),
            ("kind", "token".into()),
        ]),
        message(&[
            ("v", "1".into()),
            ("from", "x".into()),
            ("kind", "ask".into()),
        ]),
    ];
    for data in &garbage {
        assert_eq!(b.read(data, t), heard::NOTHING, "{data:?}");
    }
    let forged = message(&[
        ("v", 1.into()),
        ("from", "x".into()),
        ("kind", "token".into()),
        ("token", "not.a.jwt".into()),
        ("obtainedAt", t.into()),
    ]);
    assert_eq!(b.read(&forged, t), heard::BAD_TOKEN);
    assert_eq!(b.status(), "unknown", "nothing was taken");
}

#[wasm_bindgen_test]
fn a_token_message_is_taken_only_when_newer() {
    let mut a = core();
    let mut b = core();
    let t = now();
    sign_in(&mut a, &minute_token("first"), t);
    let first = a.post(say::TOKEN, "tab-a".into(), 0.0, false);
    assert_eq!(text(&first, "kind").as_deref(), Some("token"));
    assert_eq!(b.read(&first, t), heard::TOKEN, "newer than none");
    assert_eq!(b.jwt().as_string(), a.jwt().as_string());
    assert_eq!(b.order(), a.order());
    assert_eq!(b.status(), "signedIn");
    let state = b.state();
    assert_eq!(b.read(&first, t), heard::OLD_TOKEN, "the same token again");
    assert!(Object::is(&state, &b.state()), "no change");

    sign_in(&mut a, &minute_token("second"), t); // same ms: ordered after the first
    assert!(a.order() > b.order());
    let second = a.post(say::TOKEN, "tab-a".into(), 0.0, false);
    assert_eq!(b.read(&second, t), heard::TOKEN);
    assert_eq!(
        b.read(&first, t),
        heard::OLD_TOKEN,
        "an older token is not taken"
    );
    assert_eq!(
        text(&get(&b.state(), "user"), "sub").as_deref(),
        Some("second")
    );

    // An expired token is not taken, however new its order.
    let mut c = core();
    assert_eq!(c.read(&first, t + 61_000.0), heard::OLD_TOKEN);
    assert_eq!(c.status(), "unknown");

    // B's own next token is ordered after what it saw, even with its clock set back.
    let back = t - 3_600_000.0;
    let received = b.receive(&body(&minute_token("own")), f64::NAN, back);
    received.unwrap_or_else(|_| panic!());
    b.sign_in(true);
    assert!(b.order() > a.order());
    let own = b.post(say::TOKEN, "tab-b".into(), 0.0, false);
    assert_eq!(
        a.read(&own, back + 1.0),
        heard::TOKEN,
        "newer by order, not by clock"
    );
}

#[wasm_bindgen_test]
fn a_sign_out_message_is_proven_by_the_held_token() {
    let mut a = core();
    let mut b = core();
    let t = now();
    sign_in(&mut a, &minute_token("u1"), t);
    b.read(&a.post(say::TOKEN, "tab-a".into(), 0.0, false), t);
    let signed_out = a.post(say::SIGNED_OUT, "tab-a".into(), 0.0, true);
    assert_eq!(get(&signed_out, "expired").as_bool(), Some(true));
    assert_eq!(b.read(&signed_out, t), heard::SIGNED_OUT);

    // The same claims under another signature: not the session's token.
    let forged = minute_token("u1");
    let forged = [forged.rsplit_once('.').unwrap().0, ".b3RoZXI"].concat();
    let mut stranger = core();
    sign_in(&mut stranger, &forged, t);
    let unproven = stranger.post(say::SIGNED_OUT, "tab-x".into(), 0.0, false);
    assert_eq!(b.read(&unproven, t), heard::UNPROVEN_SIGN_OUT);
    let no_proof = core().post(say::SIGNED_OUT, "tab-y".into(), 0.0, false);
    assert!(get(&no_proof, "proof").is_undefined());
    assert_eq!(b.read(&no_proof, t), heard::UNPROVEN_SIGN_OUT);
    assert_eq!(core().read(&signed_out, t), heard::IDLE_SIGN_OUT);
    assert_eq!(
        b.status(),
        "signedIn",
        "reading decides, the driver signs out"
    );
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

/// `state.error` of `core` as `(code, message)`, checking it is a plain `{code, message}`.
fn state_error(core: &mut Core) -> (String, String) {
    let error = get(&core.state(), "error");
    let keys: Vec<String> = Object::keys(error.unchecked_ref::<Object>())
        .iter()
        .map(|k| k.as_string().unwrap())
        .collect();
    assert_eq!(keys, ["code", "message"]);
    (code_of(&error), text(&error, "message").unwrap())
}

#[wasm_bindgen_test]
fn fail_and_sign_out_put_the_error_into_the_state() {
    let mut c = core();
    sign_in(&mut c, &minute_token("u1"), now());
    assert!(c.error().is_undefined());

    let server = error_view("server", "server error: HTTP 503", Some(503));
    assert!(c.fail(&server));
    assert_eq!(
        state_error(&mut c),
        ("server".into(), "server error: HTTP 503".into())
    );
    assert_eq!(c.status(), "signedIn", "a failure keeps the session");
    let thrown = c.error();
    assert!(is_token_relay_error(&thrown));
    assert_eq!(code_of(&thrown), "server");
    assert_eq!(get(&thrown, "status").as_f64(), Some(503.0));
    assert_eq!(
        text(&thrown, "message").as_deref(),
        Some("server error: HTTP 503")
    );

    let network = error_view("network", "network error: Failed to fetch", None);
    c.fail(&network);
    assert_eq!(
        state_error(&mut c),
        ("network".into(), "network error: Failed to fetch".into())
    );
    assert!(
        get(&c.error(), "status").is_undefined(),
        "no status but for HTTP errors"
    );

    // What the wasm itself threw goes back in as it was.
    let bad = c.receive("{}", f64::NAN, 0.0).err().unwrap();
    c.fail(&bad);
    assert_eq!(state_error(&mut c).1, text(&bad, "message").unwrap());
    // Not one of ours: a network error, never a panic.
    c.fail(&JsValue::from(5));
    assert_eq!(state_error(&mut c).0, "network");

    // A refresh under way (the machine's flight) returns to what it was on failure.
    let request = fly(&mut c, "");
    assert_eq!(c.status(), "refreshing");
    c.input(
        input::FAILED,
        request,
        f64::NAN,
        f64::NAN,
        server.clone(),
        0.0,
        now(),
    );
    assert!(drain(&mut c).iter().any(|o| o[0] == output::REJECT));
    assert_eq!(c.status(), "signedIn");

    let expired = error_view(
        "session_expired",
        "session expired: the refresh token was rejected",
        None,
    );
    assert!(c.sign_out(&expired));
    assert_eq!(c.status(), "signedOut");
    assert_eq!(
        state_error(&mut c),
        (
            "session_expired".into(),
            "session expired: the refresh token was rejected".into()
        )
    );
    assert_eq!(code_of(&c.error()), "session_expired");
    assert!(c.jwt().is_undefined(), "the token is dropped");
    let unauthorized = error_view("unauthorized", "login refused: HTTP 401", Some(401));
    c.sign_out(&unauthorized);
    assert_eq!(state_error(&mut c).0, "unauthorized");
    assert_eq!(get(&c.error(), "status").as_f64(), Some(401.0));
    assert!(c.sign_out(&JsValue::UNDEFINED));
    assert!(get(&c.state(), "error").is_null() && c.error().is_undefined());
}

/// The machine's outputs until none is left, each as `[kind, a, b, c]` (`kind` a number).
fn drain(c: &mut Core) -> Vec<Vec<JsValue>> {
    std::iter::from_fn(|| {
        let out = c.poll("tab");
        (!out.is_undefined()).then(|| Array::from(&out).to_vec())
    })
    .collect()
}

/// Runs a demanded refresh with Web Locks up to its request, the page's cookies being
/// `cookies`; returns the request's id.
fn fly(c: &mut Core, cookies: &str) -> u32 {
    let id = |o: &[JsValue]| o[1].as_f64().unwrap() as u32;
    let find = |outs: Vec<Vec<JsValue>>, kind: u8| {
        outs.into_iter()
            .find(|o| o[0] == kind)
            .unwrap_or_else(|| panic!("no output {kind}"))
    };
    c.input(input::REFRESH, 1, 0.0, 1.0, JsValue::UNDEFINED, 0.0, now());
    let lock = find(drain(c), output::REQUEST_LOCK);
    c.input(
        input::LOCK,
        id(&lock),
        1.0,
        f64::NAN,
        JsValue::UNDEFINED,
        0.0,
        now(),
    );
    find(drain(c), output::READ_FACTS);
    c.input(input::FACTS, 0, 0.0, f64::NAN, cookies.into(), 0.0, now());
    // Before the refresh token is spent: the lock is still this tab's.
    find(drain(c), output::QUERY_LOCKS);
    c.input(input::HOLDER, 0, 1.0, f64::NAN, "me".into(), 0.0, now());
    id(&find(drain(c), output::SEND_AUTH))
}

/// A received token is taken once, and only when asked: a sign-out that came first drops it.
#[wasm_bindgen_test]
fn a_received_token_is_taken_once_or_dropped() {
    let mut c = core();
    assert!(!c.sign_in(true), "nothing received");
    c.receive(&body(&minute_token("u1")), f64::NAN, now())
        .unwrap_or_else(|_| panic!());
    assert_eq!(c.status(), "unknown", "received, not taken");
    assert!(!c.sign_in(false), "dropped");
    assert!(
        !c.sign_in(true) && c.jwt().is_undefined(),
        "dropped for good"
    );
    c.receive(&body(&minute_token("u2")), f64::NAN, now())
        .unwrap_or_else(|_| panic!());
    assert!(c.sign_in(true) && c.status() == "signedIn");
    assert!(!c.sign_in(true), "taken once");
}

/// The cooldown stamp the machine writes after a refresh, through the page's `document.cookie`.
#[wasm_bindgen_test]
fn cooldown_stamp_round_trips_through_document_cookie() {
    let name = ["cooldown", &now().to_string().replace('.', "")].concat();
    let mut c = Core::new(options(&[
        ("apiBase", CLOSED_API.into()),
        ("cooldownCookie", name.as_str().into()),
        ("cooldownMs", 30_000.into()),
    ]))
    .unwrap_or_else(|_| panic!());
    let document = get(&js_sys::global(), "document");
    let cookies = || text(&document, "cookie").unwrap();
    assert_eq!(read_stamp(&cookies(), &name), None);
    let request = fly(&mut c, &cookies());
    let received_from = now().floor();
    let answer = JsValue::from(body(&minute_token("u1")));
    c.input(input::ANSWER, request, 200.0, f64::NAN, answer, 0.0, now());
    let outs = drain(&mut c);
    let write = outs.iter().find(|o| o[0] == output::WRITE_COOKIE);
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
    assert_eq!(c.status(), "signedIn");
}

#[wasm_bindgen_test]
fn refresh_timing_follows_the_token() {
    let mut c = core();
    assert!(c.due_at().is_nan() && !c.due(now()) && !c.valid(now()));
    sign_in(&mut c, &minute_token("u1"), 1_000_000.0);
    // refreshAheadSeconds (30 by default, at most half the lifetime) before expiry.
    assert_eq!(c.due_at(), 1_030_000.0);
    assert!(!c.due(1_029_999.0) && c.due(1_030_000.0));
    assert!(c.valid(1_059_999.0) && !c.valid(1_060_000.0));
    // The refresh budget (the machine's; src/core/machine/tests.rs covers its wait): ten
    // requests in a window, then the eleventh waits for the budget timer.
    for at in 0..10 {
        let request = fly(&mut c, "");
        let error = JsValue::from("offline");
        c.input(
            input::FAILED,
            request,
            f64::NAN,
            f64::NAN,
            error,
            f64::from(at),
            now(),
        );
        drain(&mut c);
    }
    assert!(c.poll_timeout().is_nan(), "no timer");
    c.input(input::REFRESH, 1, 0.0, 1.0, JsValue::UNDEFINED, 10.0, now());
    assert!(drain(&mut c).is_empty(), "the eleventh waits");
    assert!(c.poll_timeout() > 10.0);
}
