//! The election without Web Locks: the earliest claim on the channel refreshes, the others
//! wait for its token. Claims of silent tabs expire, so a closed tab never blocks the others.

use super::flight::Step;
use super::timer::Timer;
use super::{Machine, Now, Output};
use crate::core::coordination::wins_election;
use crate::core::protocol::Message;

/// How long claims are collected in each round of the election.
pub const ELECTION_WINDOW_MS: f64 = 50.0;
/// Rounds of the election: a winner of every round refreshes. A claim that a busy tab
/// delivered late still counts in the second, and the first round's winner reminds every late
/// claimant that it exists.
const ELECTION_ROUNDS: u8 = 2;

impl Machine {
    /// Runs the election for a token newer than the flight's.
    pub(super) fn elect(&mut self, now: Now) {
        if self.has_newer() {
            return self.finish(Ok(()));
        }
        if let Some(stale_at) = self.claims_stale_at(now) {
            // A peer is refreshing: wait for its token, or for its claim to end or to turn
            // stale (a frozen refresher is taken over after one bound, not two).
            let left = (stale_at - now.monotonic_ms).min(self.stale_bound_ms());
            self.set_step(Step::ElectWait);
            self.timers
                .set(Timer::Wait, now.monotonic_ms + left.max(0.0) + 1.0);
            return;
        }
        if let Some(f) = &mut self.flight {
            f.claim_at = Some(now.wall_ms);
            f.step = Step::ElectRound(0);
        }
        self.post_claim(now);
        self.timers
            .set(Timer::Wait, now.monotonic_ms + ELECTION_WINDOW_MS);
    }

    /// News while a peer's claim is live: its token came, or its claim ended.
    pub(super) fn elect_news(&mut self, now: Now) {
        if self.has_newer() {
            self.finish(Ok(()));
        } else if self.claims_stale_at(now).is_none() {
            self.timers.clear(Timer::Wait);
            self.elect(now);
        }
    }

    /// The end of round `round`: still the earliest claim?
    pub(super) fn elect_round(&mut self, round: u8, now: Now) {
        self.drop_stale_claims(now);
        let Some(mine) = self.my_claim() else { return };
        let others: alloc::vec::Vec<_> = self.claims.iter().map(|c| c.claim.clone()).collect();
        if wins_election(&mine, &others) {
            self.post_claim(now);
            if round + 1 < ELECTION_ROUNDS {
                self.set_step(Step::ElectRound(round + 1));
                self.timers
                    .set(Timer::Wait, now.monotonic_ms + ELECTION_WINDOW_MS);
                return;
            }
            if !self.has_newer() {
                return self.exclusive();
            }
        }
        if let Some(f) = &mut self.flight {
            f.claim_at = None;
        }
        self.out.push(Output::Post(Message::Released)); // our claim ends here
        self.elect(now);
    }
}
