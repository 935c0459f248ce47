//! The world of the exhaustive explorer: two tabs, what their browser shares (a FIFO channel
//! each way, Web Locks, the cookie jar, the logout marker), the server, and every event that is
//! pending. [`Model::enabled`] lists what may happen next; [`Model::apply`] makes it happen.
//!
//! Time is global and moves only when a timer fires (to its deadline). Channel messages and the
//! browser's answers (lock outcomes, lock queries) to a tab that is not frozen are urgent: no
//! timer of a later deadline fires while one is pending. The network is not: a request may
//! reach the server, and its answer the tab, at any time, and a request the tab aborted may
//! still be processed (its answer is then lost).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use tokenrelay::core::machine::{Input, LockOutcome, Machine};
use tokenrelay::core::protocol::Message;
use tokenrelay::core::response::AuthCall;
use tokenrelay::core::{Options, Status};

use crate::browser::{Jar, Locks};
use crate::server::{Server, Verdict};

/// How many tabs the explorer runs.
pub const TABS: usize = 2;
/// The epoch ms at global time 0 (the wall clocks and the server's clock agree).
pub const EPOCH_MS: u64 = 1_800_000_000_000;
/// Access-token lifetime (s): a new token is not due again within [`HORIZON_MS`].
pub const ACCESS_TTL_S: u64 = 120;
/// How far past the start the explorer lets time run (ms); later timers never fire.
pub const HORIZON_MS: u64 = 40_000;

/// What the workload asks of one tab (once, at any moment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    /// `Input::Refresh` (not proactive) of a caller whose call was refused with the due token.
    Refresh,
    /// `Input::Ensure`: a caller needs a usable token.
    Ensure,
}

/// The events of one exploration besides those the machines cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Its name in the table.
    pub name: &'static str,
    /// Each tab's call, if any.
    pub work: [Option<Work>; TABS],
    /// A tab that logs out, if any.
    pub logout: Option<usize>,
    /// A tab that may freeze once (and thaw later), if any.
    pub freeze: Option<usize>,
}

/// One step of the world: the choice made at a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The tab's workload call.
    Work(usize),
    /// The tab's `logout()`.
    Logout(usize),
    /// The tab freezes: no timer, message or answer reaches it until it thaws.
    Freeze(usize),
    /// The frozen tab thaws (a `pageshow`).
    Thaw(usize),
    /// The oldest channel message from one tab reaches the other.
    Deliver(usize),
    /// The browser's pending answer `seq` (a lock outcome, a lock query, a presence query).
    Browser(u32),
    /// The server processes request `r`.
    Arrive(usize),
    /// The headers of request `r`'s answer: the cookie is set.
    Headers(usize),
    /// The body of request `r`'s answer is read by its tab.
    Body(usize),
    /// The tab's machine timer fires (time moves to its deadline, if later).
    Timer(usize),
}

/// An answer of the browser on its way to a tab.
#[derive(Debug)]
pub(crate) enum Answer {
    Lock(u32, LockOutcome),
    Holder(Option<String>, bool),
    Presence,
}

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    Sent,
    Answered,
    Headed,
    Done,
}

/// An auth request on the wire.
#[derive(Debug)]
pub(crate) struct Req {
    pub tab: usize,
    pub id: u32,
    pub call: AuthCall,
    pub presented: Option<u64>,
    pub stage: Stage,
    pub aborted: bool,
    pub verdict: Option<Verdict>,
    /// When (model ms) it was sent.
    pub sent_at: u64,
}

impl Req {
    /// A refresh request whose answer the tab still waits for.
    pub fn in_flight(&self) -> bool {
        self.call == AuthCall::Refresh && !self.aborted && self.stage != Stage::Done
    }
}

/// One tab: its machine and what the page around it keeps.
pub struct Tab {
    /// Its machine.
    pub machine: Machine,
    pub(crate) frozen: bool,
    /// Calls not settled yet.
    pub calls: BTreeSet<u32>,
    pub(crate) next_call: u32,
    /// A hash of every input the machine took, with its time: equal histories, equal machines.
    pub(crate) history: u64,
    pub(crate) done: BTreeSet<&'static str>,
    /// The order of the token last held (reset by a sign-out), and the status last seen.
    pub(crate) last: (Option<f64>, Status),
}

/// The whole world of two tabs at one node of the search.
pub struct Model {
    /// Global time (ms).
    pub t: u64,
    /// When the exploration began (ms): the token is due then.
    pub t0: u64,
    /// The tabs.
    pub tabs: Vec<Tab>,
    pub(crate) scenario: Scenario,
    pub(crate) channel: [VecDeque<Message>; TABS],
    pub(crate) pending: Vec<(u32, usize, Answer)>,
    pub(crate) seq: u32,
    pub(crate) reqs: Vec<Req>,
    pub(crate) locks: Locks,
    /// The lock requests queued, in order (the lock model keeps its queue to itself).
    pub(crate) queued: Vec<(usize, u32, String)>,
    /// The cookie jar.
    pub jar: Jar,
    /// The durable-logout marker: the tab that wrote it, and when (epoch ms).
    pub(crate) marker: Option<(usize, u64)>,
    /// The server.
    pub server: Server,
    /// Refresh tokens the server was presented, each with how often.
    pub presented: BTreeMap<u64, u32>,
    /// A rotated answer never reached the browser.
    pub lost: bool,
    /// A tab stole the refresh lock.
    pub stolen: bool,
    /// A logout was asked for.
    pub logged_out: bool,
    /// The order of the token both tabs hold at the start.
    pub(crate) start_order: Option<f64>,
    pub(crate) options: Options,
    /// The first property a step broke (see `check::observe`).
    pub broken: Option<String>,
    /// One line per step, when asked for.
    pub trace: Option<Vec<String>>,
}

impl Model {
    /// The start of `scenario`: tab 0 logs in, tab 1 starts and takes its token, everything
    /// is delivered, and time moves to when the token is due.
    pub fn new(scenario: &Scenario) -> Model {
        let options = Options::new("https://api.test");
        let tab = |i: usize| Tab {
            machine: Machine::new(options.clone(), format!("tab{i}"), true),
            frozen: false,
            calls: BTreeSet::new(),
            next_call: 0,
            history: 0,
            done: BTreeSet::new(),
            last: (None, Status::Unknown),
        };
        let mut m = Model {
            t: 0,
            t0: 0,
            tabs: vec![tab(0), tab(1)],
            scenario: scenario.clone(),
            channel: [VecDeque::new(), VecDeque::new()],
            pending: Vec::new(),
            seq: 0,
            reqs: Vec::new(),
            locks: Locks::default(),
            queued: Vec::new(),
            jar: Jar::default(),
            marker: None,
            server: Server::new(ACCESS_TTL_S, None),
            presented: BTreeMap::new(),
            lost: false,
            stolen: false,
            logged_out: false,
            start_order: None,
            options,
            broken: None,
            trace: None,
        };
        m.call(0, |call| Input::Login {
            call,
            body: "{}".into(),
        });
        m.settle();
        m.call(1, |call| Input::Start { call });
        m.settle();
        // Time moves to the moment the tokens are due (the schedule's timers, which wake at
        // least every 30 s, are then overdue and fire first).
        let ahead = m.options.refresh_ahead_seconds * 1000.0;
        let due_at = |tab: &Tab| {
            let token = tab.machine.session.token()?;
            Some((token.refresh_due_at_ms(ahead) - EPOCH_MS as f64).ceil() as u64)
        };
        let due = m.tabs.iter().filter_map(due_at).max().unwrap_or(0);
        m.t = due;
        m.t0 = due;
        m.start_order = m.tabs[0].machine.session.token().map(|t| t.order_ms);
        m
    }

    /// Runs every urgent or network event, first come first, until none is left.
    fn settle(&mut self) {
        let chosen = |e: &Event| {
            !matches!(
                e,
                Event::Timer(_) | Event::Work(_) | Event::Logout(_) | Event::Freeze(_)
            )
        };
        while let Some(e) = self.enabled().into_iter().find(chosen) {
            self.apply(&e);
        }
    }

    /// The tab's next machine deadline (global ms), if any.
    pub fn deadline(&self, tab: usize) -> Option<u64> {
        let at = self.tabs[tab].machine.poll_timeout()?;
        Some(at.max(0.0).ceil() as u64)
    }

    fn urgent(&self) -> bool {
        let live = |tab: usize| !self.tabs[tab].frozen;
        (0..TABS).any(|from| !self.channel[from].is_empty() && live(1 - from))
            || self.pending.iter().any(|p| live(p.1))
    }

    /// Every event that may happen next, in a fixed order.
    pub fn enabled(&self) -> Vec<Event> {
        let mut out = Vec::new();
        let live = |tab: usize| !self.tabs[tab].frozen;
        let s = &self.scenario;
        for tab in 0..TABS {
            let done = &self.tabs[tab].done;
            if s.work[tab].is_some() && !done.contains("work") && live(tab) {
                out.push(Event::Work(tab));
            }
            if s.logout == Some(tab) && !done.contains("logout") && live(tab) {
                out.push(Event::Logout(tab));
            }
            if s.freeze == Some(tab) && !done.contains("freeze") {
                out.push(Event::Freeze(tab));
            } else if self.tabs[tab].frozen {
                out.push(Event::Thaw(tab));
            }
            if !self.channel[1 - tab].is_empty() && live(tab) {
                out.push(Event::Deliver(1 - tab));
            }
        }
        for (i, (seq, tab, answer)) in self.pending.iter().enumerate() {
            let first_for_lock = |id: u32| {
                !self.pending[..i]
                    .iter()
                    .any(|(_, t, a)| t == tab && matches!(a, Answer::Lock(j, _) if *j == id))
            };
            let first = match answer {
                Answer::Lock(id, _) => first_for_lock(*id),
                _ => true,
            };
            if live(*tab) && first {
                out.push(Event::Browser(*seq));
            }
        }
        for (r, req) in self.reqs.iter().enumerate() {
            match req.stage {
                Stage::Sent => out.push(Event::Arrive(r)),
                Stage::Answered if !req.aborted => out.push(Event::Headers(r)),
                Stage::Headed if !req.aborted && live(req.tab) => out.push(Event::Body(r)),
                _ => {}
            }
        }
        let horizon = self.t0 + HORIZON_MS;
        let deadlines: Vec<_> = (0..TABS)
            .map(|tab| self.deadline(tab).filter(|d| *d <= horizon && live(tab)))
            .collect();
        let earliest = deadlines.iter().flatten().min().copied();
        let urgent = self.urgent();
        for (tab, d) in deadlines.iter().enumerate() {
            if d.is_some_and(|d| d <= self.t || (!urgent && Some(d) == earliest)) {
                out.push(Event::Timer(tab));
            }
        }
        out
    }

    /// Whether `e` may stay pending for ever: a freeze that never comes, or an aborted
    /// request the server never sees.
    pub fn optional(&self, e: &Event) -> bool {
        match e {
            Event::Freeze(_) => true,
            Event::Arrive(r) => self.reqs[*r].aborted,
            _ => false,
        }
    }

    /// How many events are pending: messages, browser answers, requests not done.
    pub fn pending_count(&self) -> usize {
        let messages: usize = self.channel.iter().map(VecDeque::len).sum();
        let requests = self.reqs.iter().filter(|r| r.stage != Stage::Done).count();
        messages + self.pending.len() + requests
    }
}
