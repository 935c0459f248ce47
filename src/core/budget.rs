//! The last line of defence against a refresh loop: a bound on refresh requests per window.
//!
//! Nothing in tokenrelay should ever refresh in a loop (a token due on arrival is taken as a
//! clock problem, see [`crate::core::claims`]), but a server that refuses the tokens it has
//! just issued, or a cause nobody foresaw, must still not turn every browser into a load test.
use alloc::vec::Vec;

use super::coordination::backoff_ms;

/// Most refresh requests one tab sends within [`WINDOW_MS`].
pub const MAX_REFRESHES_PER_WINDOW: usize = 10;
/// The window of the bound.
pub const WINDOW_MS: f64 = 10_000.0;

/// When this tab sent its recent refresh requests, and how often in a row it was held back.
///
/// The caller asks [`RefreshBudget::delay_ms`] once per refresh it wants, waits that long,
/// sends, and [`RefreshBudget::record`]s the send.
#[derive(Default)]
#[cfg_attr(any(test, not(target_arch = "wasm32")), derive(Debug))]
pub struct RefreshBudget {
    sent_ms: Vec<f64>,
    held_back: u32,
}

impl RefreshBudget {
    /// How long a refresh wanted at `now_ms` must wait: 0 within the bound; beyond it, until
    /// the oldest request leaves the window, and at least a backoff that doubles (1 s to
    /// 60 s) for as long as the pressure lasts: until a whole window passes between a
    /// request and the next wish to refresh.
    pub fn delay_ms(&mut self, now_ms: f64) -> f64 {
        let last_sent = self.sent_ms.last().copied();
        if last_sent.is_none_or(|at| now_ms - at >= WINDOW_MS || at > now_ms) {
            self.held_back = 0; // quiet for a window (or the clock was set back)
        }
        self.sent_ms
            .retain(|at| now_ms - at < WINDOW_MS && *at <= now_ms);
        if self.held_back == 0 && self.sent_ms.len() < MAX_REFRESHES_PER_WINDOW {
            return 0.0;
        }
        let until_free = if self.sent_ms.len() < MAX_REFRESHES_PER_WINDOW {
            0.0
        } else {
            self.sent_ms[self.sent_ms.len() - MAX_REFRESHES_PER_WINDOW] + WINDOW_MS - now_ms
        };
        let delay = until_free.max(backoff_ms(self.held_back));
        self.held_back = self.held_back.saturating_add(1);
        delay
    }

    /// Records a refresh request sent at `now_ms`.
    pub fn record(&mut self, now_ms: f64) {
        self.sent_ms.push(now_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends a refresh whenever allowed, as a loop would, for `ms`; returns the send times.
    fn hammer(budget: &mut RefreshBudget, from: f64, ms: f64) -> Vec<f64> {
        let mut now = from;
        let mut sent = Vec::new();
        while now < from + ms {
            now += budget.delay_ms(now);
            budget.record(now);
            sent.push(now);
            now += 3.0; // a request on loopback
        }
        sent
    }

    #[test]
    fn ordinary_refreshes_are_never_held_back() {
        let mut budget = RefreshBudget::default();
        for i in 0..1000 {
            let now = i as f64 * 1_500.0; // a token of 3 s refreshed at half its life
            assert_eq!(budget.delay_ms(now), 0.0, "{i}");
            budget.record(now);
        }
    }

    #[test]
    fn a_loop_is_bounded_per_window_and_backs_off() {
        let mut budget = RefreshBudget::default();
        let sent = hammer(&mut budget, 0.0, 600_000.0);
        // Never more than the bound in any window.
        for (i, at) in sent.iter().enumerate() {
            let in_window = sent[i..]
                .iter()
                .take_while(|t| **t - at < WINDOW_MS)
                .count();
            assert!(in_window <= MAX_REFRESHES_PER_WINDOW, "{in_window} at {at}");
        }
        // 280 a second before the bound; now a few a minute once the backoff has grown.
        assert!(sent.len() < 150, "{}", sent.len());
        let last_minute = sent.iter().filter(|t| **t > 540_000.0).count();
        assert!(last_minute <= MAX_REFRESHES_PER_WINDOW, "{last_minute}");
    }

    #[test]
    fn the_backoff_ends_with_the_pressure() {
        let mut budget = RefreshBudget::default();
        hammer(&mut budget, 0.0, 100_000.0);
        assert!(budget.held_back > 0);
        // A quiet window later, a refresh goes at once and the backoff starts over.
        let last = *budget.sent_ms.last().unwrap();
        assert_eq!(budget.delay_ms(last + WINDOW_MS), 0.0);
        assert_eq!(budget.held_back, 0);
    }

    #[test]
    fn a_clock_set_back_does_not_block_refreshes() {
        let mut budget = RefreshBudget::default();
        hammer(&mut budget, 7_200_000.0, 1_000.0);
        assert_eq!(budget.delay_ms(1_000.0), 0.0);
    }
}
