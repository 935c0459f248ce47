// The other tabs: the channel, what their messages do here, and asking them for a token.
/** @typedef {import("./index.js").Driver} Client */
import { error, g, later, monotonic, now } from "./base.js";
import { weakly } from "./resources.js";
import { changed, holdsValidToken, waitUntil, wakeWaiters } from "./state.js";

/** How long `start()` waits for an answer to its question before it refreshes. */
export const ASK_WAIT_MS = 100;
/** How often at most a tab answers questions with its token (a flood of forged questions must
 * not become a flood of answers). */
const ANSWER_EVERY_MS = 50;

// What the core writes (`say`) and reads (`heard`): src/api/mod.rs.
export const SAY_TOKEN = 0, SAY_ASK = 1, SAY_SIGNED_OUT = 2, SAY_CLAIM = 3, SAY_RELEASED = 4;
const NOTHING = 0, OLD_TOKEN = 1, TOKEN = 2, ASK = 3, SIGNED_OUT = 4, UNPROVEN_SIGN_OUT = 5, CLAIM = 7,
  RELEASED = 8;

/**
 * Opens the channel named by the `channel` option (none where BroadcastChannel is missing).
 * @param {Client} c
 */
export function openChannel(c) {
  try {
    const channel = new BroadcastChannel(c.cfg.channel);
    channel.onmessage = weakly(c, (client, event) => onMessage(client, event.data));
    c.res.channel = channel;
  } catch {
    // no channel: this tab coordinates with nobody
  }
}

/**
 * The message `what` (SAY_*) of this tab, to post now or later.
 * @param {Client} c
 * @param {number} what
 * @param {number} [at] when a claim was made (epoch ms)
 * @param {boolean} [expired] whether a sign-out is a rejected session (not a logout)
 */
export const message = (c, what, at = 0, expired = false) => c.core.post(what, c.tab, at, expired);

/**
 * Posts a message made by `message` to the other tabs.
 * @param {Client} c
 */
export function send(c, data) {
  if (c.res.channel && data !== undefined) c.res.channel.postMessage(data);
}

/**
 * Posts the message `what` (SAY_*) to the other tabs.
 * @param {Client} c
 * @param {number} what
 * @param {number} [at]
 * @param {boolean} [expired]
 */
export const post = (c, what, at, expired) => send(c, message(c, what, at, expired));

/**
 * Posts a claim: our live election claim if any, else a fresh liveness mark.
 * @param {Client} c
 */
export const postClaim = (c) => post(c, SAY_CLAIM, c.myClaim ? c.myClaim.at : now());

/**
 * The longest a live tab can stay silent while it refreshes (the machine's bound).
 * @param {Client} c
 */
export const staleBound = (c) => c.cfg.staleBound;

/**
 * Whether a peer last heard of at `seen` (monotonic ms) must be dead or frozen.
 * @param {Client} c
 */
export const isStale = (c, seen) => monotonic() > g.staleAt(seen, staleBound(c));

/**
 * Asks the other tabs for a token newer than the one held and waits up to `ms` for one. An
 * unanswered question is remembered: nobody had a newer token at that time.
 * @param {Client} c
 */
export async function ask(c, ms) {
  const askedAt = now();
  const before = c.core.order();
  post(c, SAY_ASK);
  const answered = await waitUntil(c, ms, () => holdsValidToken(c) && g.isLater(c.core.order(), before));
  if (!answered) c.core.unansweredAsk(askedAt);
  return answered || holdsValidToken(c);
}

/**
 * Live claims of other tabs (stale ones are dropped), and when the last was heard of.
 * @param {Client} c
 */
export function liveClaims(c) {
  let lastSeen;
  for (const [tab, claim] of c.peerClaims) {
    if (isStale(c, claim.seen)) c.peerClaims.delete(tab);
    else lastSeen = lastSeen === undefined ? claim.seen : Math.max(lastSeen, claim.seen);
  }
  return { claims: [...c.peerClaims.values()], lastSeen };
}

/**
 * When (monotonic ms) the live claims of other tabs all turn stale, if there are any.
 * @param {Client} c
 */
export function claimsStaleAt(c) {
  const { lastSeen } = liveClaims(c);
  return lastSeen === undefined ? undefined : g.staleAt(lastSeen, staleBound(c));
}

/**
 * Answers a question with the held token: at once, or when questions come faster than
 * ANSWER_EVERY_MS, once at the end of that interval for all of them.
 * @param {Client} c
 */
function answer(c) {
  if (!holdsValidToken(c) || c.res.answer !== undefined) return;
  const since = monotonic() - c.lastAnswer;
  if (since >= ANSWER_EVERY_MS) {
    c.lastAnswer = monotonic();
    post(c, SAY_TOKEN);
    return;
  }
  c.res.answer = later(Math.ceil(ANSWER_EVERY_MS - since), weakly(c, (client) => {
    client.res.answer = undefined;
    answer(client);
  }));
}

/**
 * What a message of another tab does here (the core validates it and takes a newer token).
 * @param {Client} c
 */
function onMessage(c, data) {
  const from = data !== null && typeof data === "object" ? data.from : undefined;
  if (from === c.tab) return;
  const heard = c.core.read(data, now());
  if (heard === NOTHING) return; // malformed
  if (heard === ASK) {
    answer(c);
    return;
  }
  if (heard === CLAIM) {
    const at = data.at;
    if (!g.claimIsPlausible(at, now(), staleBound(c))) return;
    c.peerClaims.delete(from);
    c.peerClaims.set(from, { at, tab: from, seen: monotonic() });
    // Remind a newcomer that an earlier claim exists, so that it waits.
    if (c.myClaim && g.beats(c.myClaim.at, c.myClaim.tab, at, from)) postClaim(c);
  } else {
    c.peerClaims.delete(from); // every other message (a bad token too) ends the sender's claim
    // A release is a sign of life too: the next holder of the lock starts now.
    if (heard === RELEASED) c.lastRelease = monotonic();
  }
  switch (heard) {
    case TOKEN:
      c.core.clearFailures();
      changed(c, true); // the core took it
      break;
    case OLD_TOKEN:
      c.core.clearFailures();
      break;
    case SIGNED_OUT:
      // The sender held our token: the session is over.
      c.core.fence();
      changed(c, c.core.signOut(data.expired ? error("session_expired") : undefined));
      break;
    case UNPROVEN_SIGN_OUT:
      // No proof of this session (a forged message, or a sender with another token): ask the
      // server. If the session is over the refresh is refused and this tab signs out.
      c.doubt();
      break;
  }
  wakeWaiters(c);
}
