//! Presence: each client holds a Web Lock of its own, `<channel>:presence:<tab id>`, so the
//! machine can ask whether another tab of the origin is alive, and who holds the refresh lock
//! (the same names as the JS driver's presence.js, so JS and Rust tabs see each other).
//! Chrome keeps a page that holds a Web Lock out of the back/forward cache: the lock is let go
//! on `pagehide` and taken again on `pageshow`.

use alloc::rc::Rc;
use alloc::string::String;
use core::cell::RefCell;

use wasm_bindgen_futures::spawn_local;
use web_sys::AbortController;

use super::locks::{self, Mode, Outcome};
use super::pump::{feed, Held, Shared};
use crate::core::machine::Input;
use crate::core::text::concat;

/// The prefix of every presence lock of the channel.
fn prefix(this: &Shared) -> String {
    concat(&[&this.borrow().machine.options().channel, ":presence:"])
}

/// This tab's presence lock.
fn mine(this: &Shared) -> String {
    concat(&[&prefix(this), &this.borrow().tab])
}

/// Asks for this tab's presence lock (unless held or asked for already).
pub(crate) fn take(this: &Shared) {
    if this.borrow().presence.is_some() {
        return;
    }
    let controller = AbortController::new().ok();
    let signal = controller.as_ref().map(AbortController::signal);
    let asked = locks::request(&mine(this), Mode::Wait, signal.as_ref());
    let held = Rc::new(RefCell::new(Held {
        controller,
        lock: None,
    }));
    let slot = Rc::downgrade(&held);
    this.borrow_mut().presence = Some(held);
    spawn_local(async move {
        if let Outcome::Granted(lock) = asked.await {
            if let Some(held) = slot.upgrade() {
                held.borrow_mut().lock = Some(lock); // else let go: dropped here
            }
        }
    });
}

/// Lets this tab's presence lock go (or withdraws the request for it).
pub(crate) fn leave(this: &Shared) {
    let held = this.borrow_mut().presence.take();
    drop(held);
}

/// Answers [`Output::QueryPresence`](crate::core::machine::Output::QueryPresence): whether
/// another tab may be alive (false only when Web Locks show no presence lock but this tab's).
pub(crate) fn query_others(this: &Shared) {
    if !this.borrow().machine.options().use_web_locks {
        feed(this, Input::Presence { others: true });
        return;
    }
    let (prefix, mine) = (prefix(this), mine(this));
    let asked = locks::query();
    let weak = Rc::downgrade(this);
    spawn_local(async move {
        let others = asked.await.is_none_or(|snapshot| {
            let all = snapshot.held.iter().chain(snapshot.pending.iter());
            all.into_iter()
                .any(|l| l.name.starts_with(&prefix) && l.name != mine)
        });
        if let Some(this) = weak.upgrade() {
            feed(&this, Input::Presence { others });
        }
    });
}

/// Answers [`Output::QueryLocks`](crate::core::machine::Output::QueryLocks): the client id
/// holding the refresh lock, and whether it is this tab (the one holding this tab's presence
/// lock).
pub(crate) fn query_holder(this: &Shared) {
    let refresh = this.borrow().machine.options().channel.clone();
    let mine = mine(this);
    let asked = locks::query();
    let weak = Rc::downgrade(this);
    spawn_local(async move {
        let held = asked.await.map(|s| s.held).unwrap_or_default();
        let of = |name: &str| {
            held.iter()
                .find(|l| l.name == name)
                .map(|l| l.client_id.clone())
        };
        let client = of(&refresh);
        let is_mine = client.is_some() && client == of(&mine);
        if let Some(this) = weak.upgrade() {
            feed(
                &this,
                Input::Holder {
                    client,
                    mine: is_mine,
                },
            );
        }
    });
}
