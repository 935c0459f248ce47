//! Web Locks (`navigator.locks`), through a small binding of our own: web-sys only has it
//! behind `--cfg=web_sys_unstable_apis`, and it is missing in insecure contexts, so it is
//! feature-detected at run time.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortController;

use super::js::deferred;

#[wasm_bindgen]
extern "C" {
    /// The `LockManager` of the page.
    type LockManager;

    #[wasm_bindgen(method)]
    fn query(this: &LockManager) -> Promise;

    #[wasm_bindgen(method, js_name = request)]
    fn request_with_options(
        this: &LockManager,
        name: &str,
        options: &Object,
        callback: &Function,
    ) -> Promise;
}

/// The lock manager, when the browser has one (secure contexts of current browsers).
fn manager() -> Option<LockManager> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    if locks.is_object() {
        Some(locks.unchecked_into())
    } else {
        None
    }
}

/// Whether Web Locks are available here.
pub fn available() -> bool {
    manager().is_some()
}

/// The names of the locks held or asked for in this origin (`navigator.locks.query()`);
/// `None` where Web Locks are unavailable or the query failed.
pub async fn names_in_use() -> Option<Vec<String>> {
    let snapshot = JsFuture::from(manager()?.query()).await.ok()?;
    let mut names = Vec::new();
    for list in ["held", "pending"] {
        let locks: js_sys::Array = Reflect::get(&snapshot, &list.into())
            .ok()?
            .dyn_into()
            .ok()?;
        let name = |lock: JsValue| Reflect::get(&lock, &"name".into()).ok()?.as_string();
        names.extend(locks.iter().filter_map(name));
    }
    Some(names)
}

/// How to ask for the lock.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Wait until the lock is free.
    Wait,
    /// Take it only if it is free right now.
    IfAvailable,
    /// Take it from a holder known to be stale (the holder's lock is released at once).
    Steal,
}

/// A held exclusive lock, released when dropped.
pub struct Held {
    release: Function,
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::UNDEFINED);
    }
}

/// A pending lock request. Dropping it before it is granted withdraws it (and a grant that
/// arrives later is released at once), so an abandoned wait never holds the lock.
pub struct Request {
    granted: Promise,
    settled: Rc<Cell<bool>>,
    release: Option<Function>,
    abort: Option<AbortController>,
}

impl Drop for Request {
    fn drop(&mut self) {
        self.abort();
        if let Some(release) = self.release.take() {
            let _ = release.call0(&JsValue::UNDEFINED);
        }
    }
}

impl Request {
    /// Asks for the exclusive lock `name`. `None` where Web Locks are unavailable.
    pub fn new(name: &str, mode: Mode) -> Option<Self> {
        let manager = manager()?;
        let (granted, grant) = deferred();
        let (hold, release) = deferred();
        let options = Object::new();
        let set = |k: &str, v: &JsValue| Reflect::set(&options, &k.into(), v).is_ok();
        set("mode", &"exclusive".into());
        let abort = match mode {
            Mode::Wait => {
                let controller = AbortController::new().ok();
                if let Some(c) = &controller {
                    set("signal", &c.signal());
                }
                controller
            }
            Mode::IfAvailable => {
                set("ifAvailable", &JsValue::TRUE);
                None
            }
            Mode::Steal => {
                set("steal", &JsValue::TRUE);
                None
            }
        };
        let settled = Rc::new(Cell::new(false));
        let grant_in_callback = grant.clone();
        let settled_in_callback = settled.clone();
        let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
            settled_in_callback.set(true);
            let _ = grant_in_callback.call1(&JsValue::UNDEFINED, &(!lock.is_null()).into());
            hold.into()
        });
        let done = manager.request_with_options(name, &options, callback.unchecked_ref());
        // `done` settles when the lock is released, or rejects when the request is aborted
        // or the lock stolen; before a grant that means "not granted".
        let settled_when_done = settled.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = JsFuture::from(done).await;
            settled_when_done.set(true);
            let _ = grant.call1(&JsValue::UNDEFINED, &JsValue::FALSE);
        });
        Some(Self {
            granted,
            settled,
            release: Some(release),
            abort,
        })
    }

    /// Resolves when the request settles: the lock, or `None` when it was not granted
    /// (`IfAvailable` and held elsewhere, aborted, or stolen by another tab).
    pub async fn granted(mut self) -> Option<Held> {
        let ok = JsFuture::from(self.granted.clone()).await.ok()?.as_bool() == Some(true);
        let release = self.release.take()?;
        if ok {
            Some(Held { release })
        } else {
            let _ = release.call0(&JsValue::UNDEFINED);
            None
        }
    }

    /// The promise that settles with `true` once the lock is granted, `false` otherwise.
    pub fn granted_promise(&self) -> &Promise {
        &self.granted
    }

    /// Whether the request has settled (granted, or refused), so [`Request::granted`] will
    /// not wait.
    pub fn is_settled(&self) -> bool {
        self.settled.get()
    }

    /// Withdraws a waiting request (no effect once granted).
    pub fn abort(&self) {
        if let Some(c) = &self.abort {
            c.abort();
        }
    }
}
