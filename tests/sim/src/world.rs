//! The world of one seed: tabs, the browser they share, the server, the event queue, and the
//! workload. Every draw comes from the seed, so a run replays exactly.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use tokenrelay::core::machine::{Input, LockOutcome, Now, Output, Reply};
use tokenrelay::core::protocol::{Envelope, Message};
use tokenrelay::core::response::AuthCall;
use tokenrelay::core::{Error, Options};

use crate::browser::{Jar, LockEvents, Locks};
use crate::invariants::{Checker, Violation};
use crate::server::{Server, Verdict};
use crate::tab::Tab;

/// Fault rates and sizes of one world, drawn from its seed.
#[derive(Clone, Debug)]
pub struct Params {
    /// The seed.
    pub seed: u64,
    /// Tabs open at the start.
    pub tabs: usize,
    /// Length of the phase with faults (ms).
    pub safety_ms: u64,
    /// Length of the phase without faults that follows (ms).
    pub liveness_ms: u64,
    /// Access-token lifetime (s).
    pub access_ttl_s: u64,
    /// The client's `requestTimeoutMs`.
    pub request_timeout_ms: u64,
    /// Largest channel delay (ms).
    pub message_delay_ms: u64,
    /// Largest one-way network latency (ms).
    pub latency_ms: u64,
    /// Chance that a refresh is answered 503 or 429.
    pub server_error: f64,
    /// Chance that a rotated answer is lost on the way (the cookie with it).
    pub lost_answer: f64,
    /// Chance that a rotated answer's body stalls (its cookie arrives).
    pub stalled_body: f64,
    /// Chance per action that a tab freezes (thawed later).
    pub freeze: f64,
    /// Chance per action that a tab closes (and one opens).
    pub close: f64,
    /// Chance per action that a tab hides or shows.
    pub hide: f64,
    /// Chance per action that the wall clock jumps (+/- 2 h).
    pub clock_jump: f64,
    /// Chance per action that a forged sign-out or a malformed token is posted.
    pub forged: f64,
    /// Chance per action that the tab logs out (and logs in again a little later).
    pub logout: f64,
    /// The status the server refuses a refresh with (no cookie, a reused or revoked token):
    /// 401, or 400 / 403 as some backends answer.
    pub refused_status: u16,
    /// Chance that a rotated answer's body has no readable token (its cookie arrives).
    pub garbled: f64,
    /// The server's grace window for a rotated token (ms), if any.
    pub grace_ms: Option<u64>,
    /// Mean time between two actions of one tab (ms).
    pub action_every_ms: u64,
}

impl Params {
    /// The world of `seed`: its size and fault rates (some worlds calm, some stormy).
    pub fn draw(seed: u64) -> Params {
        let mut rng = fastrand::Rng::with_seed(seed);
        let storm = rng.f64();
        let rate = |rng: &mut fastrand::Rng, max: f64| rng.f64() * max * storm;
        Params {
            seed,
            tabs: rng.usize(2..=5),
            safety_ms: rng.u64(20_000..=120_000),
            liveness_ms: 90_000,
            access_ttl_s: rng.u64(20..=90),
            request_timeout_ms: [500, 2_000, 10_000][rng.usize(0..3)],
            message_delay_ms: rng.u64(0..=50),
            latency_ms: rng.u64(1..=400),
            server_error: rate(&mut rng, 0.3),
            lost_answer: rate(&mut rng, 0.1),
            stalled_body: rate(&mut rng, 0.05),
            freeze: rate(&mut rng, 0.05),
            close: rate(&mut rng, 0.02),
            hide: rate(&mut rng, 0.05),
            clock_jump: rate(&mut rng, 0.01),
            forged: rate(&mut rng, 0.02),
            logout: rng.f64() * 0.005,
            refused_status: [401, 400, 403][rng.usize(0..3)],
            garbled: rate(&mut rng, 0.05),
            grace_ms: rng.bool().then(|| rng.u64(0..=5_000)),
            action_every_ms: rng.u64(200..=5_000),
        }
    }
}

/// An event of the world.
#[derive(Clone, Debug)]
pub enum Ev {
    /// A channel message reaches a tab.
    Deliver {
        /// Sender.
        from: usize,
        /// Receiver.
        to: usize,
        /// What was posted.
        message: Message,
    },
    /// A lock request's outcome reaches its tab.
    Lock {
        /// The tab.
        tab: usize,
        /// The machine's request id.
        id: u32,
        /// The outcome.
        outcome: LockOutcome,
    },
    /// The answer to a lock query reaches a tab.
    Holder {
        /// The tab.
        tab: usize,
        /// The client id of the refresh lock's holder when the browser looked.
        client: Option<String>,
        /// Whether the holder is this tab.
        mine: bool,
    },
    /// A tab's machine timer fires (if still armed with this epoch).
    Timer {
        /// The tab.
        tab: usize,
        /// The arming it belongs to.
        epoch: u64,
    },
    /// The answer to a presence query reaches a tab.
    Presence {
        /// The tab.
        tab: usize,
        /// Whether another tab was alive when the browser looked.
        others: bool,
    },
    /// A request reaches the server.
    Arrive(usize),
    /// A request's answer reaches the browser.
    Answer(usize),
    /// The answer's body is read by the tab.
    Body {
        /// The tab.
        tab: usize,
        /// The request.
        r: usize,
    },
    /// A tab does something (workload or fault).
    Act(usize),
    /// A frozen tab thaws.
    Thaw(usize),
    /// A tab logs in (again).
    Login(usize),
    /// The faults stop.
    Calm,
}

/// A refresh request on the wire.
pub struct Req {
    tab: usize,
    id: u32,
    call: AuthCall,
    presented: Option<u64>,
    /// Aborted by the machine (its answer is dropped).
    pub aborted: bool,
    verdict: Option<Verdict>,
    /// Sim ms when sent.
    pub sent_at: u64,
    /// Still waiting for its answer.
    pub in_flight: bool,
}

impl Req {
    /// The tab that sent it.
    pub fn tab(&self) -> usize {
        self.tab
    }

    /// Whether it is a refresh request.
    pub fn is_refresh(&self) -> bool {
        self.call == AuthCall::Refresh
    }
}

/// What a run came to.
pub struct Outcome {
    /// The world's parameters.
    pub params: Params,
    /// Invariant violations (empty: the run passed).
    pub violations: Vec<Violation>,
    /// Events processed.
    pub events: u64,
    /// Faults injected.
    pub faults: u32,
    /// The trace, when asked for.
    pub trace: Vec<String>,
    /// Timeline marks for the picture: (sim ms, lane, kind, text).
    pub marks: Vec<(u64, usize, &'static str, String)>,
    /// Refresh requests the server processed.
    pub refreshes: u32,
    /// Reuse detections at the server.
    pub reuse: u32,
}

/// The world of one seed.
pub struct World {
    /// Its parameters.
    pub params: Params,
    rng: fastrand::Rng,
    /// Sim time (ms).
    pub t: u64,
    queue: BinaryHeap<Reverse<(u64, u64)>>,
    events: BTreeMap<u64, Ev>,
    seq: u64,
    /// The tabs, open or closed.
    pub tabs: Vec<Tab>,
    /// Web Locks of the origin.
    pub locks: Locks,
    /// The cookie jar.
    pub jar: Jar,
    /// The server.
    pub server: Server,
    /// Requests sent.
    pub reqs: Vec<Req>,
    /// The wall clock's offset from sim time (ms).
    pub wall_offset: i64,
    /// Faults stopped.
    pub calm: bool,
    /// A logout was asked for since a login last reached a tab.
    pub logged_out: bool,
    /// The durable-logout marker in localStorage: when (sim ms) and by which tab it was
    /// written, while it is there.
    marker: Option<(u64, usize, f64)>,
    /// The session epoch stored in localStorage: the value other tabs see until the latest
    /// write reaches them, and that write (when, by which tab, the value). Both keys are in
    /// the same storage area: another tab sees them change together, in the order written, a
    /// few ms late (a tab never sees the epoch of a logout without its marker).
    stored_epoch: (Option<f64>, Option<(u64, usize, f64)>),
    /// Last sim time a channel message went from one tab to another (per-sender order).
    last_delivery: BTreeMap<(usize, usize), u64>,
    options: Options,
    checker: Checker,
    tracing: bool,
    trace: Vec<String>,
    marks: Vec<(u64, usize, &'static str, String)>,
    faults: u32,
    processed: u64,
}

/// Runs the world of `params`; `tracing` keeps a line per event.
pub fn run(params: Params, tracing: bool) -> Outcome {
    let mut world = World::new(params, tracing);
    world.play();
    let checker = std::mem::take(&mut world.checker);
    let violations = checker.finish(&world);
    Outcome {
        events: world.processed,
        faults: world.faults,
        refreshes: world.server.refresh_requests,
        reuse: world.server.reuse_detections,
        params: world.params,
        violations,
        trace: world.trace,
        marks: world.marks,
    }
}

impl World {
    fn new(params: Params, tracing: bool) -> World {
        let mut options = Options::new("https://api.test");
        options.request_timeout_ms = params.request_timeout_ms as f64;
        let rng = fastrand::Rng::with_seed(params.seed ^ 0x9e37_79b9_7f4a_7c15);
        let server = Server::new(params.access_ttl_s, params.grace_ms);
        World {
            rng,
            t: 0,
            queue: BinaryHeap::new(),
            events: BTreeMap::new(),
            seq: 0,
            tabs: Vec::new(),
            locks: Locks::default(),
            jar: Jar::default(),
            server,
            reqs: Vec::new(),
            wall_offset: SERVER_EPOCH_MS as i64,
            calm: false,
            logged_out: false,
            marker: None,
            stored_epoch: (None, None),
            last_delivery: BTreeMap::new(),
            options,
            checker: Checker::default(),
            tracing,
            trace: Vec::new(),
            marks: Vec::new(),
            faults: 0,
            processed: 0,
            params,
        }
    }

    /// Schedules `ev` at sim time `at`.
    pub fn at(&mut self, at: u64, ev: Ev) {
        self.seq += 1;
        self.queue.push(Reverse((at, self.seq)));
        self.events.insert(self.seq, ev);
    }

    fn note(&mut self, lane: usize, kind: &'static str, text: String) {
        if self.tracing {
            self.trace
                .push(format!("{:>8} {:<7} {}", self.t, lane_name(lane), text));
            self.marks.push((self.t, lane, kind, text));
        }
    }

    fn play(&mut self) {
        // The first tab logs in; the others start and restore from it.
        for _ in 0..self.params.tabs {
            self.open_tab();
        }
        self.login(0);
        for tab in 1..self.tabs.len() {
            self.start(tab);
        }
        let end = self.params.safety_ms + self.params.liveness_ms;
        let mut same_time = 0u64;
        self.at(self.params.safety_ms, Ev::Calm);
        while let Some(Reverse((at, seq))) = self.queue.pop() {
            if at > end {
                break;
            }
            if at == self.t {
                same_time += 1;
            } else {
                same_time = 0;
            }
            self.t = at;
            let Some(ev) = self.events.remove(&seq) else {
                continue;
            };
            self.processed += 1;
            if same_time > BUSY_LOOP_EVENTS || self.processed > WORLD_EVENTS {
                // Time no longer moves, or a tab's timer fires without end.
                self.checker.busy_loop(self.t);
                return;
            }
            self.dispatch(ev);
            let mut checker = std::mem::take(&mut self.checker);
            checker.step(self);
            self.checker = checker;
        }
        self.t = end;
    }

    fn dispatch(&mut self, ev: Ev) {
        if let Some(tab) = target(&ev) {
            if !self.tabs[tab].open {
                return;
            }
            if self.tabs[tab].frozen && !matches!(ev, Ev::Thaw(_)) {
                self.tabs[tab].backlog.push_back(ev);
                return;
            }
        }
        match ev {
            Ev::Deliver { from, to, message } => self.on_message(to, from, message),
            Ev::Lock { tab, id, outcome } => {
                self.note(tab, "lock", format!("lock #{id} {outcome:?}"));
                self.input(tab, Input::Lock { id, outcome });
            }
            Ev::Timer { tab, epoch } => {
                if self.tabs[tab].timer_epoch == epoch {
                    self.input(tab, Input::Timer);
                }
            }
            Ev::Presence { tab, others } => self.input(tab, Input::Presence { others }),
            Ev::Holder { tab, client, mine } => {
                self.note(tab, "lock", format!("the lock's holder is {client:?}"));
                self.input(tab, Input::Holder { client, mine });
            }
            Ev::Arrive(r) => self.arrive(r),
            Ev::Answer(r) => self.answer(r),
            Ev::Body { r, .. } => self.body(r),
            Ev::Act(tab) => self.act(tab),
            Ev::Thaw(tab) => self.thaw(tab),
            // The user logs in (again) only when signed out.
            Ev::Login(tab) if self.tabs[tab].token().is_none() => self.login(tab),
            Ev::Login(_) => {}
            Ev::Calm => {
                self.calm = true;
                self.note(0, "calm", "faults stop".into());
                for tab in 0..self.tabs.len() {
                    if self.tabs[tab].frozen {
                        self.thaw(tab);
                    }
                    self.tabs[tab].hidden = false;
                }
            }
        }
    }

    /// The tab's clocks now.
    pub fn now(&self, tab: usize) -> Now {
        self.tabs[tab].now(self.t, self.wall_offset)
    }

    fn open_tab(&mut self) -> usize {
        let tab = self.tabs.len();
        self.tabs.push(Tab::new(&self.options, tab_id(tab), self.t));
        let every = self.params.action_every_ms;
        let first = self.t + self.rng.u64(1..=every);
        self.at(first, Ev::Act(tab));
        tab
    }

    /// Feeds `input` to the tab's machine and carries out every output, then arms its timer.
    pub fn input(&mut self, tab: usize, input: Input) {
        let now = self.now(tab);
        let before = self.tabs[tab].machine.session.status();
        self.tabs[tab].machine.handle(input, now);
        while let Some(out) = self.tabs[tab].machine.poll_output() {
            self.perform(tab, out);
        }
        self.arm(tab);
        let after = self.tabs[tab].machine.session.status();
        if after != before {
            self.note(
                tab,
                "state",
                format!("{} -> {}", before.as_str(), after.as_str()),
            );
        }
    }

    fn arm(&mut self, tab: usize) {
        let t = &mut self.tabs[tab];
        t.timer_epoch += 1;
        let epoch = t.timer_epoch;
        if let Some(at) = t.machine.poll_timeout() {
            let mut when = t.sim_time_of(at).max(self.t);
            if t.hidden {
                when = when.div_ceil(1000) * 1000; // timers of hidden tabs are aligned to 1 s
            }
            self.at(when, Ev::Timer { tab, epoch });
        }
    }

    fn perform(&mut self, tab: usize, out: Output) {
        match out {
            Output::Changed => {}
            Output::Resolve(call) => {
                self.tabs[tab].calls.remove(&call);
                self.tabs[tab].logins.remove(&call);
            }
            Output::Reject(call, e) => {
                self.note(
                    tab,
                    "call",
                    format!("call {call} rejected: {} ({e})", e.code()),
                );
                self.tabs[tab].calls.remove(&call);
                if self.tabs[tab].logins.remove(&call) {
                    // The user tries again a little later.
                    let again = self.t + self.rng.u64(500..=3_000);
                    self.at(again, Ev::Login(tab));
                }
            }
            Output::Post(message) => self.post(tab, message),
            Output::RequestLock { id, name, mode } => {
                self.note(tab, "lock", format!("asks lock {name} {mode:?} #{id}"));
                if matches!(mode, tokenrelay::core::machine::LockMode::Steal) {
                    self.checker.stolen_at = Some(self.t);
                }
                let ev = self.locks.request(&name, mode, (tab, id));
                for (victim, _) in ev.stolen.iter() {
                    self.checker.stolen_from.insert(*victim);
                }
                self.deliver_locks(ev);
            }
            Output::Release(id) => {
                self.note(tab, "release", format!("releases #{id}"));
                let ev = self.locks.release((tab, id));
                self.deliver_locks(ev);
            }
            Output::SendAuth { id, call, .. } => self.send(tab, id, call),
            Output::AbortAuth(id) => {
                if let Some(r) = self.reqs.iter_mut().find(|r| r.tab == tab && r.id == id) {
                    r.aborted = true;
                    r.in_flight = false;
                }
                self.note(tab, "abort", format!("aborts request #{id}"));
            }
            Output::ReadFacts => {
                let cookies = self.jar.document_cookie();
                let now = self.now(tab);
                // The durable-logout marker in localStorage: other tabs see it a few ms late.
                let logout_marker = self
                    .marker
                    .filter(|(at, by, _)| *by == tab || at + MARKER_LAG_MS <= self.t)
                    .map(|(_, _, wall)| wall);
                let stored_epoch = match self.stored_epoch {
                    (_, Some((at, by, epoch))) if by == tab || at + MARKER_LAG_MS <= self.t => {
                        Some(epoch)
                    }
                    (seen, _) => seen,
                };
                self.tabs[tab].machine.handle(
                    Input::Facts {
                        cookies,
                        logout_marker,
                        stored_epoch,
                    },
                    now,
                );
            }
            Output::MarkLogout(epoch) => {
                self.marker = epoch.map(|epoch| (self.t, tab, epoch));
                if epoch.is_none() {
                    self.note(tab, "out", "clears the logout marker".into());
                }
            }
            Output::SaveEpoch(epoch) => {
                // The write before it has reached every tab by now, or is overtaken.
                let (seen, latest) = self.stored_epoch;
                let seen = latest.map(|(_, _, e)| e).or(seen);
                self.stored_epoch = (seen, Some((self.t, tab, epoch)));
            }
            Output::QueryPresence => {
                let others = (0..self.tabs.len()).any(|o| o != tab && self.tabs[o].open);
                let later = self.t + self.rng.u64(0..=2);
                self.at(later, Ev::Presence { tab, others });
            }
            Output::LoggedOut { call, confirmed } => {
                self.note(tab, "call", format!("logout {call} confirmed: {confirmed}"));
                self.tabs[tab].calls.remove(&call);
            }
            Output::WriteCookie(assignment) => self.jar.assign(&assignment),
            Output::QueryLocks => {
                // The browser looks now; the answer reaches the tab a little later.
                let holder = self.locks.holder("tokenrelay");
                let client = holder.map(|(t, _)| format!("client{t}"));
                let mine = holder.is_some_and(|(t, _)| t == tab);
                let later = self.t + self.rng.u64(0..=2);
                self.at(later, Ev::Holder { tab, client, mine });
            }
        }
    }

    fn deliver_locks(&mut self, ev: LockEvents) {
        for (tab, id) in ev.stolen {
            self.at(
                self.t,
                Ev::Lock {
                    tab,
                    id,
                    outcome: LockOutcome::Lost,
                },
            );
        }
        for (tab, id) in ev.granted {
            self.at(
                self.t,
                Ev::Lock {
                    tab,
                    id,
                    outcome: LockOutcome::Granted,
                },
            );
        }
        for (tab, id) in ev.refused {
            self.at(
                self.t,
                Ev::Lock {
                    tab,
                    id,
                    outcome: LockOutcome::Refused,
                },
            );
        }
    }

    /// Posts `message` from `from` to every other open tab, each after its own delay, in the
    /// sender's order.
    fn post(&mut self, from: usize, message: Message) {
        let epoch = match &message {
            Message::Token { epoch_ms, .. } | Message::SignedOut { epoch_ms, .. } => *epoch_ms,
            _ => None,
        };
        let epoch = epoch.map_or(String::new(), |e| format!(" (epoch {e})"));
        self.note(from, "post", format!("posts {}{epoch}", kind_of(&message)));
        for to in 0..self.tabs.len() {
            if to == from || !self.tabs[to].open {
                continue;
            }
            let delay = self.rng.u64(0..=self.params.message_delay_ms);
            let last = self.last_delivery.get(&(from, to)).copied().unwrap_or(0);
            let at = (self.t + delay).max(last);
            self.last_delivery.insert((from, to), at);
            let message = message.clone();
            self.at(at, Ev::Deliver { from, to, message });
        }
    }

    fn on_message(&mut self, to: usize, from: usize, message: Message) {
        let from = tab_id(from);
        self.input(to, Input::Message(Envelope { from, message }));
    }

    /// A new call of `tab`'s API: its id, remembered until it settles.
    fn new_call(&mut self, tab: usize) -> u32 {
        let t = &mut self.tabs[tab];
        t.next_call += 1;
        t.calls.insert(t.next_call, self.t);
        t.next_call
    }

    /// A caller of this tab wants a refresh (`used`: a 401 answered the token of that order).
    pub fn call_refresh(&mut self, tab: usize, used: Option<f64>) {
        let call = self.new_call(tab);
        let proactive = false;
        self.input(
            tab,
            Input::Refresh {
                call,
                proactive,
                used,
            },
        );
    }

    fn login(&mut self, tab: usize) {
        let call = self.new_call(tab);
        self.tabs[tab].logins.insert(call);
        self.note(tab, "login", "logs in".into());
        let body = "{}".into();
        self.input(tab, Input::Login { call, body });
    }

    fn logout(&mut self, tab: usize) {
        self.logged_out = true;
        let call = self.new_call(tab);
        self.note(tab, "out", "logs out".into());
        self.input(tab, Input::Logout { call });
    }

    fn start(&mut self, tab: usize) {
        let call = self.new_call(tab);
        self.input(tab, Input::Start { call });
    }

    fn send(&mut self, tab: usize, id: u32, call: AuthCall) {
        let r = self.reqs.len();
        if call == AuthCall::Refresh {
            self.tabs[tab].sent.push(self.t);
        }
        self.reqs.push(Req {
            tab,
            id,
            call,
            presented: self.jar.refresh,
            aborted: false,
            verdict: None,
            sent_at: self.t,
            in_flight: true,
        });
        self.note(
            tab,
            "send",
            format!("sends {call:?} #{id} presenting {:?}", self.jar.refresh),
        );
        let up = self.rng.u64(0..=self.params.latency_ms);
        self.at(self.t + up, Ev::Arrive(r));
    }

    fn fault(&mut self, chance: f64) -> bool {
        let hit = !self.calm && self.rng.f64() < chance;
        if hit {
            self.faults += 1;
        }
        hit
    }

    fn arrive(&mut self, r: usize) {
        if self.reqs[r].aborted {
            return; // the connection closed: the server's handler is dropped
        }
        let now = self.server_now();
        let verdict = if self.fault(self.params.server_error) {
            Verdict::Status(if self.rng.bool() { 503 } else { 429 })
        } else {
            let (call, presented) = (self.reqs[r].call, self.reqs[r].presented);
            match self.server.answer(call, presented, now) {
                // This world's server refuses with its own status (401, 400 or 403).
                Verdict::Status(401) => Verdict::Status(self.params.refused_status),
                verdict => verdict,
            }
        };
        self.note(
            usize::MAX,
            "server",
            format!(
                "answers tab{} #{} {verdict:?}",
                self.reqs[r].tab, self.reqs[r].id
            ),
        );
        self.reqs[r].verdict = Some(verdict);
        if matches!(self.reqs[r].verdict, Some(Verdict::Rotated { .. }))
            && self.reqs[r].is_refresh()
            && self.fault(self.params.lost_answer)
        {
            self.checker.lost_rotation = true;
            self.note(usize::MAX, "server", "the answer is lost".into());
            return;
        }
        let down = self.rng.u64(0..=self.params.latency_ms);
        self.at(self.t + down, Ev::Answer(r));
    }

    /// The headers arrive: the cookie is set (even if the body never comes), then the body.
    fn answer(&mut self, r: usize) {
        if self.reqs[r].aborted {
            if matches!(self.reqs[r].verdict, Some(Verdict::Rotated { .. })) {
                self.checker.lost_rotation = true; // rotated, but the browser dropped it
            }
            return;
        }
        match &self.reqs[r].verdict {
            Some(Verdict::Rotated { refresh, .. } | Verdict::Replay { refresh, .. }) => {
                self.jar.refresh = Some(*refresh);
            }
            Some(Verdict::LoggedOut) => self.jar.refresh = None,
            _ => {}
        }
        if self.fault(self.params.stalled_body) {
            self.note(usize::MAX, "server", "the body stalls".into());
            return;
        }
        let tab = self.reqs[r].tab;
        self.at(self.t + 1, Ev::Body { tab, r });
    }

    fn body(&mut self, r: usize) {
        if self.reqs[r].aborted {
            return;
        }
        self.reqs[r].in_flight = false;
        let tab = self.reqs[r].tab;
        let id = self.reqs[r].id;
        let now = self.now(tab);
        let server_ms = self.server_now() as f64;
        let result = match self.reqs[r].verdict.clone() {
            Some(Verdict::Rotated { .. } | Verdict::Replay { .. })
                if self.reqs[r].is_refresh() && self.fault(self.params.garbled) =>
            {
                self.note(
                    usize::MAX,
                    "server",
                    "the body has no readable token".into(),
                );
                let why = "the response has no string field `access_token`";
                Ok(Reply {
                    status: 200,
                    token: Err(Error::BadResponse(why.into())),
                })
            }
            verdict => {
                let machine = &mut self.tabs[tab].machine;
                Verdict::reply(verdict, now.wall_ms, server_ms, machine)
            }
        };
        let login = self.reqs[r].call == AuthCall::Login;
        self.input(tab, Input::Answer { id, result });
        if login && self.tabs[tab].token().is_some() {
            self.logged_out = false; // a login's token signed a tab in
        }
    }

    fn act(&mut self, tab: usize) {
        let every = self.params.action_every_ms;
        let next = self.t + self.rng.u64(1..=2 * every);
        self.at(next, Ev::Act(tab));
        if self.fault(self.params.freeze) {
            self.tabs[tab].frozen = true;
            let thaw = self.t + self.rng.u64(1_000..=30_000);
            self.note(tab, "freeze", "freezes".into());
            self.at(thaw, Ev::Thaw(tab));
            return;
        }
        if self.fault(self.params.close) {
            self.close(tab);
            let new = self.open_tab();
            self.start(new);
            return;
        }
        if self.fault(self.params.hide) {
            let visible = self.tabs[tab].hidden;
            self.tabs[tab].hidden = !visible;
            self.input(tab, Input::Page { visible });
            return;
        }
        if self.fault(self.params.clock_jump) {
            let hours = if self.rng.bool() { 2 } else { -2 };
            self.wall_offset += hours * 3_600_000;
            self.note(tab, "clock", format!("the wall clock jumps {hours} h"));
            return;
        }
        if self.fault(self.params.forged) {
            let message = Message::SignedOut {
                proof: Some("forged".into()),
                expired: true,
                epoch_ms: Some(4e15),
                status: Some(401),
            };
            self.post(tab, message);
            return;
        }
        if self.calm {
            return; // the liveness phase: no workload, the session must settle by itself
        }
        if self.rng.f64() < self.params.logout && self.tabs[tab].token().is_some() {
            self.logout(tab);
            let again = self.t + self.rng.u64(500..=5_000);
            self.at(again, Ev::Login(tab));
            return;
        }
        let now = self.now(tab);
        let roll = self.rng.f64();
        let t = &self.tabs[tab];
        let Some(token) = t.token() else { return };
        let refused = (token.expires_at_ms <= now.wall_ms)
            || self.server.access_expired(&token.jwt, self.server_now());
        let order = token.order_ms;
        if roll < 0.6 && refused {
            // A call whose token the API refused: one shared refresh, unless a newer came.
            self.call_refresh(tab, Some(order));
        } else if roll < 0.6 && t.due(now) {
            let call = self.new_call(tab); // a call with a due token waits for a fresh one
            self.input(tab, Input::Ensure { call });
        } else if (0.6..0.7).contains(&roll) {
            self.call_refresh(tab, Some(order)); // auth.refresh()
        }
    }

    fn thaw(&mut self, tab: usize) {
        if !self.tabs[tab].frozen {
            return;
        }
        self.tabs[tab].frozen = false;
        self.note(tab, "thaw", "thaws".into());
        // What queued up while frozen runs now, in order, one event at a time.
        let backlog: Vec<Ev> = self.tabs[tab].backlog.drain(..).collect();
        for ev in backlog {
            self.at(self.t, ev);
        }
        let visible = !self.tabs[tab].hidden;
        self.input(tab, Input::Page { visible }); // pageshow / visibilitychange
    }

    fn close(&mut self, tab: usize) {
        self.note(tab, "close", "closes".into());
        self.tabs[tab].open = false;
        let now = self.now(tab);
        self.tabs[tab].machine.handle(Input::Dispose, now);
        while self.tabs[tab].machine.poll_output().is_some() {}
        for r in self.reqs.iter_mut().filter(|r| r.tab == tab) {
            r.aborted = true;
            r.in_flight = false;
        }
        let ev = self.locks.close(tab);
        self.deliver_locks(ev);
    }

    /// Whether the browser has no session: the server ended it, or the browser never got (or
    /// lost) the refresh cookie of the current login (a login whose tab closed before the
    /// answer).
    pub fn session_over(&self) -> bool {
        self.server.session_over() || !self.jar.refresh.is_some_and(|r| self.server.holds(r))
    }

    /// The server's clock (epoch ms): true time, never jumped.
    pub fn server_now(&self) -> u64 {
        self.t + SERVER_EPOCH_MS
    }

    /// Processed events so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }
}

fn target(ev: &Ev) -> Option<usize> {
    match ev {
        Ev::Deliver { to, .. } => Some(*to),
        Ev::Lock { tab, .. }
        | Ev::Holder { tab, .. }
        | Ev::Timer { tab, .. }
        | Ev::Presence { tab, .. } => Some(*tab),
        Ev::Act(tab) | Ev::Thaw(tab) | Ev::Body { tab, .. } | Ev::Login(tab) => Some(*tab),
        Ev::Arrive(_) | Ev::Answer(_) | Ev::Calm => None,
    }
}

/// Events at one instant beyond which a world is stuck in a busy loop.
const BUSY_LOOP_EVENTS: u64 = 100_000;
/// Events in one world beyond which a tab is spinning (a world of 5 tabs and 200 s has a few
/// thousand).
const WORLD_EVENTS: u64 = 300_000;

/// How late another tab sees a localStorage write (ms).
const MARKER_LAG_MS: u64 = 10;

/// The epoch ms at sim time 0 (the server's clock, and the wall clock before any jump).
const SERVER_EPOCH_MS: u64 = 1_800_000_000_000;

/// The id of tab `tab` on the channel.
fn tab_id(tab: usize) -> String {
    format!("tab{tab}")
}

/// A lane's name in traces: a tab, or the server.
pub fn lane_name(lane: usize) -> String {
    if lane == usize::MAX {
        "server".into()
    } else {
        format!("tab{lane}")
    }
}

fn kind_of(message: &Message) -> &'static str {
    match message {
        Message::Token { .. } => "token",
        Message::Ask => "ask",
        Message::SignedOut { .. } => "signed-out",
        Message::Claim { .. } => "claim",
        Message::Released => "released",
    }
}
