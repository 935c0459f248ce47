//! The bound on login attempts: failed logins counted per email and per client IP in a
//! sliding window; past the bound, logins answer 429 with `Retry-After` until the oldest
//! failure leaves the window.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// How many failed logins are allowed in a window (0 turns a bound off).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoginLimit {
    /// Failed logins allowed per email within `window`.
    pub per_email: u32,
    /// Failed logins allowed per client IP within `window` (all emails together).
    pub per_ip: u32,
    /// Length of the sliding window.
    pub window: Duration,
}

impl Default for LoginLimit {
    /// 10 failures per email and 100 per IP in 5 minutes: enough for people who mistype,
    /// far too few for guessing.
    fn default() -> Self {
        Self {
            per_email: 10,
            per_ip: 100,
            window: Duration::from_secs(300),
        }
    }
}

/// Emails longer than this are never valid accounts: they count against the IP only.
const MAX_EMAIL_KEY_LEN: usize = 200;

/// Failure times of each key, pruned to the window.
struct Failures<K> {
    by_key: HashMap<K, VecDeque<Instant>>,
    /// Size at which stale keys are swept (keeps memory bounded under a spray of keys).
    sweep_at: usize,
}

impl<K: Hash + Eq> Default for Failures<K> {
    fn default() -> Self {
        Self {
            by_key: HashMap::new(),
            sweep_at: 1024,
        }
    }
}

impl<K: Hash + Eq> Failures<K> {
    /// How long until `key` may try again, if it is at the bound.
    fn wait(&mut self, key: &K, max: u32, window: Duration, now: Instant) -> Option<Duration> {
        if max == 0 {
            return None;
        }
        let times = self.by_key.get_mut(key)?;
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            times.pop_front();
        }
        if times.len() < max as usize {
            return None;
        }
        let oldest = *times.front()?;
        Some(window.saturating_sub(now.duration_since(oldest)))
    }

    fn record(&mut self, key: K, max: u32, window: Duration, now: Instant) {
        if max == 0 {
            return;
        }
        let times = self.by_key.entry(key).or_default();
        times.push_back(now);
        // Only the newest `max` failures can ever matter.
        while times.len() > max as usize {
            times.pop_front();
        }
        if self.by_key.len() >= self.sweep_at {
            self.by_key
                .retain(|_, t| t.back().is_some_and(|t| now.duration_since(*t) < window));
            self.sweep_at = (self.by_key.len() * 2).max(1024);
        }
    }
}

/// Failed-login bookkeeping of one server.
#[derive(Default)]
pub struct LoginThrottle {
    limit: LoginLimit,
    emails: Failures<String>,
    ips: Failures<IpAddr>,
}

impl LoginThrottle {
    /// An empty throttle enforcing `limit`.
    pub fn new(limit: LoginLimit) -> Self {
        Self {
            limit,
            ..Self::default()
        }
    }

    /// `Err(retry_after)` when `email` or `ip` is at its bound: the attempt must not be
    /// checked at all (a correct password is refused too, or the bound would not bound
    /// guessing). A refused attempt is not counted as a failure.
    pub fn check(&mut self, email: &str, ip: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let LoginLimit {
            per_email,
            per_ip,
            window,
        } = self.limit;
        let by_email = email_key(email).and_then(|e| self.emails.wait(&e, per_email, window, now));
        let by_ip = ip.and_then(|ip| self.ips.wait(&ip, per_ip, window, now));
        match by_email.max(by_ip) {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    /// Records a failed login of `email` from `ip`.
    pub fn failed(&mut self, email: &str, ip: Option<IpAddr>, now: Instant) {
        let window = self.limit.window;
        if let Some(key) = email_key(email) {
            self.emails.record(key, self.limit.per_email, window, now);
        }
        if let Some(ip) = ip {
            self.ips.record(ip, self.limit.per_ip, window, now);
        }
    }

    /// A successful login of `email` forgets that email's failures (not the IP's: an
    /// attacker with an account of their own must not reset the IP bound by logging in).
    pub fn succeeded(&mut self, email: &str) {
        if let Some(key) = email_key(email) {
            self.emails.by_key.remove(&key);
        }
    }
}

fn email_key(email: &str) -> Option<String> {
    let key = email.trim().to_ascii_lowercase();
    (key.len() <= MAX_EMAIL_KEY_LEN).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    fn throttle(per_email: u32, per_ip: u32) -> LoginThrottle {
        LoginThrottle::new(LoginLimit {
            per_email,
            per_ip,
            window: Duration::from_secs(60),
        })
    }

    #[test]
    fn email_at_its_bound_waits_until_the_oldest_failure_leaves_the_window() {
        let mut t = throttle(3, 0);
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(t.check("a@x", IP, t0), Ok(()));
            t.failed("A@x ", IP, t0 + Duration::from_secs(i));
        }
        let at = t0 + Duration::from_secs(10);
        assert_eq!(t.check("a@x", IP, at), Err(Duration::from_secs(50)));
        assert_eq!(t.check("b@x", IP, at), Ok(()), "other emails are not bound");
        assert_eq!(t.check("a@x", IP, t0 + Duration::from_secs(60)), Ok(()));
    }

    #[test]
    fn ip_bound_counts_every_email() {
        let mut t = throttle(0, 2);
        let now = Instant::now();
        t.failed("a@x", IP, now);
        t.failed("b@x", IP, now);
        assert!(t.check("c@x", IP, now).is_err());
        assert_eq!(
            t.check("c@x", None, now),
            Ok(()),
            "unknown peer: email bound only"
        );
    }

    #[test]
    fn success_forgets_the_email_but_not_the_ip() {
        let mut t = throttle(2, 3);
        let now = Instant::now();
        t.failed("a@x", IP, now);
        t.failed("a@x", IP, now);
        t.succeeded("a@x");
        assert_eq!(t.check("a@x", None, now), Ok(()));
        t.failed("b@x", IP, now);
        assert!(t.check("z@x", IP, now).is_err());
    }

    #[test]
    fn zero_turns_the_bounds_off_and_sprayed_keys_are_swept() {
        let mut t = throttle(0, 0);
        let now = Instant::now();
        for _ in 0..100 {
            t.failed("a@x", IP, now);
        }
        assert_eq!(t.check("a@x", IP, now), Ok(()));
        let mut t = throttle(1, 0);
        for i in 0..5000 {
            t.failed(&format!("u{i}@x"), None, now + Duration::from_secs(i));
        }
        assert!(t.emails.by_key.len() < 1100, "{}", t.emails.by_key.len());
    }
}
