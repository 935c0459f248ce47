//! Browser tests of the Rust driver's adapters (feature `web`) in headless Chromium: Web Locks,
//! BroadcastChannel, page listeners, `document.cookie` and the auth POST, each against the real
//! browser API (`wasm-pack test --headless --chrome --features web -- --test web`).
#![cfg(all(feature = "web", target_arch = "wasm32"))]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use wasm_bindgen_test::*;
use web_sys::{AbortController, Event};

use tokenrelay::web::auth_http::{post, Failure};
use tokenrelay::web::channel::Channel;
use tokenrelay::web::locks::{self, query, request, End, Lock, Mode, Outcome};
use tokenrelay::web::page::{listen, PageEvent};
use tokenrelay::web::{cookie, page};

wasm_bindgen_test_configure!(run_in_browser);

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

/// A lock name no other test of this run uses.
fn name(test: &str) -> String {
    format!("tokenrelay.test.{test}.{}", js_sys::Math::random())
}

fn granted(outcome: Outcome) -> Lock {
    match outcome {
        Outcome::Granted(lock) => lock,
        other => panic!("expected a grant, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_free_lock_is_granted() {
    assert!(locks::available());
    let lock = granted(request(&name("free"), Mode::Wait, None).await);
    lock.release();
    assert_eq!(lock.ended().await, End::Released);
}

#[wasm_bindgen_test]
async fn a_page_without_navigator_locks_is_told_unavailable() {
    // Shadow `navigator.locks` as an insecure context lacks it, then restore it.
    let navigator: JsValue = web_sys::window().unwrap().navigator().into();
    let shadow = js_sys::Object::new();
    Reflect::set(&shadow, &"value".into(), &JsValue::UNDEFINED).unwrap();
    Reflect::set(&shadow, &"configurable".into(), &JsValue::TRUE).unwrap();
    js_sys::Object::define_property(
        navigator.unchecked_ref::<js_sys::Object>(),
        &"locks".into(),
        &shadow,
    );
    let n = name("unavailable");
    let outcome = request(&n, Mode::Wait, None).await;
    let (usable, snapshot) = (locks::available(), query().await);
    Reflect::delete_property(navigator.unchecked_ref::<js_sys::Object>(), &"locks".into()).unwrap();
    assert!(matches!(outcome, Outcome::Unavailable), "{outcome:?}");
    assert!(!usable);
    assert_eq!(snapshot, None);
    assert!(locks::available(), "navigator.locks not restored");
}

#[wasm_bindgen_test]
async fn if_available_is_refused_while_held_and_granted_after_release() {
    let n = name("if_available");
    let holder = granted(request(&n, Mode::Wait, None).await);
    assert!(matches!(
        request(&n, Mode::IfAvailable, None).await,
        Outcome::Refused
    ));
    // The browser frees a released lock asynchronously: once `ended` settles.
    holder.release();
    assert_eq!(holder.ended().await, End::Released);
    let again = granted(request(&n, Mode::IfAvailable, None).await);
    again.release();
}

#[wasm_bindgen_test]
async fn a_steal_takes_the_lock_and_the_holder_sees_lost() {
    let n = name("steal");
    let holder = granted(request(&n, Mode::Wait, None).await);
    let thief = granted(request(&n, Mode::Steal, None).await);
    assert_eq!(holder.ended().await, End::Lost);
    // The thief holds it now: others are refused until it lets go.
    assert!(matches!(
        request(&n, Mode::IfAvailable, None).await,
        Outcome::Refused
    ));
    thief.release();
    assert_eq!(thief.ended().await, End::Released);
}

#[wasm_bindgen_test]
async fn a_release_lets_the_next_waiter_in() {
    let n = name("waiter");
    let holder = granted(request(&n, Mode::Wait, None).await);
    let waiter: Rc<RefCell<Option<Outcome>>> = Rc::default();
    let slot = Rc::clone(&waiter);
    let queued = n.clone();
    spawn_local(async move {
        let outcome = request(&queued, Mode::Wait, None).await;
        *slot.borrow_mut() = Some(outcome);
    });
    sleep(50).await;
    assert!(waiter.borrow().is_none(), "granted while held");
    holder.release();
    for _ in 0..100 {
        if waiter.borrow().is_some() {
            break;
        }
        sleep(10).await;
    }
    let next = granted(
        waiter
            .borrow_mut()
            .take()
            .expect("the waiter got no answer"),
    );
    assert_eq!(holder.ended().await, End::Released);
    next.release();
}

#[wasm_bindgen_test]
async fn a_request_dropped_before_its_grant_lets_the_lock_go() {
    let n = name("dropped");
    let holder = granted(request(&n, Mode::Wait, None).await);
    drop(request(&n, Mode::Wait, None));
    holder.release();
    assert_eq!(holder.ended().await, End::Released);
    // The dropped request is granted next, and lets go at once.
    sleep(50).await;
    granted(request(&n, Mode::IfAvailable, None).await).release();
}

#[wasm_bindgen_test]
async fn an_aborted_waiter_is_refused() {
    let n = name("abort");
    let holder = granted(request(&n, Mode::Wait, None).await);
    let controller = AbortController::new().unwrap();
    let signal = controller.signal();
    let waiting = request(&n, Mode::Wait, Some(&signal));
    spawn_local(async move {
        sleep(20).await;
        controller.abort();
    });
    assert!(matches!(waiting.await, Outcome::Refused));
    holder.release();
}

#[wasm_bindgen_test]
async fn query_shows_the_holder_and_a_waiter_queued_at_the_call() {
    let n = name("query");
    let holder = granted(request(&n, Mode::Wait, None).await);
    // Not polled yet: the request is made at the call.
    let waiter = request(&n, Mode::Wait, None);
    let snapshot = query().await.expect("navigator.locks.query()");
    let held: Vec<_> = snapshot.held.iter().filter(|l| l.name == n).collect();
    assert_eq!(held.len(), 1, "{snapshot:?}");
    assert!(!held[0].client_id.is_empty());
    let pending = snapshot.pending.iter().filter(|l| l.name == n).count();
    assert_eq!(pending, 1, "{snapshot:?}");
    holder.release();
    granted(waiter.await).release();
}

#[wasm_bindgen_test]
async fn a_message_crosses_between_two_channels_of_one_name_until_closed() {
    let n = name("channel");
    let sent_back = Rc::new(Cell::new(0));
    let counter = Rc::clone(&sent_back);
    let sender = Channel::open(&n, move |_| counter.set(counter.get() + 1)).unwrap();
    let heard: Rc<RefCell<Vec<JsValue>>> = Rc::default();
    let log = Rc::clone(&heard);
    let receiver = Channel::open(&n, move |data| log.borrow_mut().push(data)).unwrap();
    sender
        .post(&js_sys::JSON::parse(r#"{"kind":"hello","n":1}"#).unwrap())
        .unwrap();
    for _ in 0..100 {
        if !heard.borrow().is_empty() {
            break;
        }
        sleep(10).await;
    }
    let data = heard.borrow_mut().pop().expect("no message arrived");
    assert_eq!(
        Reflect::get(&data, &"kind".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("hello")
    );
    receiver.close();
    sender.post(&"after close".into()).unwrap();
    sleep(50).await;
    assert!(heard.borrow().is_empty(), "a closed channel still heard");
    assert_eq!(sent_back.get(), 0, "the sender heard its own message");
    sender.close();
}

#[wasm_bindgen_test]
fn a_page_listener_is_removed_on_drop() {
    let window = web_sys::window().unwrap();
    let document = window.document().unwrap();
    let focus = Rc::new(Cell::new(0));
    let shown = Rc::new(Cell::new(0));
    let (f, s) = (Rc::clone(&focus), Rc::clone(&shown));
    let on_focus = listen(PageEvent::Focus, move |_| f.set(f.get() + 1)).unwrap();
    let on_visibility = listen(PageEvent::VisibilityChange, move |_| s.set(s.get() + 1)).unwrap();
    window
        .dispatch_event(&Event::new("focus").unwrap())
        .unwrap();
    document
        .dispatch_event(&Event::new("visibilitychange").unwrap())
        .unwrap();
    assert_eq!((focus.get(), shown.get()), (1, 1));
    drop(on_focus);
    drop(on_visibility);
    window
        .dispatch_event(&Event::new("focus").unwrap())
        .unwrap();
    document
        .dispatch_event(&Event::new("visibilitychange").unwrap())
        .unwrap();
    assert_eq!(
        (focus.get(), shown.get()),
        (1, 1),
        "a dropped listener still ran"
    );
    assert!(page::online());
    assert!(!page::persisted(&Event::new("pageshow").unwrap()));
    let init = js_sys::JSON::parse(r#"{"persisted":true}"#).unwrap();
    let class = Reflect::get(&window, &"PageTransitionEvent".into()).unwrap();
    let args = js_sys::Array::of2(&"pageshow".into(), &init);
    let from_cache = Reflect::construct(class.unchecked_ref::<js_sys::Function>(), &args).unwrap();
    assert!(page::persisted(from_cache.unchecked_ref()));
}

#[wasm_bindgen_test]
fn a_written_cookie_is_read_back_and_deleted() {
    let n = format!("tokenrelay_test_{}", (js_sys::Math::random() * 1e9) as u64);
    cookie::write(&format!("{n}=42; Path=/; SameSite=Lax")).unwrap();
    let cookies = cookie::read().unwrap();
    assert!(
        cookies.split("; ").any(|c| c == format!("{n}=42")),
        "{cookies}"
    );
    cookie::write(&format!("{n}=; Path=/; Max-Age=0")).unwrap();
    assert!(!cookie::read().unwrap().contains(&n));
}

#[wasm_bindgen_test]
async fn an_auth_post_reads_the_whole_answer() {
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    let answer = post(
        &format!("{origin}/no-such-endpoint"),
        &[("X-CSRF", "1")],
        Some("{}"),
        None,
    )
    .await
    .unwrap();
    assert!(answer.status >= 400, "{answer:?}");
    assert!(answer.date.is_some(), "{answer:?}");
}

#[wasm_bindgen_test]
async fn an_auth_post_fails_as_network_or_aborted() {
    // Nobody listens on port 9: no HTTP answer.
    let closed = post("http://127.0.0.1:9/auth/refresh", &[], None, None).await;
    assert!(matches!(closed, Err(Failure::Network(_))), "{closed:?}");
    let controller = AbortController::new().unwrap();
    controller.abort();
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    let aborted = post(&origin, &[], None, Some(&controller.signal())).await;
    assert_eq!(aborted, Err(Failure::Aborted));
}
