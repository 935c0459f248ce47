//! Web Locks: exclusive locks shared by every tab of the origin, through a binding of our own
//! (web-sys's needs `--cfg web_sys_unstable_apis`; this one needs no flag).
//!
//! One [`request`] asks for a lock and settles on what the browser did: [`Outcome::Granted`]
//! with a [`Lock`] to hold, [`Outcome::Refused`], or [`Outcome::Unavailable`]. A granted lock
//! is held until [`Lock::release`] (or its drop); [`Lock::ended`] tells whether it ended that
//! way or was stolen by another tab ([`End::Lost`]). [`query`] reads who holds and who waits.
//! Nothing here waits, times out or retries on its own: the caller decides.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::future::Future;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks`.
    type LockManager;

    /// `navigator.locks.request(name, options, callback)`: the promise settles when the lock
    /// ends (the callback's promise resolved) or the request fails.
    #[wasm_bindgen(method, catch)]
    fn request(
        this: &LockManager,
        name: &str,
        options: &Object,
        callback: &JsValue,
    ) -> Result<Promise, JsValue>;

    /// `navigator.locks.query()`.
    #[wasm_bindgen(method, catch)]
    fn query(this: &LockManager) -> Result<Promise, JsValue>;
}

/// How a lock is asked for (always in `"exclusive"` mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Queue until the lock is free (or the request's abort signal fires).
    Wait,
    /// Take it only if it is free right now (`ifAvailable: true`).
    IfAvailable,
    /// Take it at once from whoever holds it (`steal: true`); the holder sees [`End::Lost`].
    Steal,
}

/// What a lock request came to.
#[derive(Debug)]
pub enum Outcome {
    /// The lock is held by this page until the [`Lock`] is released or dropped.
    Granted(Lock),
    /// Not granted: held elsewhere ([`Mode::IfAvailable`]), or the request was aborted (its
    /// signal fired, or another request stole the lock before this one had it).
    Refused,
    /// This page has no Web Locks (`navigator.locks` is missing, as in an insecure context),
    /// or the browser rejected the request itself (an opaque origin, an invalid name).
    Unavailable,
}

/// How a granted lock ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Released by this page ([`Lock::release`] or a drop).
    Released,
    /// Taken away after the grant: another request stole it ([`Mode::Steal`]).
    Lost,
}

/// The resolve function of the promise a granted request's callback returned (the browser
/// frees the lock once it is called), shared with that callback, which sets it.
type Release = Rc<RefCell<Option<Function>>>;

/// A granted lock. Dropping it releases it.
#[derive(Debug)]
pub struct Lock {
    /// Frees the lock (taken on the first release).
    release: Release,
    /// The promise `navigator.locks.request` returned: fulfilled once released, rejected
    /// (`AbortError`) once stolen.
    done: Promise,
}

impl Lock {
    /// Lets the lock go (the next waiter is granted it). Idempotent. The browser frees it
    /// asynchronously, by the time [`Lock::ended`] settles.
    ///
    /// # Example
    /// ```no_run
    /// # async fn demo() {
    /// use tokenrelay::web::locks::{request, Mode, Outcome};
    /// if let Outcome::Granted(lock) = request("app.refresh", Mode::Wait, None).await {
    ///     // ... the work only one tab may do at a time ...
    ///     lock.release();
    /// }
    /// # }
    /// ```
    pub fn release(&self) {
        if let Some(resolve) = self.release.borrow_mut().take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }

    /// Settles when the lock has ended: [`End::Released`] after [`Lock::release`],
    /// [`End::Lost`] when another request stole it. Pending while the lock is held.
    ///
    /// # Example
    /// ```no_run
    /// # async fn demo(lock: tokenrelay::web::locks::Lock) {
    /// use tokenrelay::web::locks::End;
    /// if lock.ended().await == End::Lost {
    ///     // another tab took the lock over
    /// }
    /// # }
    /// ```
    pub fn ended(&self) -> impl Future<Output = End> + 'static {
        let done = JsFuture::from(self.done.clone());
        async move {
            match done.await {
                Ok(_) => End::Released,
                Err(_) => End::Lost,
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        self.release();
    }
}

/// `navigator.locks` of this page (or worker), if it has Web Locks.
fn lock_manager() -> Option<LockManager> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    (locks.is_object()).then(|| locks.unchecked_into())
}

/// Whether this page has Web Locks (`navigator.locks`; absent in insecure contexts).
///
/// # Example
/// ```no_run
/// let usable = tokenrelay::web::locks::available();
/// ```
pub fn available() -> bool {
    lock_manager().is_some()
}

/// Asks for the exclusive lock `name` as `mode` says; `signal` aborts a [`Mode::Wait`] still
/// queued (the other modes settle at once and take no signal). The request is made at the
/// call, so requests queue in call order; the future settles on the browser's answer.
///
/// # Example
/// ```no_run
/// # async fn demo() {
/// use tokenrelay::web::locks::{request, Mode, Outcome};
/// match request("app.refresh", Mode::IfAvailable, None).await {
///     Outcome::Granted(lock) => drop(lock), // held until here
///     Outcome::Refused => {}                // another tab holds it
///     Outcome::Unavailable => {}            // no Web Locks on this page
/// }
/// # }
/// ```
pub fn request(
    name: &str,
    mode: Mode,
    signal: Option<&AbortSignal>,
) -> impl Future<Output = Outcome> + 'static {
    let asked = ask(name, mode, signal);
    // The future owns the lock from the call: dropped at any point, it lets the lock go.
    async move {
        let Some((answer, lock)) = asked else {
            return Outcome::Unavailable;
        };
        match answer.await {
            Ok(held) if held.is_truthy() => Outcome::Granted(lock),
            Ok(_) => Outcome::Refused,
            Err(error) if error_name(&error) == "AbortError" => Outcome::Refused,
            Err(_) => Outcome::Unavailable,
        }
    }
}

/// Makes the request of [`request`]: the answer (`true` granted, `false` refused, an error
/// when the request failed before any grant) and the lock it is about; `None` without Web
/// Locks or when the browser throws.
fn ask(name: &str, mode: Mode, signal: Option<&AbortSignal>) -> Option<(JsFuture, Lock)> {
    let manager = lock_manager()?;
    let options = Object::new();
    set(&options, "mode", &"exclusive".into());
    match mode {
        Mode::Wait => {
            if let Some(signal) = signal {
                set(&options, "signal", signal);
            }
        }
        Mode::IfAvailable => set(&options, "ifAvailable", &JsValue::TRUE),
        Mode::Steal => set(&options, "steal", &JsValue::TRUE),
    }
    // `granted` settles when the callback runs: `true` with a lock, `false` without
    // (ifAvailable and held). While the lock is held, the callback's promise is pending; its
    // resolve function is the release.
    let mut tell = None;
    let granted = Promise::new(&mut |resolve, _| tell = Some(resolve));
    let release: Release = Rc::default();
    let slot = Rc::downgrade(&release);
    // Freed by wasm-bindgen after its one call (a request aborted before the grant never
    // calls it: that closure stays allocated, a few bytes). A grant that comes after the
    // request's future and lock were dropped is let go at once (the callback returns).
    let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        let slot = slot.upgrade();
        let held = !lock.is_null() && slot.is_some();
        let hold = match slot {
            Some(slot) if held => {
                Promise::new(&mut |resolve, _| *slot.borrow_mut() = Some(resolve)).into()
            }
            _ => JsValue::UNDEFINED,
        };
        if let Some(tell) = tell {
            let _ = tell.call1(&JsValue::UNDEFINED, &JsValue::from_bool(held));
        }
        hold
    });
    let done = manager.request(name, &options, &callback).ok()?;
    // The request's promise rejects before any grant when the request is aborted or refused
    // by the browser; racing it with `granted` also marks its later rejection (a steal) as
    // handled.
    let answer = JsFuture::from(Promise::race(&Array::of2(&granted, &done)));
    Some((answer, Lock { release, done }))
}

/// One lock in a [`Snapshot`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockInfo {
    /// The lock's name.
    pub name: String,
    /// The id of the client (tab, worker) that holds or asks for it.
    pub client_id: String,
}

/// The origin's locks at one instant (`navigator.locks.query()`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The locks held, one entry each.
    pub held: Vec<LockInfo>,
    /// The requests queued, in the order they would be granted.
    pub pending: Vec<LockInfo>,
}

/// Reads who holds and who waits for which lock across the origin, as of the call; `None`
/// without Web Locks or when the browser refuses the query.
///
/// # Example
/// ```no_run
/// # async fn demo() {
/// if let Some(snapshot) = tokenrelay::web::locks::query().await {
///     let held = snapshot.held.iter().any(|l| l.name == "app.refresh");
/// }
/// # }
/// ```
pub fn query() -> impl Future<Output = Option<Snapshot>> + 'static {
    let asked = lock_manager().and_then(|manager| manager.query().ok());
    async move { read_snapshot(&JsFuture::from(asked?).await.ok()?) }
}

/// The lists of a `LockManagerSnapshot`.
fn read_snapshot(snapshot: &JsValue) -> Option<Snapshot> {
    let list = |key: &str| -> Vec<LockInfo> {
        let Ok(items) = Reflect::get(snapshot, &key.into()) else {
            return Vec::new();
        };
        if !Array::is_array(&items) {
            return Vec::new();
        }
        Array::from(&items)
            .iter()
            .map(|item| LockInfo {
                name: text(&item, "name"),
                client_id: text(&item, "clientId"),
            })
            .collect()
    };
    Some(Snapshot {
        held: list("held"),
        pending: list("pending"),
    })
}

/// Sets `key` on an options object this module made (cannot fail on it).
fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &key.into(), value);
}

/// The string member `key` of `value` (empty when absent).
fn text(value: &JsValue, key: &str) -> String {
    Reflect::get(value, &key.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The `name` of a thrown DOMException or Error (empty when none).
fn error_name(error: &JsValue) -> String {
    text(error, "name")
}
