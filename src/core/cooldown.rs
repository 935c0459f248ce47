//! The cooldown cookie: when the last successful refresh of this browser happened.
//!
//! Format (a contract that server middleware may read and write): `<name>=<epoch ms>`, the
//! value a decimal integer of milliseconds since the Unix epoch, set with `Path=/` and
//! `SameSite=Lax`, not HttpOnly, no secret in it. A refresh younger than `cooldownMs` is not
//! repeated; the tab waits for the new token on the channel instead.
use super::float::floor;
use alloc::string::String;

use super::text::{concat, decimal, split, split_once};

/// The values of the cookies named `name` in a `document.cookie` string, in its order (a
/// name can appear more than once, set on different paths or domains).
pub fn cookie_values<'a>(cookie_header: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> {
    split(cookie_header, b';').filter_map(move |pair| {
        let (k, v) = split_once(pair.trim_ascii(), b'=')?;
        (k.trim_ascii() == name).then(|| v.trim_ascii())
    })
}

/// Reads the cooldown stamp named `name` out of a `document.cookie` string.
///
/// Returns `None` when the cookie is absent or its value is not a non-negative integer.
pub fn read_stamp(cookie_header: &str, name: &str) -> Option<f64> {
    cookie_values(cookie_header, name).find_map(|v| {
        if v.is_empty() || v.len() > 16 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        v.parse::<u64>().ok().map(|ms| ms as f64)
    })
}

/// The `document.cookie` assignment that records a refresh at `at_ms`.
pub fn write_stamp(name: &str, at_ms: f64, max_age_secs: u32) -> String {
    let ms = decimal(floor(at_ms.max(0.0)) as u64);
    let max_age = decimal(max_age_secs.into());
    concat(&[
        name,
        "=",
        &ms,
        "; Path=/; Max-Age=",
        &max_age,
        "; SameSite=Lax",
    ])
}

/// Whether a refresh stamped at `stamp_ms` is still within the cooldown at `now_ms`.
///
/// A stamp in the future (another clock, or a tampered cookie) counts as fresh only up to
/// the cooldown, so it can never block refreshes for longer than `cooldown_ms`.
pub fn is_cooling(stamp_ms: Option<f64>, now_ms: f64, cooldown_ms: f64) -> bool {
    stamp_ms.is_some_and(|s| (now_ms - s).abs() < cooldown_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_cookie_among_others() {
        let header = "a=1; lastTokenRefresh=1700000000123; theme=dark";
        assert_eq!(
            read_stamp(header, "lastTokenRefresh"),
            Some(1_700_000_000_123.0)
        );
        assert_eq!(read_stamp(header, "theme"), None);
        assert_eq!(read_stamp("", "lastTokenRefresh"), None);
        assert_eq!(read_stamp("xlastTokenRefresh=5", "lastTokenRefresh"), None);
    }

    #[test]
    fn malformed_values_are_ignored() {
        for v in ["", "-5", "12a", "1e9", "99999999999999999999", "1.5"] {
            assert_eq!(read_stamp(&format!("c={v}"), "c"), None, "{v}");
        }
    }

    #[test]
    fn written_cookie_round_trips() {
        let set = write_stamp("lastTokenRefresh", 1_700_000_000_123.7, 60);
        assert_eq!(
            set,
            "lastTokenRefresh=1700000000123; Path=/; Max-Age=60; SameSite=Lax"
        );
        let pair = set.split(';').next().unwrap();
        assert_eq!(
            read_stamp(pair, "lastTokenRefresh"),
            Some(1_700_000_000_123.0)
        );
    }

    #[test]
    fn cooldown_window() {
        assert!(is_cooling(Some(1000.0), 5999.0, 5000.0));
        assert!(!is_cooling(Some(1000.0), 6000.0, 5000.0));
        assert!(!is_cooling(None, 0.0, 5000.0));
        assert!(!is_cooling(Some(1000.0), 2000.0, 0.0));
        // A stamp far in the future never blocks for long.
        assert!(!is_cooling(Some(1e15), 1000.0, 5000.0));
    }
}
