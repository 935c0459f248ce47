//! The exhaustive explorer (issue #18): for two tabs and a server, every interleaving of the
//! events of a [`Scenario`] to a stated depth, each node checked (see `explore/check.rs`).
//!
//! A node is the world after a path of choices from the start. Machines cannot be cloned, so
//! the search is depth-first and rebuilds a node by replaying its path from the start, which
//! is deterministic and cheap at these sizes. Nodes are deduplicated by a fingerprint: each
//! machine's whole input history (equal histories make equal machines) and everything outside
//! the machines (time, channel, pending answers, requests, locks, jar, server), so two orders
//! of independent events that lead to the same world are explored once.
//!
//! ```
//! use tokenrelay_sim::explore::{explore, scenarios};
//!
//! let report = explore(&scenarios()[0], 4);
//! assert!(report.counterexample.is_none());
//! ```

mod check;
mod model;
mod step;

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

pub use model::{Event, Model, Scenario, Work, ACCESS_TTL_S, EPOCH_MS, HORIZON_MS, TABS};

/// The scenarios of a full run: calls of both tabs (each tab's due timer fires too), a logout
/// that crosses a call, a freeze of the caller's tab or of the other.
pub fn scenarios() -> Vec<Scenario> {
    use Work::{Ensure, Refresh};
    let s = |name, work, logout, freeze| Scenario {
        name,
        work,
        logout,
        freeze,
    };
    vec![
        s(
            "refresh+refresh",
            [Some(Refresh), Some(Refresh)],
            None,
            None,
        ),
        s("refresh+ensure", [Some(Refresh), Some(Ensure)], None, None),
        s("refresh, logout", [Some(Refresh), None], Some(1), None),
        s(
            "refresh, caller freezes",
            [Some(Refresh), None],
            None,
            Some(0),
        ),
        s(
            "refresh, other freezes",
            [Some(Refresh), None],
            None,
            Some(1),
        ),
    ]
}

/// The figures of one depth of the search.
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// Nodes reached at this depth (choice paths of this length).
    pub nodes: u64,
    /// Nodes whose world was not seen before (at this depth or above).
    pub distinct: u64,
    /// Quiescent nodes: nothing left to happen but optional events.
    pub quiescent: u64,
    /// The most events pending at one node.
    pub max_pending: usize,
    /// Nodes that broke a property.
    pub violations: u64,
}

/// What one exploration came to.
#[derive(Debug)]
pub struct Report {
    /// The scenario.
    pub scenario: Scenario,
    /// The depth bound (steps after the start).
    pub depth: usize,
    /// One row per depth, 0 to `depth`.
    pub rows: Vec<Row>,
    /// The first violation found: its path of choices and what broke.
    pub counterexample: Option<(Vec<Event>, String)>,
}

impl Report {
    /// The rows summed (the largest `max_pending`).
    pub fn total(&self) -> Row {
        self.rows.iter().fold(Row::default(), |a, r| Row {
            nodes: a.nodes + r.nodes,
            distinct: a.distinct + r.distinct,
            quiescent: a.quiescent + r.quiescent,
            max_pending: a.max_pending.max(r.max_pending),
            violations: a.violations + r.violations,
        })
    }
}

/// Explores every interleaving of `scenario` to `depth` steps.
pub fn explore(scenario: &Scenario, depth: usize) -> Report {
    let mut search = Search {
        scenario: scenario.clone(),
        depth,
        rows: vec![Row::default(); depth + 1],
        seen: HashMap::new(),
        counterexample: None,
    };
    let root = Model::new(scenario);
    search.visit(&mut Vec::new(), root);
    Report {
        scenario: scenario.clone(),
        depth,
        rows: search.rows,
        counterexample: search.counterexample,
    }
}

/// The world at the end of `path`; with `trace`, one line per step and output.
pub fn replay(scenario: &Scenario, path: &[Event], trace: bool) -> Model {
    let mut m = Model::new(scenario);
    if trace {
        m.trace = Some(Vec::new());
    }
    for e in path {
        m.apply(e);
    }
    m
}

struct Search {
    scenario: Scenario,
    depth: usize,
    rows: Vec<Row>,
    /// Fingerprints seen, with the most steps left when they were expanded.
    seen: HashMap<u64, usize>,
    counterexample: Option<(Vec<Event>, String)>,
}

impl Search {
    fn visit(&mut self, path: &mut Vec<Event>, m: Model) {
        let d = path.len();
        let row = &mut self.rows[d];
        row.nodes += 1;
        row.max_pending = row.max_pending.max(m.pending_count());
        if let Some(what) = check::node(&m) {
            return self.violation(path, what);
        }
        let left = self.depth - d;
        let key = fingerprint(&m);
        match self.seen.insert(key, left) {
            Some(l) if l >= left => {
                self.seen.insert(key, l);
                return;
            }
            Some(_) => {}
            None => self.rows[d].distinct += 1,
        }

        let enabled = m.enabled();
        if enabled.iter().all(|e| m.optional(e)) {
            self.rows[d].quiescent += 1;
            if let Some(what) = check::leaf(&m) {
                return self.violation(path, what);
            }
        }
        if left == 0 {
            return;
        }
        // The last child takes this node's world; the others rebuild it by replay.
        let n = enabled.len();
        let mut own = Some(m);
        for (i, e) in enabled.into_iter().enumerate() {
            let mut child = match own.take() {
                Some(m) if i + 1 == n => m,
                kept => {
                    own = kept;
                    replay(&self.scenario, path, false)
                }
            };
            child.apply(&e);
            path.push(e);
            self.visit(path, child);
            path.pop();
        }
    }

    fn violation(&mut self, path: &[Event], what: String) {
        self.rows[path.len()].violations += 1;
        if self.counterexample.is_none() {
            self.counterexample = Some((path.to_vec(), what));
        }
    }
}

/// A hash of `x` (the same in every run).
pub fn digest<T: Hash>(x: &T) -> u64 {
    let mut h = DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}

/// The world's fingerprint: the machines by their input histories, the rest as it is, with
/// what depends only on the order events were numbered in (request and answer numbers) left
/// out.
fn fingerprint(m: &Model) -> u64 {
    let tabs: Vec<_> = m
        .tabs
        .iter()
        .map(|t| (t.history, t.frozen, &t.calls, &t.done))
        .collect();
    let channel = format!("{:?}", m.channel);
    let mut pending: Vec<_> = m
        .pending
        .iter()
        .map(|(_, tab, a)| format!("{tab} {a:?}"))
        .collect();
    pending.sort();
    let mut reqs: Vec<_> = m.reqs.iter().map(|r| format!("{r:?}")).collect();
    reqs.sort();
    let locks: Vec<_> = ["", ":takeover", ":logout"]
        .iter()
        .map(|s| m.locks.holder(&[m.options.channel.as_str(), s].concat()))
        .collect();
    let s = &m.server;
    let server = (
        (s.current, s.revoked, s.reuse_detections, s.rotations),
        (s.refresh_requests, &s.newest_jwt, s.family, s.logouts),
    );
    let jar = (m.jar.refresh, &m.jar.cooldown, m.marker);
    let flags = (m.lost, m.stolen, m.logged_out, &m.broken, &m.presented);
    digest(&(
        (m.t, tabs, channel, pending, reqs),
        (locks, &m.queued, server, jar, flags),
    ))
}
