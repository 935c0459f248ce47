//! One tab: its refresh machine, its clocks, and what the page around the machine keeps (the
//! claims of other tabs, the token order floor, the callers waiting).

use std::collections::{HashMap, VecDeque};

use tokenrelay::core::claims::{next_order, Receipt};
use tokenrelay::core::coordination::stale_at;
use tokenrelay::core::machine::{Machine, Now};
use tokenrelay::core::{Options, Status, Token};

/// A tab of the simulated browser.
pub struct Tab {
    /// Its refresh machine.
    pub machine: Machine,
    /// Open (not closed or disposed).
    pub open: bool,
    /// Frozen: no JS runs; its events wait in `backlog`.
    pub frozen: bool,
    /// Hidden: its timers are clamped.
    pub hidden: bool,
    /// Sim time (ms) when the page opened: its `performance.now()` counts from there.
    pub opened_at: u64,
    /// Events that came while frozen, in order.
    pub backlog: VecDeque<super::world::Ev>,
    /// Live claims of other tabs: tab -> monotonic ms last heard.
    pub claims: HashMap<usize, f64>,
    /// When (monotonic ms) another tab last said its refresh ended.
    pub last_release: Option<f64>,
    /// The largest token order seen (the wasm `Core`'s floor).
    pub order_floor: f64,
    /// Callers waiting: call id -> sim time issued.
    pub calls: HashMap<u32, u64>,
    /// The next caller id.
    pub next_call: u32,
    /// Invalidates an armed machine timer or due check when re-armed.
    pub timer_epoch: u64,
    /// Invalidates an armed due check when re-armed.
    pub due_epoch: u64,
    /// The due check last armed: (delay, token order), to skip re-arming the same one.
    pub last_armed: (Option<u64>, Option<u64>),
    /// The order of the last token held (for the ordering invariant).
    pub last_order: Option<f64>,
    /// The status last seen.
    pub last_status: Status,
    /// Refresh requests sent (sim ms), for the no-loop invariant.
    pub sent: Vec<u64>,
    refresh_ahead_ms: f64,
    stale_bound_ms: f64,
}

impl Tab {
    /// A tab opened at `t` with `options`.
    pub fn new(options: &Options, t: u64) -> Tab {
        let machine = Machine::new(options);
        let stale_bound_ms = machine.stale_bound_ms();
        Tab {
            machine,
            open: true,
            frozen: false,
            hidden: false,
            opened_at: t,
            backlog: VecDeque::new(),
            claims: HashMap::new(),
            last_release: None,
            order_floor: 0.0,
            calls: HashMap::new(),
            next_call: 0,
            timer_epoch: 0,
            due_epoch: 0,
            last_armed: (None, None),
            last_order: None,
            last_status: Status::Unknown,
            sent: Vec::new(),
            refresh_ahead_ms: options.refresh_ahead_seconds * 1000.0,
            stale_bound_ms,
        }
    }

    /// The tab's clocks at sim time `t` with the browser's wall-clock offset.
    pub fn now(&self, t: u64, wall_offset: i64) -> Now {
        Now {
            monotonic_ms: (t - self.opened_at) as f64,
            wall_ms: (t as i64 + wall_offset) as f64,
        }
    }

    /// Sim time at which this tab's monotonic clock reads `mono`.
    pub fn sim_time_of(&self, mono: f64) -> u64 {
        self.opened_at + mono.max(0.0).ceil() as u64
    }

    /// The token held.
    pub fn token(&self) -> Option<&Token> {
        self.machine.session.token()
    }

    /// Whether a token valid at `now` is held.
    pub fn holds_valid(&self, now: Now) -> bool {
        self.token().is_some_and(|t| !t.is_expired(now.wall_ms))
    }

    /// Whether the token held is due for a refresh at `now`.
    pub fn due(&self, now: Now) -> bool {
        self.token()
            .is_some_and(|t| t.needs_refresh(now.wall_ms, self.refresh_ahead_ms))
    }

    /// When (wall ms) the token held is due.
    pub fn due_at(&self) -> Option<f64> {
        self.token()
            .map(|t| t.refresh_due_at_ms(self.refresh_ahead_ms))
    }

    /// Reads a token answered by the server (the wasm `Core.receive`): decoded at receipt,
    /// ordered after every order seen.
    pub fn receive(
        &mut self,
        jwt: &str,
        server_ms: f64,
        now: Now,
    ) -> Result<Token, tokenrelay::core::Error> {
        let receipt = Receipt {
            local_ms: now.wall_ms,
            server_ms: Some(server_ms),
        };
        let mut token = Token::decode_at(jwt, receipt)?;
        token.order_ms = next_order(token.obtained_at_ms, self.order_floor);
        self.saw_order(token.order_ms);
        Ok(token)
    }

    /// Remembers a token order seen.
    pub fn saw_order(&mut self, order: f64) {
        if order > self.order_floor {
            self.order_floor = order;
        }
    }

    /// The latest live claim of another tab (monotonic ms); stale ones are dropped.
    pub fn last_claim_seen(&mut self, now: Now) -> Option<f64> {
        let bound = self.stale_bound_ms;
        self.claims
            .retain(|_, seen| now.monotonic_ms <= stale_at(*seen, bound));
        self.claims.values().copied().reduce(f64::max)
    }

    /// The longest a live refresher may stay silent.
    pub fn stale_bound_ms(&self) -> f64 {
        self.stale_bound_ms
    }
}
