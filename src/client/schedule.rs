//! When to refresh without being asked: a timer before expiry (or after a failure, with
//! backoff), and a re-check when the page becomes visible, gains focus, goes online or comes
//! back from the back/forward cache, since background tabs have their timers throttled.

use std::rc::Rc;

use crate::web::events::EventListener;
use crate::web::timer::Timeout;

use crate::core::coordination::backoff_ms;
use crate::core::Status;
use crate::web::js::now_ms;

use super::refresh::{refresh, Reason};
use super::Inner;

/// The timer and page listeners of a client (all released when dropped).
#[derive(Default)]
pub struct Schedule {
    timer: Option<Timeout>,
    page_listeners: Vec<EventListener>,
}

/// Listens for `visibilitychange`, `focus` and `online`.
pub fn watch_page(inner: &Rc<Inner>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let on = |target: &web_sys::EventTarget, event: &'static str| {
        let weak = Rc::downgrade(inner);
        EventListener::new(target, event, move |_| {
            if let Some(inner) = weak.upgrade() {
                // `document.visibilityState` read as a string (the typed getter costs an
                // import, an enum table and a panic path).
                let visible = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| js_sys::Reflect::get(&d, &"visibilityState".into()).ok())
                    .and_then(|state| state.as_string())
                    .is_none_or(|state| state == "visible");
                if visible {
                    refresh_if_due(&inner);
                }
            }
        })
    };
    // `pageshow`: back from the back/forward cache, where no timer ran.
    let mut listeners = vec![
        on(&window, "focus"),
        on(&window, "online"),
        on(&window, "pageshow"),
    ];
    if let Some(document) = window.document() {
        listeners.push(on(&document, "visibilitychange"));
    }
    inner.schedule.borrow_mut().page_listeners = listeners;
}

/// Re-arms the timer for the current session: at the refresh due time, or after the backoff
/// when the last refresh failed transiently; no timer without a token or a pending restore.
pub fn rearm(inner: &Rc<Inner>) {
    let delay = next_check_in_ms(inner);
    let weak = Rc::downgrade(inner);
    let timer = delay.map(|ms| {
        let ms = ms.clamp(0.0, i32::MAX as f64) as u32;
        Timeout::new(ms, move || {
            if let Some(inner) = weak.upgrade() {
                refresh_if_due(&inner);
            }
        })
    });
    inner.schedule.borrow_mut().timer = timer;
}

fn next_check_in_ms(inner: &Inner) -> Option<f64> {
    if inner.check_alive().is_err() {
        return None;
    }
    let session = inner.session.borrow();
    let failures = inner.failures.get();
    let now = now_ms();
    let retry = (failures > 0).then(|| backoff_ms(failures - 1));
    match session.token() {
        Some(token) => {
            let due_at = token.refresh_due_at_ms(inner.options.refresh_ahead_seconds * 1000.0);
            let due_in = due_at - now + 1.0; // timers may fire a hair early
            Some(retry.map_or(due_in, |r| due_in.max(r)))
        }
        None if session.status() == Status::Unknown => retry,
        None => None,
    }
}

/// Starts a proactive refresh when the token is due (or a failed restore should be retried).
pub fn refresh_if_due(inner: &Rc<Inner>) {
    if inner.check_alive().is_err() || inner.flight.borrow().is_some() {
        return;
    }
    let session = inner.session.borrow();
    let ahead_ms = inner.options.refresh_ahead_seconds * 1000.0;
    let due = match session.token() {
        Some(token) => token.needs_refresh(now_ms(), ahead_ms),
        None => session.status() == Status::Unknown && inner.failures.get() > 0,
    };
    drop(session);
    if due {
        let inner = inner.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = refresh(&inner, Reason::Proactive).await;
        });
    }
}
