// One refresh for the whole browser: single flight in the tab, Web Locks (or an election on the
// channel) across tabs, the cooldown stamp, and adoption of a peer's token.
/** @typedef {import("./index.js").Driver} Client */
import { checkAlive, error, g, monotonic, now, settledWithin, sleep } from "./base.js";
import { authCall, REFRESH } from "./http.js";
import * as locks from "./locks.js";
import { logoutPending } from "./logout.js";
import { changed, join, news, waitUntil } from "./state.js";
import {
  ask, claimsStaleAt, isStale, liveClaims, message, post, postClaim, send, staleBound,
  PEER_WAIT_MS, SAY_RELEASED, SAY_SIGNED_OUT, SAY_TOKEN,
} from "./peers.js";

/** A call needs a token now (expired, or a 401). */
export const DEMAND = 0;
/** The timer or a page event found the token due: never queue behind another tab. */
export const PROACTIVE = 1;

/** How long claims are collected in each round of the election without Web Locks. */
const ELECTION_WINDOW_MS = 50;
/** Rounds of the election: a winner of every round refreshes. */
const ELECTION_ROUNDS = 2;
/** How often a tab waiting for the lock checks for a newer token or a stale holder. */
const LOCK_POLL_MS = 250;

// planRefresh and afterRejection answers (src/api/decide.rs).
const USE_HELD = 0, WAIT_FOR_PEER = 1;
const ADOPT_NEWER = 0;

/**
 * Refreshes once for every caller in this tab (joins the flight under way, if any).
 * @param {Client} c
 */
export async function refresh(c, reason) {
  checkAlive(c);
  const before = c.core.order();
  return join(c, "flight", () => coordinated(c, before, reason));
}

/**
 * Whether the token held now is newer than the one of order `before`.
 * @param {Client} c
 */
const hasNewer = (c, before) => g.isLater(c.core.order(), before);

/**
 * After a 401 for a request sent with the token of order `used`: refresh, unless a newer token
 * arrived meanwhile (then the caller just retries with it).
 * @param {Client} c
 */
export async function refreshAfter401(c, used) {
  if (hasNewer(c, used)) return;
  return refresh(c, DEMAND);
}

/** @param {Client} c */
async function coordinated(c, before, reason) {
  const generation = c.generation;
  // The last line of defence against a loop: a bound on requests per window.
  const delay = c.core.budgetDelay(monotonic());
  if (delay > 0 && (await waitUntil(c, delay, () => hasNewer(c, before)))) return;
  checkAlive(c);
  if (!c.cfg.useWebLocks || !locks.available()) return elected(c, before, generation);
  const held = await acquireLock(c, before, reason);
  if (!held) return;
  try {
    return await refreshExclusive(c, before, generation);
  } finally {
    post(c, SAY_RELEASED); // our claims end here
    held.release();
  }
}

/**
 * Takes the exclusive Web Lock named after `channel`; resolves with `{ release }`, or null when
 * a newer token arrived while waiting, so no lock is needed.
 *
 * A holder silent longer than a live tab can be is taken over (`steal`) by exactly one waiter:
 * the one that gets the takeover lock `<channel>:takeover`, which it holds until its refresh
 * ends, so that no other waiter takes over from it. The others go on waiting, and find the new
 * token when their turn comes.
 * @param {Client} c
 */
async function acquireLock(c, before, reason) {
  const name = c.cfg.channel;
  if (reason === PROACTIVE) {
    const held = await locks.take(name, locks.IF_AVAILABLE);
    if (held) return held;
    // Another tab is refreshing: its token comes on the channel.
    if (await waitUntil(c, staleBound(c), () => hasNewer(c, before))) return null;
  }
  const waitingSince = monotonic();
  for (;;) {
    const pending = locks.request(name, locks.WAIT);
    if (!pending) throw locks.unavailable();
    try {
      for (;;) {
        // Wakes on the grant, on news from the tabs (or dispose), or to poll.
        await settledWithin(Promise.race([pending.granted, news(c)]), LOCK_POLL_MS);
        if (pending.settled) {
          const held = await locks.granted(pending);
          if (held) return held;
          break; // stolen or aborted: ask again
        }
        checkAlive(c);
        if (hasNewer(c, before)) return null; // the request is withdrawn below
        const { lastSeen } = liveClaims(c);
        if (!isStale(c, Math.max(lastSeen ?? waitingSince, waitingSince))) continue;
        // The holder has been silent longer than a live tab can be: one waiter takes over.
        const takeover = await locks.take(`${name}:takeover`, locks.IF_AVAILABLE);
        if (!takeover) continue; // another waiter is taking over
        if (hasNewer(c, before)) {
          takeover.release();
          return null;
        }
        locks.withdraw(pending);
        const stolen = await locks.take(name, locks.STEAL).catch((e) => {
          takeover.release();
          throw e;
        });
        if (stolen) {
          return {
            release() {
              stolen.release();
              takeover.release();
            },
          };
        }
        takeover.release();
        break; // stolen in turn: ask again
      }
    } finally {
      locks.withdraw(pending);
    }
  }
}

/**
 * Without Web Locks: the earliest claim on the channel refreshes, the others wait for its
 * token. Claims of silent tabs expire, so a closed tab never blocks the others.
 * @param {Client} c
 */
async function elected(c, before, generation) {
  const bound = staleBound(c);
  for (;;) {
    checkAlive(c);
    if (hasNewer(c, before)) return;
    const staleAt = claimsStaleAt(c);
    if (staleAt !== undefined) {
      // A peer is refreshing: wait for its token, or for its claim to end or to turn stale
      // (a frozen refresher is taken over after one bound, not two).
      const untilStale = Math.max(Math.min(staleAt - monotonic(), bound), 0) + 1;
      await waitUntil(c, untilStale, () => hasNewer(c, before) || liveClaims(c).claims.length === 0);
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
    try {
      if (winning && !hasNewer(c, before)) return await refreshExclusive(c, before, generation);
    } finally {
      c.myClaim = null;
      post(c, SAY_RELEASED); // our claim ends here
    }
  }
}

/**
 * Holding the right to refresh: use a newer token if one exists, wait for a peer's token if the
 * cooldown stamp says it is coming, else send the refresh request.
 * @param {Client} c
 */
async function refreshExclusive(c, before, generation) {
  const stamp = () => c.core.stamp(cookies());
  const plan = g.planRefresh(before, c.core.order(), stamp(), c.unansweredAsk, now(), c.cfg.cooldownMs);
  if (plan === USE_HELD) return;
  if (plan === WAIT_FOR_PEER) {
    // The refresher posted its token before it released the lock: it is on its way, and any
    // tab holding it answers the question at once.
    postClaim(c);
    if ((await ask(c, PEER_WAIT_MS)) && hasNewer(c, before)) return;
  }
  if (c.generation !== generation) throw error("not_signed_in"); // signed out while we waited
  if (logoutPending(c)) {
    // Logged out in some tab, and the server not told yet: the cookie must not sign back in.
    changed(c, c.core.signOut(undefined));
    throw error("not_signed_in");
  }
  postClaim(c);
  changed(c, c.core.beginRefresh());
  const sentAt = now();
  c.core.budgetRecord(monotonic());
  let received, failure;
  try {
    received = await authCall(c, REFRESH);
  } catch (e) {
    failure = e;
  }
  if (c.disposed || c.generation !== generation) {
    received?.free();
    checkAlive(c);
    // Signed out meanwhile (logout here or in another tab): do not sign back in.
    changed(c, c.core.endRefresh());
    throw error("not_signed_in");
  }
  if (received) {
    writeCookie(c.core.stampCookie(received.at));
    c.failures = 0;
    changed(c, c.core.signIn(received));
    post(c, SAY_TOKEN);
    return;
  }
  if (failure?.code === "session_expired") {
    const rejection = g.afterRejection(before, c.core.order(), stamp(), sentAt);
    if (rejection === ADOPT_NEWER) {
      changed(c, c.core.endRefresh());
      return;
    }
    if (rejection === WAIT_FOR_PEER && (await ask(c, PEER_WAIT_MS)) && hasNewer(c, before)) {
      changed(c, c.core.endRefresh());
      return;
    }
    sessionOver(c, before);
    throw failure;
  }
  c.failures++;
  changed(c, c.core.fail(failure));
  throw failure;
}

/**
 * The refresh token was rejected: sign out here and, if a session existed, everywhere.
 * @param {Client} c
 */
function sessionOver(c, before) {
  c.generation++;
  const hadSession = before !== undefined || c.core.order() !== undefined;
  // The proof that this tab held the session's token goes with the message: made before the
  // token is dropped.
  const signedOut = hadSession ? message(c, SAY_SIGNED_OUT, 0, true) : undefined;
  changed(c, c.core.signOut(hadSession ? error("session_expired") : undefined));
  if (hadSession) send(c, signedOut);
  else post(c, SAY_RELEASED);
}

/** The page's `document.cookie` ("" where there is no document). */
function cookies() {
  return typeof document === "undefined" ? "" : String(document.cookie);
}

/** Assigns one cookie; failures (sandboxed documents) are ignored: the cooldown is an
 * optimisation, never a requirement. */
function writeCookie(assignment) {
  try {
    document.cookie = assignment;
  } catch {
    // ignored
  }
}
