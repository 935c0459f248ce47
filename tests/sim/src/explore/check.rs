//! The properties the explorer checks: after every step ([`observe`], [`node`]) and where no
//! event is left to happen ([`leaf`]).
//!
//! - No refresh token is presented to the server twice, and the server detects no reuse,
//!   unless a rotated answer was lost (a request aborted after the server processed it).
//! - At most one refresh request in flight, unless a tab stole the refresh lock.
//! - A tab's token order never goes back, except through a sign-out.
//! - No tab signs out while the server's session is live and nobody logged out.
//! - At a quiescent leaf: every call settled, no flight under way, and both tabs hold the
//!   server's newest token, or both are signed out of a session the server ended; after a
//!   logout, both are signed out and the server was told or the durable marker says it must be.

use tokenrelay::core::Status;

use super::model::{Model, Stage};
use crate::server::Verdict;

/// Notes what the tabs hold after a step, and the first property it broke.
pub fn observe(m: &mut Model) {
    let live = live(m);
    for i in 0..m.tabs.len() {
        let tab = &m.tabs[i];
        let order = tab.machine.session.token().map(|t| t.order_ms);
        let status = tab.machine.session.status();
        let (last, last_status) = tab.last;
        let broken = match (order, last) {
            (Some(o), Some(l)) if o < l && status != Status::SignedOut => {
                Some(format!("tab{i}'s token order went back from {l} to {o}"))
            }
            _ if status == Status::SignedOut
                && last_status != Status::SignedOut
                && live
                && !m.logged_out =>
            {
                Some(format!(
                    "tab{i} signed out while the server's session is live"
                ))
            }
            _ => None,
        };
        let kept = if status == Status::SignedOut {
            None
        } else {
            order.or(last)
        };
        m.tabs[i].last = (kept, status);
        if m.broken.is_none() {
            m.broken = broken;
        }
    }
}

/// Whether the server's session goes on and the browser holds its refresh token.
fn live(m: &Model) -> bool {
    !m.server.session_over() && m.jar.refresh == m.server.current
}

/// The properties of every node: the first broken one.
pub fn node(m: &Model) -> Option<String> {
    if let Some(broken) = &m.broken {
        return Some(broken.clone());
    }
    // A rotated answer whose headers have not reached the browser within `requestTimeoutMs`
    // is lost for the protocol: every tab may take the holder for dead (the random simulator's
    // lost answers).
    let timeout = m.options.request_timeout_ms as u64;
    let late = m.reqs.iter().any(|r| {
        matches!(r.verdict, Some(Verdict::Rotated { .. }))
            && r.stage == Stage::Answered
            && m.t > r.sent_at + timeout
    });
    if !m.lost && !late {
        if let Some((token, n)) = m.presented.iter().find(|(_, n)| **n > 1) {
            return Some(format!("refresh token {token} presented {n} times"));
        }
        if m.server.reuse_detections > 0 {
            return Some("the server detected reuse".into());
        }
    }
    let flying = m.reqs.iter().filter(|r| r.in_flight()).count();
    if flying > 1 && !m.stolen {
        return Some(format!(
            "{flying} refresh requests in flight without a steal"
        ));
    }
    None
}

/// The properties of a node where nothing is left to happen: the first broken one.
/// Whether `jwt` will do: the server's newest token, or (after an answer lost on the way)
/// another token of the live login while the browser holds the login's current refresh
/// cookie, so the next refresh, when the token is due, brings the newest.
fn current(m: &Model, jwt: Option<&str>, newest: Option<&str>) -> bool {
    let of_live_login = jwt.is_some_and(|j| m.server.is_live(j));
    let cookie = m.jar.refresh.is_some_and(|r| m.server.holds(r));
    jwt == newest || (of_live_login && cookie)
}

pub fn leaf(m: &Model) -> Option<String> {
    let live = live(m);
    let newest = m.server.newest_jwt.as_deref();
    for (i, tab) in m.tabs.iter().enumerate() {
        let status = tab.machine.session.status();
        let jwt = tab.machine.session.token().map(|t| t.jwt.as_str());
        if let Some(call) = tab.calls.iter().next() {
            return Some(format!("tab{i}'s call {call} never settled"));
        }
        if tab.machine.flying() {
            return Some(format!("tab{i} still has a refresh under way"));
        }
        if m.logged_out {
            // Signed out everywhere at once; the server told, or the marker says it must be.
            if status != Status::SignedOut {
                let what = status.as_str();
                return Some(format!("tab{i} ends {what} after a logout"));
            }
            if live && m.marker.is_none() {
                return Some("the server's session outlives the logout, unmarked".into());
            }
        } else if live && (status == Status::SignedOut || !current(m, jwt, newest)) {
            let what = status.as_str();
            return Some(format!(
                "tab{i} ends {what} without a token of the live session and its cookie"
            ));
        } else if !live && !m.lost && status != Status::SignedOut {
            let what = status.as_str();
            return Some(format!("tab{i} ends {what} though the session is over"));
        }
    }
    None
}
