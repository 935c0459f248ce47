//! One refresh flight of this tab: its callers, where it stands, and the locks it holds.
use alloc::string::String;
use alloc::{vec, vec::Vec};

use crate::core::error::Error;

/// Who waits for a flight.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Debug))]
pub enum Caller {
    /// `refresh()` or a 401: resolved or rejected with the flight's outcome.
    Call(u32),
    /// A caller that only needs the flight over (`Input::Ensure`): resolved whatever the
    /// outcome (the state says it), rejected only when disposed.
    Ensure(u32),
    /// The restore of `start()`.
    Restore,
    /// Nobody: a refresh of the machine's own (a due token, an unproven sign-out).
    Own,
}

/// What follows an unanswered or answered question to the other tabs.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Debug))]
pub enum AfterAsk {
    /// The plan said a peer's token was coming: else send the request.
    Send,
    /// The server rejected our refresh token after a peer's refresh: else the session is over.
    Rejection,
}

/// Where a flight stands.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_arch = "wasm32"), derive(Debug))]
pub enum Step {
    /// Held back by the refresh budget (timer `Budget`).
    Budget,
    /// The lock was asked for `ifAvailable` first. Held by another tab, a proactive refresh
    /// hopes for that tab's token, and a refresh a caller waits for queues.
    TryLock,
    /// The lock was busy: another tab's token should come (timer `Wait`).
    HopeNews,
    /// Queued for the lock (timer `Wait`: the holder's staleness deadline).
    Queue,
    /// The holder is stale: the takeover lock was asked for `ifAvailable`.
    Takeover,
    /// The holder looks stale: who holds the lock was asked (`QueryLocks`).
    Suspect,
    /// Holding the takeover lock: who holds the lock was asked again, to steal only from the
    /// holder judged stale.
    Verify,
    /// Holding the takeover lock, the same holder still silent: a last wait of
    /// `TAKEOVER_SETTLE_MS` for a sign of life from it (a holder that thaws this instant
    /// posts its claim before its request) (timer `Wait`).
    Settle,
    /// Holding the takeover lock: the lock was asked for with `steal`.
    Steal,
    /// The lock stolen: a last wait of `TAKEOVER_SETTLE_MS` for the claim of a holder that
    /// thawed just before (timer `Wait`); then the plan, which waits while a claim is live.
    Stolen,
    /// Without Web Locks: a peer's claim is live; wait for its token, the end of its claim,
    /// or its staleness (timer `Wait`).
    ElectWait,
    /// Without Web Locks: this tab claimed; round `n` of the election counts the claims at
    /// its end (timer `Wait`).
    ElectRound(u8),
    /// Holding the right to refresh: the facts for the plan were asked for.
    Plan,
    /// Holding the lock, but another tab's claim is live (a holder taken over that thawed and
    /// refreshes): wait for its token, the end of its claim, or its staleness (timer `Wait`).
    Heard,
    /// A question to the other tabs is out (timer `Ask`).
    Ask(AfterAsk),
    /// The facts for the logout check were asked for.
    LogoutCheck,
    /// About to send: who holds the lock was asked, to send only while it is still this tab's.
    Confirm,
    /// The refresh request `id` is out (timer `Request`).
    Request(u32),
    /// The refresh token was rejected: the facts for the verdict were asked for.
    Rejected,
}

/// One refresh flight.
pub struct Flight {
    /// The callers, resolved or rejected together.
    pub callers: Vec<Caller>,
    /// The order of the token held when the flight began.
    pub before: Option<f64>,
    /// The machine's generation when the flight began.
    pub generation: u32,
    /// Whether it began without a caller waiting.
    pub proactive: bool,
    /// Whether Web Locks are used.
    pub locks: bool,
    /// Where it stands.
    pub step: Step,
    /// The request (pending or granted) of the refresh lock.
    pub main: Option<u32>,
    /// Whether `main` was granted during a takeover attempt.
    pub main_granted: bool,
    /// The request of the takeover lock.
    pub takeover: Option<u32>,
    /// The holder (the browser's client id) judged stale.
    pub suspect: Option<String>,
    /// When (monotonic ms) the holder was judged silent.
    pub suspected_at: Option<f64>,
    /// Whether this flight stole the lock (its holder may have thawed and be refreshing).
    pub took_over: bool,
    /// Whether the last wait before the takeover was made.
    pub settled: bool,
    /// Whether this tab was seen holding the lock just before sending.
    pub confirmed: bool,
    /// When (monotonic ms) it asked whether the lock is still its own.
    pub confirm_asked: f64,
    /// When (monotonic ms) it began to queue for the lock.
    pub since: Option<f64>,
    /// When (epoch ms) it found the lock held by another tab, whose token and cooldown stamp
    /// can then reach this tab after the lock does.
    pub busy_at: Option<f64>,
    /// Whether it holds the right to refresh (its end posts `released`).
    pub exclusive: bool,
    /// This tab's election claim (epoch ms), without Web Locks.
    pub claim_at: Option<f64>,
    /// When (epoch ms) the question to the tabs went out, and the order held then.
    pub asked_at: f64,
    /// The order held when the question went out.
    pub asked_before: Option<f64>,
    /// When (epoch ms) the refresh request went out.
    pub sent_at: f64,
    /// The rejection being judged.
    pub rejection: Option<Error>,
}

impl Flight {
    /// A flight for `caller`, begun with the token of order `before`.
    pub fn new(
        caller: Caller,
        before: Option<f64>,
        generation: u32,
        proactive: bool,
        locks: bool,
    ) -> Flight {
        Flight {
            callers: vec![caller],
            before,
            generation,
            proactive,
            locks,
            step: Step::Budget,
            main: None,
            main_granted: false,
            takeover: None,
            suspect: None,
            suspected_at: None,
            took_over: false,
            settled: false,
            confirmed: false,
            confirm_asked: 0.0,
            since: None,
            busy_at: None,
            exclusive: false,
            claim_at: None,
            asked_at: 0.0,
            asked_before: None,
            sent_at: 0.0,
            rejection: None,
        }
    }
}
