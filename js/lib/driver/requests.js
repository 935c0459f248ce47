// The calls of the JS API: start, login, logout, access token.
/** @typedef {import("./index.js").Driver} Client */
import { checkAlive, error, g, ignore, now } from "./base.js";
import { authCall, LOGIN } from "./http.js";
import { beforeLogin, logoutPending, mark, retryLogout, sendLogout } from "./logout.js";
import { changed, holdsValidToken, join } from "./state.js";
import { ask, post, message, send, ASK_WAIT_MS, SAY_SIGNED_OUT, SAY_TOKEN } from "./peers.js";
import { othersMayBeAlive } from "./presence.js";
import { refresh, DEMAND } from "./refresh.js";

/**
 * Restores the session: a valid token in memory, else one from another tab, else the refresh
 * cookie. "No session" is a state, not an error. Concurrent calls share one restore.
 * @param {Client} c
 */
export async function start(c) {
  checkAlive(c);
  try {
    await join(c, "restore", () => restoreNow(c));
  } catch (e) {
    // Every other outcome is in the state (signedOut, or an error with the status kept).
    if (e?.code === "disposed") throw e;
  }
}

/** @param {Client} c */
async function restoreNow(c) {
  if (logoutPending(c)) {
    // Logged out, and the server not told yet: no session here, and the server is told now.
    changed(c, c.core.signOut(undefined));
    retryLogout(c).catch(ignore);
    return;
  }
  if (holdsValidToken(c)) return;
  if (c.core.flying()) return refresh(c, DEMAND);
  // Ask the other tabs first, when there may be any (a one-tab reload skips the wait).
  if (await othersMayBeAlive(c)) {
    if (await ask(c, ASK_WAIT_MS)) return;
  } else {
    c.core.unansweredAsk(now()); // as good as an unanswered question: no tab can hand over a token
  }
  return refresh(c, DEMAND);
}

/**
 * `POST loginPath` with `body` as JSON.
 * @param {Client} c
 */
export async function login(c, body) {
  checkAlive(c);
  let json;
  try {
    json = JSON.stringify(body);
  } catch {
    // below
  }
  if (typeof json !== "string") throw error("config", "the login body must be a JSON-serialisable value");
  await beforeLogin(c);
  checkAlive(c);
  try {
    await authCall(c, LOGIN, json); // the token received, not yet taken
  } catch (e) {
    const signedIn = c.core.order() !== undefined;
    changed(c, signedIn ? c.core.fail(e) : c.core.signOut(e));
    throw e;
  }
  if (c.disposed) c.core.signIn(false); // dropped
  checkAlive(c);
  c.core.fence();
  c.core.clearFailures();
  changed(c, c.core.signIn(true));
  post(c, SAY_TOKEN);
}

/**
 * Ends the session here and in every tab at once, then `POST logoutPath`; a logout the server
 * did not answer is sent again until it is (logout.js). Resolves with whether the server
 * confirmed it (2xx, or 401: the session was already over).
 * @param {Client} c
 */
export async function logout(c) {
  checkAlive(c);
  c.core.fence();
  // With the proof of the token held now; the marker first, so that no tab that hears of the
  // sign-out and reloads can restore the session before the server is told.
  const signedOut = message(c, SAY_SIGNED_OUT, 0, false);
  mark(c, true);
  changed(c, c.core.signOut(undefined));
  send(c, signedOut);
  if (c.retryingLogout) await c.retryingLogout;
  const { confirmed, failure } = await sendLogout(c);
  if (failure) changed(c, c.core.signOut(failure));
  return confirmed;
}

/**
 * Waits for a restore or refresh under way and refreshes a token that is due.
 * @param {Client} c
 */
export async function ensureFresh(c) {
  if (c.restore) await c.restore.catch(ignore);
  if (c.core.flying()) await refresh(c, DEMAND).catch(ignore);
  if (c.core.due(now())) await refresh(c, DEMAND).catch(ignore);
}

/**
 * A valid access token, refreshed first if due.
 * @param {Client} c
 */
export async function accessToken(c) {
  checkAlive(c);
  await ensureFresh(c);
  checkAlive(c);
  const jwt = c.core.jwt();
  if (jwt !== undefined) {
    if (c.core.valid(now())) return jwt;
    throw c.core.error() ?? error("session_expired");
  }
  if (c.core.status() === "signedOut") throw error("not_signed_in");
  throw c.core.error() ?? error("not_signed_in");
}
