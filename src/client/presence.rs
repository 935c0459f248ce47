//! Presence: each client holds a Web Lock of its own, `<channel>:presence:<tab id>`, so a
//! tab that starts can tell from `navigator.locks.query()` whether any other tab is alive,
//! and skip the question to the tabs when none is (a one-tab reload then costs one refresh
//! round trip, not 100 ms more).
//!
//! Chrome keeps a page that holds a Web Lock out of the back/forward cache, so the lock is
//! released on `pagehide` and taken again on `pageshow`.

use std::rc::Rc;

use crate::web::events::EventListener;

use crate::web::locks::{self, Held, Mode, Request};

use super::Inner;

/// The presence lock of a client and the page listeners that release and retake it.
#[derive(Default)]
pub struct Presence {
    held: Option<Held>,
    listeners: Vec<EventListener>,
}

fn prefix(inner: &Inner) -> String {
    [inner.options.channel.as_str(), ":presence:"].concat()
}

/// Takes the presence lock now and after every `pageshow`; releases it on `pagehide`.
pub fn announce(inner: &Rc<Inner>) {
    if !inner.options.use_web_locks || !locks::available() {
        return;
    }
    take(inner);
    let Some(window) = web_sys::window() else {
        return;
    };
    let on = |event: &'static str, show: bool| {
        let weak = Rc::downgrade(inner);
        EventListener::new(&window, event, move |_| {
            if let Some(inner) = weak.upgrade() {
                if show {
                    take(&inner);
                } else {
                    inner.presence.borrow_mut().held.take();
                }
            }
        })
    };
    let listeners = vec![on("pagehide", false), on("pageshow", true)];
    inner.presence.borrow_mut().listeners = listeners;
}

fn take(inner: &Rc<Inner>) {
    if inner.check_alive().is_err() || inner.presence.borrow().held.is_some() {
        return;
    }
    let name = [prefix(inner).as_str(), &inner.tab_id].concat();
    let Some(request) = Request::new(&name, Mode::Wait) else {
        return;
    };
    let weak = Rc::downgrade(inner);
    wasm_bindgen_futures::spawn_local(async move {
        let held = request.granted().await;
        if let Some(inner) = weak.upgrade() {
            if inner.check_alive().is_ok() {
                inner.presence.borrow_mut().held = held;
            }
        }
    });
}

/// Whether another tab of this origin may be alive: `false` only when Web Locks show no
/// presence lock but this tab's (each live client holds or asks for one from its
/// construction on).
pub async fn others_may_be_alive(inner: &Inner) -> bool {
    if !inner.options.use_web_locks {
        return true;
    }
    let Some(names) = locks::names_in_use().await else {
        return true;
    };
    let prefix = prefix(inner);
    let mine = [prefix.as_str(), &inner.tab_id].concat();
    names.iter().any(|n| n.starts_with(&prefix) && *n != mine)
}
