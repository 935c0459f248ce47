//! The protocol of one client as a sans-IO state machine: fed [`Input`]s with the time,
//! drained of [`Output`]s after every input, and woken at [`Machine::poll_timeout`].
//!
//! It owns the session and every rule of the protocol: the restore of `start()` (a token
//! held, a peer's answer, the refresh cookie), login and logout with their fences and the
//! durable logout, the refresh flight (the single flight of this tab, the refresh budget's
//! wait, the lock tried or queued for, the takeover of a silent holder, the election without
//! Web Locks, the plan read from the cooldown stamp, the question to the other tabs, the
//! request bounded by its own timer until the body is read, sign-in, rejection, transient
//! failures and their backoff), the refresh schedule, and what other tabs' messages do here
//! (tokens taken, questions answered at a bounded rate, sign-outs, claims and releases).
//!
//! Here: the machine, its inputs' dispatch, the start of a flight and its end. The other
//! concepts each have their file: `peers.rs`, `restore.rs`, `login.rs`, `logout.rs`,
//! `schedule.rs`, `election.rs`, `locks.rs`, `request.rs`, `flight.rs`, [`timer`], and the
//! wire numbers of the wasm surface in [`wire`].

mod election;
mod flight;
pub mod io;
mod locks;
mod login;
mod logout;
mod peers;
mod request;
mod restore;
mod schedule;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
pub mod timer;
pub mod wire;

pub use io::{Input, LockMode, LockOutcome, Now, Output, Reply};

use alloc::string::String;
use alloc::vec::Vec;

use flight::{Caller, Flight, Step};
use timer::{Timer, Timers};

use super::budget::RefreshBudget;
use super::claims::{next_order, Token};
use super::coordination::is_later;
use super::error::Error;
use super::options::Options;
use super::protocol::Message;
use super::response::AuthCall;
use super::session::{Session, Status};
use super::text::{concat, decimal};

/// How long a tab waits for a peer's token when a cooldown stamp says one exists (messages
/// between tabs take a few ms; the bound covers a busy tab).
pub const PEER_WAIT_MS: f64 = 300.0;
/// After a lost race for the takeover lock, when a waiter looks again.
pub const TAKEOVER_RETRY_MS: f64 = 250.0;
/// The last wait before a takeover, for a sign of life of the silent holder: longer than a
/// channel message takes between live tabs.
pub const TAKEOVER_SETTLE_MS: f64 = 100.0;

/// The session and the protocol state of one client.
pub struct Machine {
    /// The session and its token.
    pub session: Session,
    /// This tab's id on the channel (ties of the election go to the smaller).
    tab: String,
    /// Whether Web Locks are used (the option, and the browser has them).
    locks: bool,
    /// Grows on every sign-out and login: a flight begun before cannot sign back in.
    generation: u32,
    /// The session epoch: the latest login or logout this tab knows of (epoch ms, or one more
    /// than the last when the clock went back). Tokens of an earlier epoch are not taken.
    epoch: f64,
    /// A sign-out of a later epoch was heard without the proof of this tab's token: the token
    /// is not handed to other tabs until the refresh that checks it with the server ends.
    doubted: bool,
    /// Consecutive transient refresh failures (the backoff).
    failures: u32,
    /// Consecutive refresh successes whose token could not be read.
    bad_answers: u32,
    /// When (epoch ms) this tab last asked the others for a newer token and got none.
    unanswered_ask: Option<f64>,
    /// Live refresh claims of other tabs.
    claims: Vec<peers::PeerClaim>,
    /// When (monotonic ms) another tab last said its refresh ended.
    last_release: Option<f64>,
    /// When (monotonic ms) this tab last answered a question with its token.
    last_answer: Option<f64>,
    /// The largest token order seen in this browser (see [`next_order`]).
    order_floor: f64,
    budget: RefreshBudget,
    options: Options,
    flight: Option<Flight>,
    restore: Option<restore::Restore>,
    /// Callers of [`Input::Ensure`] waiting for the restore to end.
    ensures: Vec<u32>,
    /// Logins, one at a time (the first is under way).
    logins: Vec<login::LoginCall>,
    /// The logout attempt under way.
    logout: Option<logout::Attempt>,
    /// `logout()` callers waiting for the attempt under way to end.
    logout_next: Vec<u32>,
    /// The logout lock kept until [`Timer::Settle`].
    settling: Option<u32>,
    /// What the refresh schedule was last armed for.
    due_key: Option<(u64, u32, bool)>,
    /// The time of the input being handled.
    now: Now,
    next_id: u32,
    timers: Timers,
    /// Outputs not yet polled, in order.
    out: Vec<Output>,
    /// Outputs being polled, last first (`Vec::pop`: no index that could be out of range).
    polling: Vec<Output>,
    disposed: bool,
    /// Whether the API is on another site than the page ([`Machine::set_cross_site`]).
    cross_site: bool,
}

impl Machine {
    /// A machine for a client with `options` (validated) in the tab `tab`; `locks`: whether
    /// the browser has Web Locks. The session is `unknown` until [`Input::Start`] or a login.
    pub fn new(options: Options, tab: String, locks: bool) -> Machine {
        Machine {
            session: Session::default(),
            tab,
            locks: locks && options.use_web_locks,
            generation: 0,
            epoch: 0.0,
            doubted: false,
            failures: 0,
            bad_answers: 0,
            unanswered_ask: None,
            claims: Vec::new(),
            last_release: None,
            last_answer: None,
            order_floor: 0.0,
            budget: RefreshBudget::default(),
            options,
            flight: None,
            restore: None,
            ensures: Vec::new(),
            logins: Vec::new(),
            logout: None,
            logout_next: Vec::new(),
            settling: None,
            due_key: None,
            now: Now {
                monotonic_ms: 0.0,
                wall_ms: 0.0,
            },
            next_id: 0,
            timers: Timers::default(),
            out: Vec::new(),
            polling: Vec::new(),
            disposed: false,
            cross_site: false,
        }
    }

    /// The validated options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The longest a live tab can stay silent while it refreshes: a wait for a peer's token,
    /// then a request bounded by `requestTimeoutMs`.
    pub fn stale_bound_ms(&self) -> f64 {
        self.options.request_timeout_ms + PEER_WAIT_MS
    }

    /// Whether a refresh flight is under way in this tab.
    pub fn flying(&self) -> bool {
        self.flight.is_some()
    }

    /// Whether the token can be used as is at `now`: no restore or refresh under way, none
    /// due.
    pub fn settled(&self, now_ms: f64) -> bool {
        self.restore.is_none() && self.flight.is_none() && !self.due(now_ms)
    }

    /// Whether the held token should be refreshed before it is used at `now_ms`.
    pub fn due(&self, now_ms: f64) -> bool {
        let ahead = self.refresh_ahead_ms();
        self.session
            .token()
            .is_some_and(|t| t.needs_refresh(now_ms, ahead))
    }

    /// The held token if it is valid at `now_ms`.
    ///
    /// # Errors
    /// `session_expired` (a token held but expired, or the last failure), `not_signed_in`.
    pub fn usable_token(&self, now_ms: f64) -> Result<&Token, Error> {
        let error = self.session.error().cloned();
        match self.session.token() {
            Some(t) if !t.is_expired(now_ms) => Ok(t),
            Some(_) => Err(error.unwrap_or(Error::SessionExpired)),
            None if self.session.status() == Status::SignedOut => Err(Error::NotSignedIn),
            None => Err(error.unwrap_or(Error::NotSignedIn)),
        }
    }

    /// Orders a token this tab received after every token seen in this browser.
    pub fn order_received(&mut self, mut token: Token) -> Token {
        token.order_ms = next_order(token.obtained_at_ms, self.order_floor);
        self.saw_order(token.order_ms);
        token
    }

    /// The next thing for the driver to do; drain until `None` after every input.
    pub fn poll_output(&mut self) -> Option<Output> {
        if self.polling.is_empty() {
            // Moved over last first (`reverse` would bring a bounds-check panic path).
            while let Some(output) = self.out.pop() {
                self.polling.push(output);
            }
        }
        self.polling.pop()
    }

    /// When (monotonic ms) to feed [`Input::Timer`]; `None`: no timer.
    pub fn poll_timeout(&self) -> Option<f64> {
        self.timers.next()
    }

    /// Takes one input at `now`.
    pub fn handle(&mut self, input: Input, now: Now) {
        if self.disposed {
            self.refuse(input);
            return;
        }
        self.now = now;
        let revision = self.session.revision();
        let mut news = false;
        match input {
            Input::Start { call } => self.start(call),
            Input::Login { call, body } => self.login(call, body),
            Input::Logout { call } => self.logout(call, now),
            Input::Refresh {
                call,
                proactive,
                used,
            } => {
                if used.is_some() && is_later(self.order(), used) {
                    self.out.push(Output::Resolve(call)); // a newer token came meanwhile
                } else {
                    self.fly(Caller::Call(call), proactive, now);
                }
            }
            Input::Ensure { call } => self.ensure(call, now),
            Input::Message(envelope) => news = self.on_message(envelope, now),
            Input::Page { visible } => self.on_page(visible),
            Input::Presence { others } => self.on_presence(others, now),
            Input::Timer => {
                // At most one pass over the named deadlines: one re-armed at or before now
                // fires at the next timer, so a wrong deadline can spin but never hang the page.
                for _ in 0..timer::COUNT {
                    let Some(timer) = self.timers.take_expired(now.monotonic_ms) else {
                        break;
                    };
                    self.on_timer(timer, now);
                }
            }
            Input::Lock { id, outcome } => self.on_lock(id, outcome, now),
            Input::Facts {
                cookies,
                logout_marker,
                stored_epoch,
            } => {
                self.raise_epoch(stored_epoch.unwrap_or(0.0));
                let logout_pending = logout_marker.is_some();
                self.logout_heard(logout_marker.unwrap_or(0.0));
                self.restore_facts(logout_pending, now);
                self.login_facts(logout_pending, now);
                self.logout_facts(logout_pending, now);
                self.on_facts(&cookies, logout_pending, now);
            }
            Input::Answer { id, result } => self.on_answer(id, result, now),
            Input::Holder { client, mine } => self.on_holder(client, mine, now),
            Input::Dispose => self.dispose(),
        }
        if news || self.session.revision() != revision {
            self.on_news(now); // a token may have come, a claim ended: every wait looks again
        }
        self.rearm_due(now);
    }

    /// An input after dispose: a caller fails with `disposed`.
    fn refuse(&mut self, input: Input) {
        let call = match input {
            Input::Start { call }
            | Input::Login { call, .. }
            | Input::Logout { call }
            | Input::Refresh { call, .. }
            | Input::Ensure { call } => call,
            _ => return,
        };
        self.out.push(Output::Reject(call, Error::Disposed));
    }

    fn step(&self) -> Option<Step> {
        self.flight.as_ref().map(|f| f.step)
    }

    fn set_step(&mut self, step: Step) {
        if let Some(f) = &mut self.flight {
            f.step = step;
        }
    }

    fn order(&self) -> Option<f64> {
        self.session.token().map(|t| t.order_ms)
    }

    fn refresh_ahead_ms(&self) -> f64 {
        self.options.refresh_ahead_seconds * 1000.0
    }

    /// Remembers a token order seen, so the next own token is ordered after it.
    fn saw_order(&mut self, order_ms: f64) {
        if order_ms > self.order_floor {
            self.order_floor = order_ms;
        }
    }

    /// Whether the token held now is newer than the one the flight began with.
    fn has_newer(&self) -> bool {
        self.flight
            .as_ref()
            .is_some_and(|f| is_later(self.order(), f.before))
    }

    fn holds_valid(&self, now: Now) -> bool {
        self.session
            .token()
            .is_some_and(|t| !t.is_expired(now.wall_ms))
    }

    fn id(&mut self) -> u32 {
        self.next_id = self.next_id.wrapping_add(1);
        self.next_id
    }

    fn changed(&mut self, did: bool) {
        if did {
            self.out.push(Output::Changed);
        }
    }

    /// A sign-out or a login: a flight begun before must not sign in with its answer.
    fn fence(&mut self) {
        self.generation = self.generation.wrapping_add(1);
    }

    /// A login or logout of a later epoch was heard of: a flight begun before belongs to the
    /// session before it and must not sign in with its answer.
    fn raise_epoch(&mut self, epoch_ms: f64) {
        if epoch_ms > self.epoch {
            self.epoch = epoch_ms;
            self.fence();
        }
    }

    /// The marker shows a logout of a later epoch than this tab knows of (another tab's, not
    /// heard yet): the session is over here too, and a flight under way must not sign in.
    fn logout_heard(&mut self, epoch_ms: f64) {
        if epoch_ms > self.epoch {
            self.epoch = epoch_ms;
            self.fence();
            let did = self.session.signed_out(None);
            self.changed(did);
        }
    }

    /// A login or logout of this tab begins a new session epoch, later than every one known.
    fn new_epoch(&mut self, now: Now) -> f64 {
        self.epoch = (self.epoch + 1.0).max(now.wall_ms);
        self.epoch
    }

    /// "timed out after N ms: POST <url>" for the auth request `call`.
    fn timed_out(&self, call: AuthCall) -> Error {
        let ms = super::float::floor(self.options.request_timeout_ms); // validated: whole ms
        let url = self.options.auth_url(call);
        let why = concat(&["timed out after ", &decimal(ms as u64), " ms: POST ", &url]);
        Error::Network(why)
    }

    /// Whether the API is on another site than the page (the driver guesses it): a refused
    /// refresh then says the browser may have dropped the refresh cookie.
    pub fn set_cross_site(&mut self, cross_site: bool) {
        self.cross_site = cross_site;
    }

    fn post_claim(&mut self, now: Now) {
        let at_ms = self
            .flight
            .as_ref()
            .and_then(|f| f.claim_at)
            .unwrap_or(now.wall_ms);
        self.out.push(Output::Post(Message::Claim { at_ms }));
    }

    /// `caller` waits for a refresh: it joins the flight under way, or one starts.
    fn fly(&mut self, caller: Caller, proactive: bool, now: Now) {
        if let Some(f) = &mut self.flight {
            f.callers.push(caller);
            return;
        }
        self.flight = Some(Flight::new(
            caller,
            self.order(),
            self.generation,
            proactive,
            self.locks,
        ));
        let delay = self.budget.delay_ms(now.monotonic_ms);
        if delay > 0.0 {
            self.timers.set(Timer::Budget, now.monotonic_ms + delay);
        } else {
            self.after_budget(now);
        }
    }

    /// A caller needs a usable token: after the restore, the flight under way, or a refresh
    /// of a due token.
    pub(super) fn ensure(&mut self, call: u32, now: Now) {
        if self.restore.is_some() {
            self.ensures.push(call);
        } else if self.flight.is_some() || self.due(now.wall_ms) {
            self.fly(Caller::Ensure(call), false, now);
        } else {
            self.out.push(Output::Resolve(call));
        }
    }

    fn after_budget(&mut self, now: Now) {
        let Some(f) = &self.flight else { return };
        let locks = f.locks;
        if self.has_newer() {
            self.finish(Ok(()));
        } else if !locks {
            self.elect(now);
        } else {
            // Tried before any wait, so that the flight knows whether another tab holds it.
            let id = self.request_lock(false, LockMode::IfAvailable);
            if let Some(f) = &mut self.flight {
                f.main = Some(id);
                f.step = Step::TryLock;
            }
        }
    }

    /// News: a message came, or the session changed. Every wait looks again.
    fn on_news(&mut self, now: Now) {
        self.restore_news(now);
        match self.step() {
            Some(Step::Budget | Step::TryLock | Step::HopeNews | Step::Stolen)
                if self.has_newer() =>
            {
                self.finish(Ok(()))
            }
            Some(Step::Queue) => self.queue_check(now),
            Some(Step::ElectWait) => self.elect_news(now),
            Some(Step::Heard) => self.heard_news(now),
            Some(Step::Suspect | Step::Takeover | Step::Verify | Step::Settle) => {
                // A claim heard since the holder was judged silent: someone holds the right to
                // refresh and is alive (a holder that thaws this instant posts its claim before
                // its request). The takeover is called off.
                let since = self.flight.as_ref().and_then(|f| f.suspected_at);
                let seen = self.last_claim_seen(now);
                let spoke = seen.zip(since).is_some_and(|(c, s)| c >= s);
                if self.has_newer() {
                    self.finish(Ok(()));
                } else if spoke {
                    self.back_to_queue(now);
                }
            }
            Some(Step::Ask(after)) => {
                let answered = self.flight.as_ref().is_some_and(|f| {
                    self.holds_valid(now) && is_later(self.order(), f.asked_before)
                });
                if answered {
                    self.timers.clear(Timer::Ask);
                    self.after_ask(after, true);
                }
            }
            _ => {}
        }
    }

    pub(super) fn on_timer(&mut self, timer: Timer, now: Now) {
        match (timer, self.step()) {
            (Timer::Due, _) => self.on_due(now),
            (Timer::Answer, _) => self.answer(now),
            (Timer::Restore, _) => self.restore_unanswered(now),
            (Timer::Login, _) => self.login_timed_out(),
            (Timer::Logout, _) => self.logout_timed_out(now),
            (Timer::Settle, _) => {
                let lock = self.settling.take();
                self.release(lock);
            }
            (Timer::Budget, Some(Step::Budget)) => self.after_budget(now),
            (Timer::Wait, Some(Step::HopeNews)) => {
                if self.has_newer() {
                    self.finish(Ok(()));
                } else {
                    self.queue(now);
                }
            }
            (Timer::Wait, Some(Step::Queue)) => self.queue_check(now),
            (Timer::Wait, Some(Step::Settle)) => {
                // Still silent: who holds the lock now? Steal only from the same one.
                self.set_step(Step::Verify);
                self.out.push(Output::QueryLocks);
            }
            (Timer::Wait, Some(Step::ElectWait)) => self.elect(now),
            (Timer::Wait, Some(Step::Heard)) => self.heard_news(now),
            (Timer::Wait, Some(Step::Stolen)) => self.exclusive(),
            (Timer::Wait, Some(Step::ElectRound(round))) => self.elect_round(round, now),
            (Timer::Ask, Some(Step::Ask(after))) => {
                if let Some(f) = &self.flight {
                    self.unanswered_ask = Some(f.asked_at);
                }
                let valid = self.holds_valid(now);
                self.after_ask(after, valid);
            }
            (Timer::Request, Some(Step::Request(id))) => {
                self.out.push(Output::AbortAuth(id));
                let why = self.timed_out(AuthCall::Refresh);
                self.on_refresh_answer(id, Err(why), now);
            }
            _ => {}
        }
    }

    /// Ends the flight: its claims and locks go, every caller gets `result`.
    fn finish(&mut self, result: Result<(), Error>) {
        let Some(f) = self.flight.take() else { return };
        self.doubted = false;
        for timer in timer::FLIGHT {
            self.timers.clear(timer);
        }
        if f.exclusive {
            self.out.push(Output::Post(Message::Released)); // our claims end here
        }
        self.release(f.main);
        self.release(f.takeover);
        for caller in f.callers {
            match caller {
                Caller::Call(call) => self.out.push(match &result {
                    Ok(()) => Output::Resolve(call),
                    Err(e) => Output::Reject(call, e.clone()),
                }),
                Caller::Ensure(call) => self.out.push(match &result {
                    Err(Error::Disposed) => Output::Reject(call, Error::Disposed),
                    _ => Output::Resolve(call),
                }),
                Caller::Restore => self.end_restore(result.clone()),
                Caller::Own => {}
            }
        }
    }

    fn dispose(&mut self) {
        if let Some(f) = &mut self.flight {
            if let Step::Request(id) = f.step {
                self.out.push(Output::AbortAuth(id));
            }
            f.exclusive = false; // the channel is closed
        }
        self.finish(Err(Error::Disposed));
        self.end_restore(Err(Error::Disposed));
        self.dispose_logins();
        self.dispose_logout();
        self.timers.clear_all();
        self.disposed = true;
    }
}

/// Where the machine stands, for traces off the browser (the simulator prints it with a
/// violation).
#[cfg(not(target_arch = "wasm32"))]
impl core::fmt::Debug for Machine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let flight = self.flight.as_ref().map(|f| (f.step, f.main, f.exclusive));
        f.debug_struct("Machine")
            .field("status", &self.session.status())
            .field("epoch", &self.epoch)
            .field("flight", &flight)
            .field("restore", &self.restore.as_ref().map(|r| r.step))
            .field("logins", &self.logins.len())
            .field("logout", &self.logout.is_some())
            .field("next_timer", &self.timers.next())
            .finish()
    }
}

/// The channel message that hands `token` (with its session epoch) to the other tabs.
pub fn token_message(token: &Token) -> Message {
    Message::Token {
        jwt: token.jwt.clone(),
        obtained_at_ms: token.obtained_at_ms,
        expires_at_ms: Some(token.expires_at_ms),
        order_ms: Some(token.order_ms),
        epoch_ms: Some(token.epoch_ms),
    }
}
