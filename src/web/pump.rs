//! The Rust driver's pump (the twin of js/lib/driver/pump.js): every API call and browser
//! outcome becomes one input of the machine, every output one browser call through the
//! adapters of this module's siblings; after each input the outputs are drained, then ONE
//! timer is armed for `poll_timeout()`. A lock request or an auth request is one spawned task
//! that ends in one input. The table of the machine's callers lives here. No policy: what to
//! do and when is the machine's (src/core/machine/).

use alloc::rc::{Rc, Weak};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::AbortController;

use super::auth_http::{post, Failure};
use super::channel::Channel;
use super::locks::{self, Lock, Mode, Outcome};
use super::page::{self, Listener, PageEvent};
use super::state::AuthState;
use super::storage::Stored;
use super::{cookie, presence};
use crate::api::{channel as wire_channel, read_token};
use crate::core::cooldown::cookie_values;
use crate::core::machine::{Input, LockMode, LockOutcome, Machine, Now, Output, Reply};
use crate::core::options::CSRF_HEADER_VALUE;
use crate::core::origin::AllowList;
use crate::core::protocol::Envelope;
use crate::core::response::{is_success, AuthCall};
use crate::core::text::concat;
use crate::core::{Error, Options};

/// The driver of one client, shared by the client and (weakly) by its browser callbacks.
pub(crate) type Shared = Rc<RefCell<Driver>>;

/// A listener of state changes.
pub(crate) type StateListener = Rc<dyn Fn(&AuthState)>;

/// The machine and everything its outputs opened in the browser.
pub(crate) struct Driver {
    /// The protocol (the session and its token).
    pub(crate) machine: Machine,
    /// This tab's id on the channel.
    pub(crate) tab: String,
    /// The origins that may receive the token.
    pub(crate) allow: AllowList,
    /// The machine's callers by call id, and the last id.
    calls: Table<Rc<Slot>>,
    last_call: u32,
    /// The machine's lock requests by id.
    locks: Table<Held>,
    /// The machine's auth requests by id.
    auths: Table<AbortController>,
    /// The state listeners by subscription id, and the last id.
    pub(crate) listeners: Vec<(u64, StateListener)>,
    pub(crate) last_listener: u64,
    /// The durable-logout marker and the session epoch of the origin.
    stored: Stored,
    /// What keeps the client running in the browser.
    res: Resources,
    /// This tab's presence lock (presence.rs), while the page is shown.
    pub(crate) presence: Option<Rc<RefCell<Held>>>,
    /// Whether the outputs are being drained.
    pumping: bool,
    /// Whether the client was disposed.
    pub(crate) disposed: bool,
}

/// The registrations of a client: released at dispose.
#[derive(Default)]
struct Resources {
    channel: Option<Channel>,
    page: Vec<Listener>,
    /// The one timer's callback, and the pending timeout's handle.
    timer: Option<Closure<dyn FnMut()>>,
    timeout: Option<i32>,
}

/// The pending items of one kind by id: a few at a time, so a list (smaller in the wasm than a
/// map).
struct Table<T>(Vec<(u32, T)>);

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table(Vec::new())
    }
}

impl<T> Table<T> {
    fn insert(&mut self, id: u32, item: T) {
        self.0.push((id, item));
    }

    fn remove(&mut self, id: u32) -> Option<T> {
        let at = self.0.iter().position(|(key, _)| *key == id)?;
        Some(self.0.swap_remove(at).1)
    }

    fn get_mut(&mut self, id: u32) -> Option<&mut T> {
        self.0
            .iter_mut()
            .find(|(key, _)| *key == id)
            .map(|(_, item)| item)
    }
}

/// A lock request: its abort controller (a queued wait) and, once granted, the lock.
#[derive(Default)]
pub(crate) struct Held {
    pub(crate) controller: Option<AbortController>,
    pub(crate) lock: Option<Lock>,
}

impl Drop for Held {
    /// Withdraws the request: aborts a wait, releases a grant (a grant that comes later finds
    /// no entry and is let go at once).
    fn drop(&mut self) {
        if let Some(controller) = &self.controller {
            controller.abort();
        }
        if let Some(lock) = self.lock.take() {
            lock.release();
        }
    }
}

/// What a caller of the machine is told: resolved (with `confirmed` for a logout), or the
/// error.
type Settled = Result<bool, Error>;

/// The outcome of one call of the machine, and who waits for it.
#[derive(Default)]
struct Slot {
    result: RefCell<Option<Settled>>,
    waker: RefCell<Option<Waker>>,
}

impl Slot {
    fn settle(&self, result: Settled) {
        *self.result.borrow_mut() = Some(result);
        if let Some(waker) = self.waker.borrow_mut().take() {
            waker.wake();
        }
    }
}

/// A call of the machine: settles when the machine resolves or rejects it.
pub(crate) struct Pending(Rc<Slot>);

impl Future for Pending {
    type Output = Settled;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Settled> {
        if let Some(result) = self.0.result.borrow_mut().take() {
            return Poll::Ready(result);
        }
        *self.0.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// The two clocks of an input.
pub(crate) fn now() -> Now {
    Now {
        monotonic_ms: monotonic(),
        wall_ms: js_sys::Date::now(),
    }
}

/// `performance.now()` (the wall clock where the page has no `performance`).
fn monotonic() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// A random id for this tab: 10 base-36 characters, as the JS driver makes them.
fn random_tab() -> String {
    let n = js_sys::Math::floor(js_sys::Math::random() * 36f64.powi(10));
    let text: String = js_sys::Number::from(n)
        .to_string_with_radix(36)
        .map(String::from)
        .unwrap_or_default();
    let mut id = String::new();
    for _ in text.len()..10 {
        id.push('0');
    }
    id.push_str(&text);
    id
}

/// Makes the driver of a client with `options`: validates them, opens the channel, listens
/// to the page, takes the presence lock.
///
/// # Errors
/// `config`, naming the option.
pub(crate) fn open(options: Options) -> Result<Shared, Error> {
    let allow = options.validate()?;
    let tab = random_tab();
    let channel_name = options.channel.clone();
    let use_locks = options.use_web_locks;
    let driver = Rc::new(RefCell::new(Driver {
        machine: Machine::new(options, tab.clone(), locks::available()),
        tab,
        allow,
        calls: Table::default(),
        last_call: 0,
        locks: Table::default(),
        auths: Table::default(),
        listeners: Vec::new(),
        last_listener: 0,
        stored: Stored::new(&channel_name),
        res: Resources::default(),
        presence: None,
        pumping: false,
        disposed: false,
    }));
    let weak = Rc::downgrade(&driver);
    let timer = Closure::<dyn FnMut()>::new(weakly(&weak, |d| {
        d.borrow_mut().res.timeout = None;
        feed(d, Input::Timer);
    }));
    let channel = Channel::open(&channel_name, {
        let weak = weak.clone();
        move |data| {
            // Malformed messages are dropped: any script of the origin can post.
            let Some(envelope) = wire_channel::read(&data) else {
                return;
            };
            if let Some(d) = weak.upgrade() {
                feed(&d, Input::Message(envelope)); // nothing once disposed
            }
        }
    })
    .ok();
    let mut page = Vec::new();
    for event in [
        PageEvent::Focus,
        PageEvent::Online,
        PageEvent::PageShow,
        PageEvent::VisibilityChange,
    ] {
        let on_page = weakly(&weak, |d| {
            feed(
                d,
                Input::Page {
                    visible: page::visible(),
                },
            )
        });
        page.extend(page::listen(event, move |_| on_page()));
    }
    if use_locks && locks::available() {
        let take = weakly(&weak, presence::take);
        let leave = weakly(&weak, presence::leave);
        page.extend(page::listen(PageEvent::PageShow, move |_| take()));
        page.extend(page::listen(PageEvent::PageHide, move |_| leave()));
        presence::take(&driver);
    }
    {
        let mut d = driver.borrow_mut();
        d.res.timer = Some(timer);
        d.res.channel = channel;
        d.res.page = page;
    }
    Ok(driver)
}

/// A callback that runs `handle` with the driver while it lives and is not disposed.
pub(crate) fn weakly(weak: &Weak<RefCell<Driver>>, handle: impl Fn(&Shared)) -> impl Fn() {
    let weak = weak.clone();
    move || {
        if let Some(driver) = weak.upgrade() {
            if !driver.borrow().disposed {
                handle(&driver);
            }
        }
    }
}

/// Feeds one input, then, unless a pump is already draining, performs every output and arms
/// the timer.
pub(crate) fn feed(this: &Shared, input: Input) {
    {
        let mut d = this.borrow_mut();
        if d.disposed {
            return;
        }
        d.machine.handle(input, now());
        if d.pumping {
            return;
        }
        d.pumping = true;
    }
    loop {
        let output = this.borrow_mut().machine.poll_output();
        let Some(output) = output else { break };
        perform(this, output);
    }
    let mut d = this.borrow_mut();
    d.pumping = false;
    d.arm_timer();
}

/// One call of the API as the input `make(call id)`: settles when the machine says.
pub(crate) fn call(this: &Shared, make: impl FnOnce(u32) -> Input) -> Pending {
    let slot = Rc::new(Slot::default());
    let id = {
        let mut d = this.borrow_mut();
        if d.disposed {
            slot.settle(Err(Error::Disposed));
            return Pending(slot);
        }
        d.last_call = d.last_call.wrapping_add(1);
        let id = d.last_call;
        d.calls.insert(id, Rc::clone(&slot));
        id
    };
    feed(this, make(id));
    Pending(slot)
}

/// Settles the caller `id`.
fn settle(this: &Shared, id: u32, result: Settled) {
    let slot = this.borrow_mut().calls.remove(id);
    if let Some(slot) = slot {
        slot.settle(result);
    }
}

/// One output of the machine as one browser call. No borrow of the driver is held while a
/// listener runs or an input is fed.
fn perform(this: &Shared, output: Output) {
    match output {
        Output::Changed => notify(this),
        Output::Resolve(call) => settle(this, call, Ok(false)),
        Output::Reject(call, error) => settle(this, call, Err(error)),
        Output::LoggedOut { call, confirmed } => settle(this, call, Ok(confirmed)),
        Output::Post(message) => {
            let d = this.borrow();
            if let Some(channel) = &d.res.channel {
                let from = d.tab.clone();
                let _ = channel.post(&wire_channel::write(&Envelope { from, message }));
            }
        }
        Output::RequestLock { id, name, mode } => request_lock(this, id, &name, mode),
        Output::Release(id) => {
            let held = this.borrow_mut().locks.remove(id);
            drop(held);
        }
        Output::SendAuth { id, call, body } => send_auth(this, id, call, body),
        Output::AbortAuth(id) => {
            let controller = this.borrow_mut().auths.remove(id);
            if let Some(controller) = controller {
                controller.abort();
            }
        }
        Output::ReadFacts => {
            let facts = {
                let d = this.borrow();
                Input::Facts {
                    cookies: cookie::read().unwrap_or_default(),
                    logout_marker: d.stored.marker(),
                    stored_epoch: d.stored.epoch(),
                }
            };
            feed(this, facts);
        }
        Output::WriteCookie(assignment) => {
            // Ignored where cookies are forbidden: the cooldown is an optimisation.
            let _ = cookie::write(&assignment);
        }
        Output::MarkLogout(at) => this.borrow_mut().stored.mark(at),
        Output::SaveEpoch(at) => this.borrow_mut().stored.save_epoch(at),
        Output::QueryPresence => presence::query_others(this),
        Output::QueryLocks => presence::query_holder(this),
    }
}

/// Calls every listener with the new state.
fn notify(this: &Shared) {
    let (state, listeners) = {
        let d = this.borrow();
        let listeners: Vec<StateListener> = d.listeners.iter().map(|(_, l)| l.clone()).collect();
        (AuthState::of(&d.machine.session), listeners)
    };
    for listener in listeners {
        listener(&state);
    }
}

/// Asks for the Web Lock `name`; its outcome is one input. The request (and, once granted,
/// the lock) is kept under `id` until the machine releases it.
fn request_lock(this: &Shared, id: u32, name: &str, mode: LockMode) {
    let controller = match mode {
        LockMode::Wait => AbortController::new().ok(),
        _ => None,
    };
    let mode = match mode {
        LockMode::Wait => Mode::Wait,
        LockMode::IfAvailable => Mode::IfAvailable,
        LockMode::Steal => Mode::Steal,
    };
    let signal = controller.as_ref().map(AbortController::signal);
    let asked = locks::request(name, mode, signal.as_ref());
    let held = Held {
        controller,
        lock: None,
    };
    this.borrow_mut().locks.insert(id, held);
    let weak = Rc::downgrade(this);
    spawn_local(async move {
        let outcome = asked.await;
        let Some(this) = weak.upgrade() else { return };
        let outcome = match outcome {
            Outcome::Granted(lock) => {
                let ended = lock.ended();
                if let Some(held) = this.borrow_mut().locks.get_mut(id) {
                    held.lock = Some(lock); // else withdrawn meanwhile: dropped, so released
                }
                let weak = Rc::downgrade(&this);
                spawn_local(async move {
                    if ended.await == locks::End::Lost {
                        weakly(&weak, |d| {
                            let outcome = LockOutcome::Lost;
                            feed(d, Input::Lock { id, outcome })
                        })();
                    }
                });
                LockOutcome::Granted
            }
            Outcome::Refused => LockOutcome::Refused,
            Outcome::Unavailable => LockOutcome::Unavailable,
        };
        feed(&this, Input::Lock { id, outcome });
    });
}

/// Sends the auth request `id`; its complete answer (body read) or failure is one input. A
/// refresh or logout whose double-submit cookie is missing is not sent: `config`.
fn send_auth(this: &Shared, id: u32, call: AuthCall, body: Option<String>) {
    let (url, headers, controller) = {
        let d = this.borrow();
        let o = d.machine.options();
        let url = o.auth_url(call);
        match csrf_headers(o, call) {
            Ok(headers) => (url, headers, AbortController::new().ok()),
            Err(error) => {
                drop(d);
                return feed(
                    this,
                    Input::Answer {
                        id,
                        result: Err(error),
                    },
                );
            }
        }
    };
    let signal = controller.as_ref().map(AbortController::signal);
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let sent = post(&url, &pairs, body.as_deref(), signal.as_ref());
    if let Some(controller) = controller {
        this.borrow_mut().auths.insert(id, controller);
    }
    let weak = Rc::downgrade(this);
    spawn_local(async move {
        let answer = sent.await;
        let Some(this) = weak.upgrade() else { return };
        let result = {
            let mut d = this.borrow_mut();
            d.auths.remove(id);
            match answer {
                Ok(answer) => {
                    let status = answer.status;
                    let token = if is_success(status) {
                        let server_ms = answer.date.map(|date| js_sys::Date::parse(&date));
                        read_token(&mut d.machine, &answer.body, server_ms, now().wall_ms)
                    } else {
                        Err(Error::BadResponse("not a success".into()))
                    };
                    Ok(Reply { status, token })
                }
                Err(Failure::Aborted) if d.disposed => Err(Error::Disposed),
                Err(Failure::Aborted) => Err(Error::Network("AbortError: aborted".into())),
                Err(Failure::Network(_)) => Err(Error::Network(unreadable(&url))),
            }
        };
        feed(&this, Input::Answer { id, result });
    });
}

impl Driver {
    /// Arms the one timer for the machine's next deadline (none once disposed).
    fn arm_timer(&mut self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(handle) = self.res.timeout.take() {
            window.clear_timeout_with_handle(handle);
        }
        let (Some(at), Some(callback)) = (self.machine.poll_timeout(), &self.res.timer) else {
            return;
        };
        if self.disposed {
            return;
        }
        // Whole ms, never early (a timer that fired early would only be re-armed).
        let delay = js_sys::Math::ceil(at - monotonic()).clamp(0.0, 2_147_483_647.0) as i32;
        self.res.timeout = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                delay,
            )
            .ok();
    }
}

/// Disposes the client: the machine rejects its callers, releases its locks and aborts its
/// requests; the channel, page listeners, timer and presence lock are released, and every
/// caller still waiting fails with `disposed`.
pub(crate) fn dispose(this: &Shared) {
    if this.borrow().disposed {
        return;
    }
    feed(this, Input::Dispose);
    let (calls, auths, held, presence, res) = {
        let mut d = this.borrow_mut();
        d.disposed = true;
        if let (Some(window), Some(handle)) = (web_sys::window(), d.res.timeout.take()) {
            window.clear_timeout_with_handle(handle);
        }
        d.listeners.clear();
        (
            core::mem::take(&mut d.calls),
            core::mem::take(&mut d.auths),
            core::mem::take(&mut d.locks),
            d.presence.take(),
            core::mem::take(&mut d.res),
        )
    };
    for (_, controller) in &auths.0 {
        controller.abort();
    }
    drop(held);
    drop(presence);
    for (_, slot) in &calls.0 {
        slot.settle(Err(Error::Disposed));
    }
    // The callbacks themselves are freed after the current one returns (dispose may run
    // inside one of them); until then they find the driver disposed and do nothing.
    spawn_local(async move { drop(res) });
}

/// The CSRF headers of an auth call: the static one (unless off) and the double-submit
/// cookie's value, read now (as js/lib/driver/http.js does).
fn csrf_headers(o: &Options, call: AuthCall) -> Result<Vec<(String, String)>, Error> {
    let mut headers = Vec::new();
    if let Some(name) = &o.csrf_header {
        headers.push((name.clone(), CSRF_HEADER_VALUE.into()));
    }
    if let Some(csrf) = &o.csrf {
        let jar = cookie::read().unwrap_or_default();
        match cookie_value(&jar, &csrf.cookie) {
            Some(value) => headers.push((csrf.header.clone(), value)),
            None if call != AuthCall::Login => {
                return Err(Error::Config(concat(&[
                    "csrf.cookie ",
                    &csrf.cookie,
                    " is not in document.cookie: no session, or the page cannot read it \
                     (HttpOnly, or another Path or Domain)",
                ])))
            }
            None => {}
        }
    }
    Ok(headers)
}

/// The first value of cookie `name` in a `document.cookie` string, percent-decoded when it
/// can be (as the page's own code reads double-submit tokens).
fn cookie_value(jar: &str, name: &str) -> Option<String> {
    let value = cookie_values(jar, name).next()?;
    Some(
        js_sys::decode_uri_component(value)
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_else(|| value.into()),
    )
}

/// What a failed fetch of `url` tells the page (the browser hides why), as the JS driver says.
fn unreadable(url: &str) -> String {
    let offline = web_sys::window().is_some_and(|w| !w.navigator().on_line());
    let why = if offline {
        "offline"
    } else {
        "no answer the page may read (CORS preflight refused, or the server is down)"
    };
    concat(&[why, ": POST ", url])
}
