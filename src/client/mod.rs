//! The orchestration of one `AuthClient`: session, listeners, refresh flights, peers.
//!
//! Everything runs on the page's single thread, so state is kept in `Cell`/`RefCell` behind
//! an `Rc`; callbacks from the browser hold a `Weak` so that `dispose` frees everything.

mod flight;
mod peers;
mod presence;
pub(crate) mod refresh;
pub(crate) mod requests;
mod schedule;
pub(crate) mod wrapped;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::JsValue;

use crate::core::budget::RefreshBudget;
use crate::core::claims::next_order;
use crate::core::coordination::Claim;
use crate::core::origin::AllowList;
use crate::core::{Error, Options, Session, Token};
use crate::web::channel::Channel;
use crate::web::js;

pub use flight::Flight;

/// The state of one client, shared by the JS wrapper and the browser callbacks.
pub struct Inner {
    pub(crate) options: Options,
    /// The origins that may receive the token, as JS strings (checked without copying URLs
    /// into wasm on every request).
    pub(crate) allowed_origins: js_sys::Array,
    /// Whether targets relative to `apiBase` may carry the token: the browser's origin of
    /// `apiBase` is in the allow-list (it is unless the browser serializes it differently).
    pub(crate) api_base_allowed: bool,
    /// `Bearer <jwt>` as a JS string, for the token obtained at the given time.
    bearer: RefCell<Option<(f64, JsValue)>>,
    pub(crate) tab_id: String,
    pub(crate) session: RefCell<Session>,
    /// Grows on every sign-out, so a refresh that was under way cannot sign back in.
    pub(crate) generation: Cell<u64>,
    listeners: RefCell<Vec<(u32, Function)>>,
    next_listener: Cell<u32>,
    state_cache: RefCell<Option<(u64, JsValue)>>,
    pub(crate) flight: RefCell<Option<Flight>>,
    /// The restore of `start()` under way (asking the tabs, then refreshing).
    pub(crate) restore: RefCell<Option<Flight>>,
    pub(crate) channel: RefCell<Option<Channel>>,
    /// Resolvers of tasks waiting for news from other tabs.
    waiters: RefCell<Vec<Function>>,
    /// Live refresh claims of other tabs, with when they were last heard of (monotonic ms).
    pub(crate) peer_claims: RefCell<Vec<(Claim, f64)>>,
    /// Our own live claim (fallback election without Web Locks).
    pub(crate) my_claim: RefCell<Option<Claim>>,
    pub(crate) schedule: RefCell<schedule::Schedule>,
    /// When this tab last asked the others for a newer token and got none.
    pub(crate) unanswered_ask: Cell<Option<f64>>,
    /// Consecutive transient refresh failures (drives the backoff).
    pub(crate) failures: Cell<u32>,
    /// The bound on refresh requests per window.
    pub(crate) budget: RefCell<RefreshBudget>,
    /// The largest token order seen in this browser (see [`next_order`]).
    order_floor: Cell<f64>,
    /// When this tab last answered a question with its token (monotonic ms; answers are
    /// rate-limited).
    pub(crate) last_answer: Cell<f64>,
    /// The one answer scheduled for questions that came too fast.
    pub(crate) pending_answer: RefCell<Option<crate::web::timer::Timeout>>,
    /// This tab's presence lock, which tells starting tabs that it is alive.
    pub(crate) presence: RefCell<presence::Presence>,
    /// Aborted by `dispose`: every auth request of this client listens to it.
    abort: Option<web_sys::AbortController>,
    disposed: Cell<bool>,
}

impl Inner {
    /// Creates a client for validated `options` and opens its channel.
    pub fn new(options: Options, allow: AllowList) -> Rc<Self> {
        let allowed_origins: js_sys::Array = allow
            .origins()
            .iter()
            .map(|o| JsValue::from_str(o))
            .collect();
        let api_base_allowed = web_sys::Url::new(&options.api_base)
            .is_ok_and(|url| allowed_origins.includes(&url.origin().into(), 0));
        let inner = Rc::new(Self {
            options,
            allowed_origins,
            api_base_allowed,
            bearer: RefCell::new(None),
            tab_id: js::random_id(),
            session: RefCell::new(Session::default()),
            generation: Cell::new(0),
            listeners: RefCell::new(Vec::new()),
            next_listener: Cell::new(0),
            state_cache: RefCell::new(None),
            flight: RefCell::new(None),
            restore: RefCell::new(None),
            channel: RefCell::new(None),
            waiters: RefCell::new(Vec::new()),
            peer_claims: RefCell::new(Vec::new()),
            my_claim: RefCell::new(None),
            schedule: RefCell::new(schedule::Schedule::default()),
            unanswered_ask: Cell::new(None),
            failures: Cell::new(0),
            budget: RefCell::new(RefreshBudget::default()),
            order_floor: Cell::new(0.0),
            last_answer: Cell::new(f64::NEG_INFINITY),
            pending_answer: RefCell::new(None),
            presence: RefCell::new(presence::Presence::default()),
            abort: web_sys::AbortController::new().ok(),
            disposed: Cell::new(false),
        });
        peers::open_channel(&inner);
        schedule::watch_page(&inner);
        presence::announce(&inner);
        inner
    }

    /// Fails with `disposed` once [`Inner::dispose`] ran.
    pub fn check_alive(&self) -> Result<(), Error> {
        if self.disposed.get() {
            Err(Error::Disposed)
        } else {
            Ok(())
        }
    }

    /// The signal `dispose` aborts, for the auth requests of this client.
    pub fn abort_signal(&self) -> Option<web_sys::AbortSignal> {
        self.abort.as_ref().map(|c| c.signal())
    }

    /// Releases the channel, timers and listeners, aborts the auth requests under way (which
    /// releases a held lock); later calls and pending ones fail with `disposed`.
    pub fn dispose(&self) {
        if self.disposed.replace(true) {
            return;
        }
        if let Some(abort) = &self.abort {
            abort.abort();
        }
        self.channel.borrow_mut().take();
        self.pending_answer.borrow_mut().take();
        *self.presence.borrow_mut() = presence::Presence::default();
        *self.schedule.borrow_mut() = schedule::Schedule::default();
        self.listeners.borrow_mut().clear();
        self.wake_waiters();
    }

    /// The state object for JS, the same object until the state changes.
    pub fn state(&self) -> JsValue {
        let revision = self.session.borrow().revision();
        if let Some((rev, value)) = &*self.state_cache.borrow() {
            if *rev == revision {
                return value.clone();
            }
        }
        let value = crate::api::state::to_js(&self.session.borrow());
        *self.state_cache.borrow_mut() = Some((revision, value.clone()));
        value
    }

    /// Adds a state listener; returns its id.
    pub fn subscribe(&self, listener: Function) -> u32 {
        let id = self.next_listener.get();
        self.next_listener.set(id.wrapping_add(1));
        self.listeners.borrow_mut().push((id, listener));
        id
    }

    /// Removes a state listener (no effect when already removed).
    pub fn unsubscribe(&self, id: u32) {
        self.listeners.borrow_mut().retain(|(i, _)| *i != id);
    }

    /// Applies `change` to the session and, if the visible state changed, notifies the
    /// listeners once and re-arms the refresh timer.
    pub fn update(self: &Rc<Self>, change: impl FnOnce(&mut Session) -> bool) {
        let changed = change(&mut self.session.borrow_mut());
        if changed {
            self.notify();
        }
    }

    /// Tells everyone about a visible change (kept out of the generic [`Inner::update`] so
    /// that it exists once in the wasm build).
    fn notify(self: &Rc<Self>) {
        schedule::rearm(self);
        self.wake_waiters();
        let state = self.state();
        let listeners: Vec<Function> = self
            .listeners
            .borrow()
            .iter()
            .map(|(_, f)| f.clone())
            .collect();
        for listener in listeners {
            if let Err(e) = listener.call1(&JsValue::UNDEFINED, &state) {
                web_sys::console::error_2(&"tokenrelay: a state listener threw".into(), &e);
            }
        }
    }

    /// The `Authorization` value for the held token and its order (built once per token, so
    /// a request does not copy the JWT out of wasm memory again).
    pub fn bearer(&self) -> Option<(JsValue, f64)> {
        let session = self.session.borrow();
        let token = session.token()?;
        let mut cache = self.bearer.borrow_mut();
        match &*cache {
            Some((order, value)) if *order == token.order_ms => Some((value.clone(), *order)),
            _ => {
                let value = JsValue::from_str(&["Bearer ", &token.jwt].concat());
                *cache = Some((token.order_ms, value.clone()));
                Some((value, token.order_ms))
            }
        }
    }

    /// The order of the held token (`None`: no token): a larger one is a newer token.
    pub fn held_order(&self) -> Option<f64> {
        self.session.borrow().token().map(|t| t.order_ms)
    }

    /// Gives a token this tab just obtained from the server its order across tabs.
    pub fn order_new(&self, mut token: Token) -> Token {
        token.order_ms = next_order(token.obtained_at_ms, self.order_floor.get());
        self.saw_order(token.order_ms);
        token
    }

    /// Remembers a token order seen on the channel, so the next own token is ordered after it.
    pub fn saw_order(&self, order_ms: f64) {
        if order_ms > self.order_floor.get() {
            self.order_floor.set(order_ms);
        }
    }

    /// Wakes every task waiting for news from other tabs (they re-check their condition).
    pub fn wake_waiters(&self) {
        for resolve in self.waiters.borrow_mut().drain(..) {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }

    /// Waits until `done()` holds, re-checking whenever news arrives, for at most `ms`.
    /// Returns the final value of `done()`.
    pub async fn wait_until(&self, ms: f64, done: &dyn Fn(&Self) -> bool) -> bool {
        let deadline = js::monotonic_ms() + ms;
        loop {
            if done(self) {
                return true;
            }
            let left = deadline - js::monotonic_ms();
            if left <= 0.0 || self.disposed.get() {
                return false;
            }
            js::settled_within(&self.news(), left).await;
        }
    }

    /// A promise that resolves at the next news from other tabs, state change or dispose.
    pub fn news(&self) -> js_sys::Promise {
        let (news, resolve) = js::deferred();
        self.waiters.borrow_mut().push(resolve);
        news
    }
}
