//! The refresh flight as a sans-IO state machine: one per client, fed [`Input`]s with the time,
//! drained of [`Output`]s after every input, and woken at [`Machine::poll_timeout`].
//!
//! It owns the session and the whole flight on the Web Locks path: the single flight of this
//! tab (callers join it), the refresh budget's wait, the lock (`ifAvailable` for proactive
//! refreshes, then a queue re-checked on news and at the holder's staleness deadline), the
//! takeover of a silent holder (the takeover lock `ifAvailable`, then `steal`), the plan read
//! from the cooldown stamp, the question to the other tabs, the refresh request bounded by its
//! own timer until the body is read, sign-in, rejection (a lost race, or the session is over
//! with the proven sign-out), transient failures and their counter, the sign-out fence and the
//! pending-logout check. Without Web Locks the driver runs the election and reports its
//! outcome; the refresh after it is the machine's.
//!
//! Here: the machine, its inputs' dispatch, the start (single flight, budget) and the end of a
//! flight. The lock path is in `locks.rs`; the plan, the question, the request and its answer
//! in `request.rs`; a flight's state in `flight.rs`; the deadlines in [`timer`]; the wire
//! numbers of the wasm surface in [`wire`].

mod flight;
pub mod io;
mod locks;
mod request;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
pub mod timer;
pub mod wire;

pub use io::{Input, LockMode, LockOutcome, Now, Output};

use alloc::string::String;
use alloc::vec::Vec;

use flight::{Flight, Step};
use timer::{Timer, Timers};

use super::budget::RefreshBudget;
use super::claims::Token;
use super::coordination::is_later;
use super::error::Error;
use super::options::Options;
use super::protocol::Message;
use super::session::Session;

/// How long a tab waits for a peer's token when a cooldown stamp says one exists (messages
/// between tabs take a few ms; the bound covers a busy tab).
pub const PEER_WAIT_MS: f64 = 300.0;
/// After a lost race for the takeover lock, when a waiter looks again.
pub const TAKEOVER_RETRY_MS: f64 = 250.0;
/// The last wait before a takeover, for a sign of life of the silent holder: longer than a
/// channel message takes between live tabs.
pub const TAKEOVER_SETTLE_MS: f64 = 100.0;

/// The session and the refresh flight of one client.
pub struct Machine {
    /// The session and its token.
    pub session: Session,
    /// Grows on every sign-out and login: a flight begun before cannot sign back in.
    generation: u32,
    /// Consecutive transient refresh failures (the driver's backoff).
    failures: u32,
    /// When (epoch ms) this tab last asked the others for a newer token and got none.
    unanswered_ask: Option<f64>,
    /// When (monotonic ms) a live claim of another tab was last heard of.
    last_claim_seen: Option<f64>,
    budget: RefreshBudget,
    request_timeout_ms: f64,
    cooldown_ms: f64,
    cooldown_cookie: String,
    channel: String,
    flight: Option<Flight>,
    next_id: u32,
    timers: Timers,
    out: Vec<Output>,
    disposed: bool,
}

impl Machine {
    /// A machine for a client with `options` (validated), signed out of nothing yet.
    pub fn new(options: &Options) -> Machine {
        Machine {
            session: Session::default(),
            generation: 0,
            failures: 0,
            unanswered_ask: None,
            last_claim_seen: None,
            budget: RefreshBudget::default(),
            request_timeout_ms: options.request_timeout_ms,
            cooldown_ms: options.cooldown_ms,
            cooldown_cookie: options.cooldown_cookie.clone(),
            channel: options.channel.clone(),
            flight: None,
            next_id: 0,
            timers: Timers::default(),
            out: Vec::new(),
            disposed: false,
        }
    }

    /// The longest a live tab can stay silent while it refreshes: a wait for a peer's token,
    /// then a request bounded by `requestTimeoutMs`.
    pub fn stale_bound_ms(&self) -> f64 {
        self.request_timeout_ms + PEER_WAIT_MS
    }

    /// Whether a refresh flight is under way in this tab.
    pub fn flying(&self) -> bool {
        self.flight.is_some()
    }

    /// Consecutive transient refresh failures.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// A token arrived some other way (login, a peer): the failures are over.
    pub fn clear_failures(&mut self) {
        self.failures = 0;
    }

    /// A sign-out or a login: a flight begun before must not sign in with its answer.
    pub fn fence(&mut self) {
        self.generation = self.generation.wrapping_add(1);
    }

    /// This tab asked the others for a newer token at `at_ms` (epoch) and got none.
    pub fn note_unanswered_ask(&mut self, at_ms: f64) {
        self.unanswered_ask = Some(at_ms);
    }

    /// The next thing for the driver to do; drain until `None` after every input.
    pub fn poll_output(&mut self) -> Option<Output> {
        (!self.out.is_empty()).then(|| self.out.remove(0))
    }

    /// When (monotonic ms) to feed [`Input::Timer`]; `None`: no timer.
    pub fn poll_timeout(&self) -> Option<f64> {
        self.timers.next()
    }

    /// Takes one input at `now`.
    pub fn handle(&mut self, input: Input, now: Now) {
        if self.disposed {
            if let Input::Refresh { call, .. } = input {
                self.out.push(Output::Reject(call, Error::Disposed));
            }
            return;
        }
        match input {
            Input::Refresh {
                call,
                proactive,
                locks,
            } => self.refresh(call, proactive, locks, now),
            Input::News { last_claim_seen } => {
                self.last_claim_seen = last_claim_seen;
                self.on_news(now);
            }
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
                logout_pending,
            } => self.on_facts(&cookies, logout_pending, now),
            Input::Answer { id, result } => self.on_answer(id, result, now),
            Input::Elected { won, claim_at_ms } => {
                if self.step() == Some(Step::Elect) {
                    if won {
                        if let Some(f) = &mut self.flight {
                            f.claim_at = Some(claim_at_ms);
                        }
                        self.exclusive();
                    } else {
                        self.finish(Ok(()));
                    }
                }
            }
            Input::Holder { client, mine } => self.on_holder(client, mine, now),
            Input::Dispose => self.dispose(),
        }
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

    fn post_claim(&mut self, now: Now) {
        let at_ms = self
            .flight
            .as_ref()
            .and_then(|f| f.claim_at)
            .unwrap_or(now.wall_ms);
        self.out.push(Output::Post(Message::Claim { at_ms }));
    }

    fn refresh(&mut self, call: u32, proactive: bool, locks: bool, now: Now) {
        if let Some(f) = &mut self.flight {
            f.callers.push(call);
            return;
        }
        self.flight = Some(Flight::new(
            call,
            self.order(),
            self.generation,
            proactive,
            locks,
        ));
        let delay = self.budget.delay_ms(now.monotonic_ms);
        if delay > 0.0 {
            self.timers.set(Timer::Budget, now.monotonic_ms + delay);
        } else {
            self.after_budget(now);
        }
    }

    fn after_budget(&mut self, now: Now) {
        let Some(f) = &self.flight else { return };
        let (proactive, locks, before) = (f.proactive, f.locks, f.before);
        if self.has_newer() {
            self.finish(Ok(()));
        } else if !locks {
            self.set_step(Step::Elect);
            self.out.push(Output::Elect(before));
        } else if proactive {
            let id = self.request_lock(false, LockMode::IfAvailable);
            if let Some(f) = &mut self.flight {
                f.main = Some(id);
                f.step = Step::TryLock;
            }
        } else {
            self.queue(now);
        }
    }

    fn on_news(&mut self, now: Now) {
        match self.step() {
            Some(Step::Budget | Step::HopeNews) if self.has_newer() => self.finish(Ok(())),
            Some(Step::Queue) => self.queue_check(now),
            Some(Step::Suspect | Step::Takeover | Step::Verify | Step::Settle) => {
                // A claim heard since the holder was judged silent: someone holds the right to
                // refresh and is alive (a holder that thaws this instant posts its claim before
                // its request). The takeover is called off.
                let since = self.flight.as_ref().and_then(|f| f.suspected_at);
                let spoke = self.last_claim_seen.zip(since).is_some_and(|(c, s)| c >= s);
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

    fn on_timer(&mut self, timer: Timer, now: Now) {
        match (timer, self.step()) {
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
            (Timer::Ask, Some(Step::Ask(after))) => {
                if let Some(f) = &self.flight {
                    self.unanswered_ask = Some(f.asked_at);
                }
                let valid = self.holds_valid(now);
                self.after_ask(after, valid);
            }
            (Timer::Request, Some(Step::Request(id))) => {
                self.out.push(Output::AbortAuth(id));
                let ms = super::float::floor(self.request_timeout_ms); // validated: a whole number of ms
                let why = ["timed out after ", &super::text::decimal(ms as u64), " ms"].concat();
                self.on_answer(id, Err(Error::Network(why)), now);
            }
            _ => {}
        }
    }

    /// Ends the flight: its claims and locks go, every caller gets `result`.
    fn finish(&mut self, result: Result<(), Error>) {
        let Some(f) = self.flight.take() else { return };
        self.timers.clear_all();
        if f.exclusive {
            if f.claim_at.is_some() {
                self.out.push(Output::EndElection);
            }
            self.out.push(Output::Post(Message::Released)); // our claims end here
        }
        self.release(f.main);
        self.release(f.takeover);
        for call in f.callers {
            self.out.push(match &result {
                Ok(()) => Output::Resolve(call),
                Err(e) => Output::Reject(call, e.clone()),
            });
        }
    }

    fn dispose(&mut self) {
        if let Some(f) = &self.flight {
            if let Step::Request(id) = f.step {
                self.out.push(Output::AbortAuth(id));
            }
            if let Some(f) = &mut self.flight {
                f.exclusive = false; // the channel is closed
            }
        }
        self.finish(Err(Error::Disposed));
        self.disposed = true;
    }
}

/// The channel message that hands `token` to the other tabs.
pub fn token_message(token: &Token) -> Message {
    Message::Token {
        jwt: token.jwt.clone(),
        obtained_at_ms: token.obtained_at_ms,
        expires_at_ms: Some(token.expires_at_ms),
        order_ms: Some(token.order_ms),
    }
}
