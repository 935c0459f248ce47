// The durable logout: a logout the server has not confirmed is remembered by a marker in the
// origin's localStorage (`<channel>:logoutPending`, holding only the time it was asked, never a
// token). While it is there no tab restores or refreshes the session, and the logout request is
// sent again, by one tab at a time, when a page starts or comes online, until the server
// answers it.
/** @typedef {import("./index.js").Driver} Client */
import { g, later, now } from "./base.js";
import { postAuth, LOGOUT } from "./http.js";
import * as locks from "./locks.js";

/** @param {Client} c */
const key = (c) => `${c.cfg.channel}:logoutPending`;

/** The origin's localStorage, or undefined where the page may not use it. */
function storage() {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined; // storage disabled: the marker lives in this page only
  }
}

/**
 * Whether a logout waits for the server's answer (in any tab of the origin).
 * @param {Client} c
 */
export function logoutPending(c) {
  const store = storage();
  if (store) {
    try {
      return store.getItem(key(c)) !== null;
    } catch {
      // unreadable: this page's own memory decides
    }
  }
  return c.logoutPending;
}

/**
 * Sets (`pending`) or clears the marker.
 * @param {Client} c
 * @param {boolean} pending
 */
export function mark(c, pending) {
  c.logoutPending = pending;
  try {
    const store = storage();
    if (pending) store?.setItem(key(c), String(now()));
    else store?.removeItem(key(c));
  } catch {
    // quota or policy: this page's memory keeps it
  }
}

/** Whether a logout answered `status` is over for the server: done (2xx), the session was
 * already over (401), or refused for good (another 4xx but 408 and 429); else it is retried. */
const final = (status) => status < 500 && status !== 408 && status !== 429;

/**
 * How long a tab that cleared the marker keeps the logout lock: long enough for the other tabs'
 * view of localStorage (updated asynchronously) to show the marker gone before any of them
 * takes the lock and looks.
 */
const SETTLE_MS = 1000;

/**
 * Runs `task` holding the `<channel>:logout` Web Lock (where there are Web Locks), so that one
 * tab at a time talks to the server about a pending logout.
 * @param {Client} c
 * @param {() => Promise<boolean>} task resolves with whether it cleared the marker
 */
async function exclusive(c, task) {
  if (!c.cfg.useWebLocks || !locks.available()) return task();
  const held = await locks.take(`${c.cfg.channel}:logout`, locks.WAIT).catch(() => null);
  if (!held) return task();
  let cleared = false;
  try {
    cleared = await task();
  } finally {
    if (cleared) later(SETTLE_MS, held.release);
    else held.release();
  }
  return cleared;
}

/**
 * Sends the logout request; the marker goes once the server answered it for good.
 * @param {Client} c
 * @param {{ confirmed: boolean, failure: any }} outcome filled in
 */
async function attempt(c, outcome) {
  try {
    const { ok, status } = await postAuth(c, LOGOUT);
    outcome.confirmed = ok || status === 401;
    outcome.failure = ok ? undefined : g.failure(LOGOUT, status);
    if (!final(status)) return false;
    mark(c, false);
    return true;
  } catch (e) {
    outcome.failure = e;
    return false;
  }
}

/**
 * Sends the logout request (the marker set first, and kept until the server answers it).
 * Resolves with `{ confirmed, failure }`: `confirmed` when the server answered 2xx or 401;
 * `failure` the `TokenRelayError` of an answer that was not a 2xx, or of no answer.
 * @param {Client} c
 */
export async function sendLogout(c) {
  mark(c, true);
  const outcome = { confirmed: false, failure: undefined };
  await exclusive(c, () => attempt(c, outcome));
  return outcome;
}

/**
 * Sends a logout that waits for the server again, if one does, by one tab at a time; the
 * marker is looked at again once the lock is held. Resolves when this attempt ended, whatever
 * its outcome.
 * @param {Client} c
 */
export async function retryLogout(c) {
  if (!logoutPending(c) || c.disposed) return;
  const outcome = { confirmed: false, failure: undefined };
  c.retryingLogout ??= exclusive(c, async () => logoutPending(c) && !c.disposed && attempt(c, outcome))
    .finally(() => {
      c.retryingLogout = null;
    });
  await c.retryingLogout;
}

/**
 * A new login replaces the session: a logout still waiting for the server is tried first (so
 * its answer cannot clear the new session's cookie), then the marker is cleared.
 * @param {Client} c
 */
export async function beforeLogin(c) {
  if (!logoutPending(c)) return;
  await retryLogout(c);
  mark(c, false);
}
