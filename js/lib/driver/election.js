// Without Web Locks: the earliest claim on the channel refreshes, the others wait for its
// token. Claims of silent tabs expire, so a closed tab never blocks the others. The machine asks
// for an election (its output Elect) and refreshes if this tab wins. (Still JS: the spike of
// the machine covers the Web Locks path.)
/** @typedef {import("./index.js").Driver} Client */
import { g, now, sleep } from "./base.js";
import { waitUntil } from "./state.js";
import { claimsStaleAt, liveClaims, post, postClaim, staleBound, SAY_RELEASED } from "./peers.js";

/** How long claims are collected in each round of the election without Web Locks. */
const ELECTION_WINDOW_MS = 50;
/** Rounds of the election: a winner of every round refreshes. */
const ELECTION_ROUNDS = 2;

/**
 * Runs the election for a token newer than `before`; resolves with `[1, claimAt]` when this tab
 * won (its claim stays live until the machine's refresh ends), `[0]` when a newer token came.
 * @param {Client} c
 * @returns {Promise<[number, number?]>}
 */
export async function elect(c, before) {
  const hasNewer = () => g.isLater(c.core.order(), before);
  const bound = staleBound(c);
  for (;;) {
    if (c.disposed || hasNewer()) return [0];
    const staleAt = claimsStaleAt(c);
    if (staleAt !== undefined) {
      // A peer is refreshing: wait for its token, or for its claim to end or to turn stale
      // (a frozen refresher is taken over after one bound, not two).
      const untilStale = Math.max(Math.min(staleAt - performance.now(), bound), 0) + 1;
      await waitUntil(c, untilStale, () => hasNewer() || liveClaims(c).claims.length === 0);
      continue;
    }
    const mine = { at: now(), tab: c.tab };
    c.myClaim = mine;
    postClaim(c);
    // Two rounds: a claim that a busy tab delivered late still counts in the second, and the
    // first round's winner reminds every late claimant that it exists.
    let winning = true;
    for (let round = 0; round < ELECTION_ROUNDS && winning; round++) {
      await sleep(ELECTION_WINDOW_MS);
      winning = liveClaims(c).claims.every((o) => o.tab === mine.tab || g.beats(mine.at, mine.tab, o.at, o.tab));
      if (winning) postClaim(c);
    }
    if (winning && !hasNewer() && !c.disposed) return [1, mine.at];
    c.myClaim = null;
    post(c, SAY_RELEASED); // our claim ends here
  }
}
