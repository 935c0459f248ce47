//! The invariants, checked after every event ([`Checker::step`]) and at the end
//! ([`Checker::finish`]).
//!
//! 1. No refresh token is presented twice (server reuse detections = 0), unless the world lost
//!    a rotated answer; then the session ends everywhere.
//! 2. No tab signs out while the server still holds its session (one not logged out, its
//!    refresh token not rejected).
//! 3. Every call settles within `3 x requestTimeoutMs + 2 x latency + 5 s` once faults stop
//!    (none older pending at the end), and no tab is left in `unknown`.
//! 4. Every open tab ends holding a valid token of the live session, or signed out of a dead
//!    one.
//! 5. No loop: at most 10 refresh requests per tab in any 10 s, and no busy loop (at most
//!    100,000 events at one instant, 300,000 in a world).
//! 6. At most one refresh request in flight per browser, except after a takeover (`steal`),
//!    while a holder is frozen, or past `requestTimeoutMs`.
//! 7. A tab's token order never goes back except through a sign-out, and after a sign-out it
//!    takes no token of the ended session (one not newer than the token it dropped).

use std::collections::HashMap;
use std::fmt;

use tokenrelay::core::Status;

use crate::world::World;

/// One broken invariant.
#[derive(Clone, Debug)]
pub struct Violation {
    /// Which (1 to 7, as listed in this module).
    pub invariant: u8,
    /// Sim ms when it was seen.
    pub at: u64,
    /// What was seen.
    pub what: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invariant {} at {} ms: {}",
            self.invariant, self.at, self.what
        )
    }
}

/// What the checks remember between steps.
#[derive(Default)]
pub struct Checker {
    /// A rotated answer never reached the browser (lost, or aborted after rotation).
    pub lost_rotation: bool,
    /// When a tab last stole the lock.
    pub stolen_at: Option<u64>,
    /// Tabs whose lock was stolen (taken over while frozen or slow): their refresh may overlap
    /// the stealer's.
    pub stolen_from: std::collections::HashSet<usize>,
    last: HashMap<usize, (Option<f64>, Status)>,
    /// Per tab, the last token it held.
    jwt: HashMap<usize, String>,
    /// Per tab, the order of the token it dropped at its last sign-out.
    dropped: HashMap<usize, (f64, Option<u64>)>,
    /// Per tab signed out by a logout (its own or another tab's), the login it left.
    left: HashMap<usize, u64>,
    found: Vec<Violation>,
}

impl Checker {
    fn flag(&mut self, invariant: u8, at: u64, what: String) {
        if self
            .found
            .iter()
            .filter(|v| v.invariant == invariant)
            .count()
            < 3
        {
            self.found.push(Violation {
                invariant,
                at,
                what,
            });
        }
    }

    /// Time stopped moving: events without end at one instant (a busy loop).
    pub fn busy_loop(&mut self, at: u64) {
        self.flag(
            5,
            at,
            "a busy loop: events without end (at one instant, or 300,000 in one world)".into(),
        );
    }

    /// The checks after one event.
    pub fn step(&mut self, w: &World) {
        let t = w.t;
        for (i, tab) in w.tabs.iter().enumerate() {
            if !tab.open {
                continue;
            }
            let order = tab.token().map(|k| k.order_ms);
            let status = tab.machine.session.status();
            let (last_order, last_status) = self
                .last
                .get(&i)
                .copied()
                .unwrap_or((None, Status::Unknown));
            let held = self.jwt.get(&i).cloned();
            if let Some(jwt) = tab.token().map(|k| k.jwt.clone()) {
                self.jwt.insert(i, jwt);
            }
            // A session ended for unreadable answers is ended by design (a server that answers
            // a success without a token three times in a row).
            let unreadable = tab.machine.session.error().map(|e| e.code()) == Some("bad_response");
            if status == Status::SignedOut
                && last_status != Status::SignedOut
                && held.as_deref().is_some_and(|jwt| w.server.is_live(jwt))
                && !w.session_over() // the browser still holds the session's refresh cookie
                && !w.logged_out
                && !unreadable
            {
                self.flag(
                    2,
                    t,
                    format!(
                        "tab{i} signed out while the server holds the session: {:?}",
                        tab.machine
                    ),
                );
            }
            if status == Status::SignedOut && last_status != Status::SignedOut {
                let family = held.as_deref().and_then(|jwt| w.server.family(jwt));
                if let Some(l) = last_order {
                    self.dropped.insert(i, (l, family));
                }
                if let (true, Some(family)) = (w.logged_out, family) {
                    self.left.insert(i, family);
                }
            }
            let family = tab.token().and_then(|k| w.server.family(&k.jwt));
            let held_family = held.as_deref().and_then(|jwt| w.server.family(jwt));
            if let (Some(o), Some(l)) = (order, last_order) {
                // Within one login (a later login's token may be ordered lower: the clock
                // went back).
                if o < l && family == held_family {
                    let what = format!("tab{i}'s token order went back from {l} to {o}");
                    self.flag(7, t, what);
                }
            }
            if family.is_some() && family == self.left.get(&i).copied() {
                // A refresh that crossed the logout handed its token over: the session would
                // come back in a tab the user logged out of.
                let what = format!("tab{i} took a token of the login it logged out of");
                self.flag(7, t, what);
                self.left.remove(&i);
            }
            if let (Some(o), Some((d, left))) = (order, self.dropped.get(&i)) {
                // A later login's token may be ordered lower (the clock went back): only a
                // token of the login it left counts.
                if o <= *d && family == *left {
                    let what = format!("tab{i} took a token of the session it left ({o} <= {d})");
                    self.flag(7, t, what);
                }
            }
            let kept = if status == Status::SignedOut {
                None
            } else {
                order.or(last_order)
            };
            self.last.insert(i, (kept, status));
            let recent = tab.sent.iter().filter(|s| **s + 10_000 > t).count();
            if recent > 10 {
                self.flag(
                    5,
                    t,
                    format!("tab{i} sent {recent} refresh requests within 10 s"),
                );
            }
        }
        let bound = w.params.request_timeout_ms;
        let flying: Vec<_> = w
            .reqs
            .iter()
            .filter(|r| r.is_refresh() && r.in_flight && !r.aborted)
            .collect();
        if flying.len() > 1 {
            let takeover = self
                .stolen_at
                .is_some_and(|s| s + 2 * bound + 2 * w.params.latency_ms + 1_000 > t);
            let slow = flying.iter().any(|r| r.sent_at + bound <= t);
            let frozen = w.tabs.iter().any(|k| k.frozen);
            let overtaken = flying.iter().any(|r| self.stolen_from.contains(&r.tab()));
            if !takeover && !slow && !frozen && !overtaken {
                self.flag(6, t, format!("{} refresh requests in flight", flying.len()));
            }
        }
    }

    /// The checks at the end of the run.
    pub fn finish(mut self, w: &World) -> Vec<Violation> {
        let t = w.t;
        if w.server.reuse_detections > 0 && !self.lost_rotation {
            self.flag(
                1,
                t,
                format!(
                    "{} reuse detections without a lost answer",
                    w.server.reuse_detections
                ),
            );
        }
        for (i, tab) in w.tabs.iter().enumerate() {
            if !tab.open {
                continue;
            }
            // A call still pending at the end is late only past the bound: the longest wait
            // for a stale holder, then its own request, with the network's latency.
            let bound = 3 * w.params.request_timeout_ms + 2 * w.params.latency_ms + 5_000;
            if let Some((call, since)) = tab.calls.iter().find(|(_, since)| **since + bound < t) {
                self.flag(
                    3,
                    t,
                    format!("tab{i}'s call {call} (since {since} ms) never settled"),
                );
            }
            let status = tab.machine.session.status();
            if status == Status::Unknown {
                self.flag(3, t, format!("tab{i} is still unknown: {:?}", tab.machine));
            }
            let now = w.now(i);
            let valid = tab.holds_valid(now);
            if let Some(token) = tab.token() {
                if status != Status::SignedOut
                    && !w.session_over()
                    && !w.server.is_live(&token.jwt)
                    && valid
                {
                    self.flag(
                        4,
                        t,
                        format!("tab{i} holds a token of a login that was logged out"),
                    );
                }
            }
            if w.session_over() {
                if status != Status::SignedOut && tab.due(now) {
                    self.flag(
                        4,
                        t,
                        format!("tab{i} is {} though the session is over", status.as_str()),
                    );
                }
            } else if !(valid || w.logged_out && status == Status::SignedOut) {
                self.flag(
                    4,
                    t,
                    format!(
                        "tab{i} ends {} without a valid token of the live session",
                        status.as_str()
                    ),
                );
            }
        }
        self.found
    }
}
