//! One tab: its machine, its clocks, and what the page around the machine keeps (the callers
//! waiting, the frozen backlog).

use std::collections::{HashMap, HashSet, VecDeque};

use tokenrelay::core::machine::{Machine, Now};
use tokenrelay::core::{Options, Token};

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
    /// Callers waiting: call id -> sim time issued.
    pub calls: HashMap<u32, u64>,
    /// The calls among them that are logins.
    pub logins: HashSet<u32>,
    /// The next caller id.
    pub next_call: u32,
    /// Invalidates an armed machine timer when re-armed.
    pub timer_epoch: u64,
    /// Refresh requests sent (sim ms), for the no-loop invariant.
    pub sent: Vec<u64>,
}

impl Tab {
    /// The tab `id` opened at `t` with `options`.
    pub fn new(options: &Options, id: String, t: u64) -> Tab {
        let machine = Machine::new(options.clone(), id, true);
        Tab {
            machine,
            open: true,
            frozen: false,
            hidden: false,
            opened_at: t,
            backlog: VecDeque::new(),
            calls: HashMap::new(),
            logins: HashSet::new(),
            next_call: 0,
            timer_epoch: 0,
            sent: Vec::new(),
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
        self.machine.usable_token(now.wall_ms).is_ok()
    }

    /// Whether the token held is due for a refresh at `now`.
    pub fn due(&self, now: Now) -> bool {
        self.machine.due(now.wall_ms)
    }
}
