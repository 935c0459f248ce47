//! Small JS helpers: clock, random ids, deferred promises and timers as promises.

use js_sys::{Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Sets `key` of a plain object this crate made (an init copy, a header record, the state):
/// `Reflect.set`, the one import every such property shares, which cannot fail on them.
pub fn set(object: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(object, &key.into(), value);
}

/// Epoch milliseconds of the local clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `performance.now()`.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Milliseconds of a monotonic clock (`performance.now()`): for how long something lasted
/// in this tab. Unlike [`now_ms`], it never jumps when the system clock is set, so a clock
/// change cannot make a live peer look silent, nor end a wait early.
pub fn monotonic_ms() -> f64 {
    performance_now()
}

/// A random id for this tab (base 36, about 10 characters).
pub fn random_id() -> String {
    let mut n = (js_sys::Math::random() * 3_656_158_440_062_976.0) as u64; // 36^10
    let mut id = String::with_capacity(10);
    for _ in 0..10 {
        let d = (n % 36) as u32;
        id.push(char::from_digit(d, 36).unwrap_or('0'));
        n /= 36;
    }
    id
}

/// A promise and the function that resolves it.
pub fn deferred() -> (Promise, Function) {
    let mut resolve = None;
    let promise = Promise::new(&mut |res, _rej| resolve = Some(res));
    // The executor runs synchronously, so `resolve` is always set (no `new Function("")`
    // fallback: it needs `unsafe-eval` under a CSP, and one more import).
    let resolve = resolve.map_or_else(|| JsValue::UNDEFINED.unchecked_into(), Function::from);
    (promise, resolve)
}

/// A promise that resolves to `value` after `ms` milliseconds (`setTimeout` given the resolver
/// itself, so no closure is allocated).
pub fn timer_promise(ms: f64, value: &JsValue) -> Promise {
    let (promise, resolve) = deferred();
    let ms = JsValue::from(ms.clamp(0.0, i32::MAX as f64).floor());
    let set_timeout: Function = js_sys::Reflect::get(&js_sys::global(), &"setTimeout".into())
        .unwrap_or(JsValue::UNDEFINED)
        .unchecked_into();
    let args = js_sys::Array::of3(&resolve, &ms, value);
    let _ = set_timeout.apply(&JsValue::UNDEFINED, &args);
    promise
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: f64) {
    let _ = JsFuture::from(timer_promise(ms, &JsValue::UNDEFINED)).await;
}

/// Waits for `promise` for at most `ms` milliseconds; returns whether it settled in time.
pub async fn settled_within(promise: &Promise, ms: f64) -> bool {
    let marker = JsValue::from_str("tokenrelay:timeout");
    let timeout = timer_promise(ms, &marker);
    let race = Promise::race(&js_sys::Array::of2(promise, &timeout));
    match JsFuture::from(race).await {
        Ok(v) => v != marker,
        Err(_) => true,
    }
}

/// The `message` of a JS error, or the value itself when it is a string.
pub fn message_of(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
