//! Models of what one browser shares between its tabs: the Web Lock manager and the cookie jar.

use std::collections::{HashMap, VecDeque};

use tokenrelay::core::machine::LockMode;

/// A lock request: the tab and the machine's request id.
pub type Holder = (usize, u32);

/// One lock name: its holder and its FIFO queue.
#[derive(Default)]
struct Lock {
    holder: Option<Holder>,
    queue: VecDeque<Holder>,
}

/// The Web Lock manager of the origin (exclusive locks only, as tokenrelay uses them).
#[derive(Default)]
pub struct Locks {
    locks: HashMap<String, Lock>,
}

/// What a request or a release changed: grants to deliver, and refusals.
#[derive(Default, Debug)]
pub struct LockEvents {
    /// Granted now.
    pub granted: Vec<Holder>,
    /// Refused now (`ifAvailable` on a held lock).
    pub refused: Vec<Holder>,
    /// A holder whose lock was stolen (the browser tells its callback's promise only).
    pub stolen: Vec<Holder>,
}

impl Locks {
    /// Asks for `name` in `mode` for `who`.
    pub fn request(&mut self, name: &str, mode: LockMode, who: Holder) -> LockEvents {
        let lock = self.locks.entry(name.to_owned()).or_default();
        let mut ev = LockEvents::default();
        match mode {
            LockMode::Wait => {
                if lock.holder.is_none() && lock.queue.is_empty() {
                    lock.holder = Some(who);
                    ev.granted.push(who);
                } else {
                    lock.queue.push_back(who);
                }
            }
            LockMode::IfAvailable => {
                if lock.holder.is_none() && lock.queue.is_empty() {
                    lock.holder = Some(who);
                    ev.granted.push(who);
                } else {
                    ev.refused.push(who);
                }
            }
            LockMode::Steal => {
                if let Some(old) = lock.holder.replace(who) {
                    ev.stolen.push(old);
                }
                ev.granted.push(who);
            }
        }
        ev
    }

    /// Releases the lock held by `who`, or withdraws its request; the next in line is granted.
    pub fn release(&mut self, who: Holder) -> LockEvents {
        let mut ev = LockEvents::default();
        for lock in self.locks.values_mut() {
            lock.queue.retain(|h| *h != who);
            if lock.holder == Some(who) {
                lock.holder = lock.queue.pop_front();
                ev.granted.extend(lock.holder);
            }
        }
        ev
    }

    /// A tab closed: every lock it held or asked for goes.
    pub fn close(&mut self, tab: usize) -> LockEvents {
        let mut ev = LockEvents::default();
        for lock in self.locks.values_mut() {
            lock.queue.retain(|h| h.0 != tab);
            if lock.holder.is_some_and(|h| h.0 == tab) {
                lock.holder = lock.queue.pop_front();
                ev.granted.extend(lock.holder);
            }
        }
        ev
    }

    /// Who holds `name`.
    pub fn holder(&self, name: &str) -> Option<Holder> {
        self.locks.get(name).and_then(|l| l.holder)
    }
}

/// The cookie jar: the HttpOnly refresh cookie and the page-readable cooldown cookie.
#[derive(Default)]
pub struct Jar {
    /// The refresh token the browser presents.
    pub refresh: Option<u64>,
    /// `name=value` of the cooldown cookie, as `document.cookie` shows it.
    pub cooldown: Option<String>,
}

impl Jar {
    /// `document.cookie` (the refresh cookie is HttpOnly: not in it).
    pub fn document_cookie(&self) -> String {
        self.cooldown.clone().unwrap_or_default()
    }

    /// A `document.cookie` assignment: keeps its `name=value` part.
    pub fn assign(&mut self, assignment: &str) {
        let pair = assignment.split(';').next().unwrap_or("").trim();
        self.cooldown = (!pair.is_empty()).then(|| pair.to_owned());
    }
}
