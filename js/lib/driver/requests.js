// The calls of the JS API: start, login, logout, access token; the auth requests under them.
import { error, g, ignore, network, now } from "./base.js";
import { changed, checkAlive, holdsValidToken, join } from "./state.js";
import { ask, post, message, send, ASK_WAIT_MS, SAY_SIGNED_OUT, SAY_TOKEN } from "./peers.js";
import { othersMayBeAlive } from "./presence.js";
import { refresh, DEMAND } from "./refresh.js";

/** The auth calls, as the core's `failure` numbers them. */
export const LOGIN = 0, REFRESH = 1, LOGOUT = 2;

/** `fetch(input, init)` (the global one, looked up at each call, so a page's own wrapper of
 * `window.fetch` applies); a rejected fetch (offline, DNS, CORS refusal, abort) is `network`. */
export async function fetchResponse(input, init) {
  let answer;
  try {
    answer = await fetch(input, init);
  } catch (e) {
    throw network(e);
  }
  return asResponse(answer);
}

/** What a fetch resolved with, which must be a `Response` (a page's own wrapper may resolve
 * with anything). */
export function asResponse(answer) {
  if (answer instanceof Response) return answer;
  throw error("network", "fetch did not return a Response");
}

/**
 * Posts `body` (JSON text, if any) to the endpoint of `call` with the static CSRF header and
 * `credentials: "include"`, aborted after `requestTimeoutMs` or by `dispose`. Rejects with
 * `network` (timeouts included) or `disposed`.
 */
async function postAuth(c, call, body) {
  const cancel = c.abort.signal;
  if (cancel.aborted) throw error("disposed");
  const { cfg } = c;
  const url = [cfg.loginUrl, cfg.refreshUrl, cfg.logoutUrl][call];
  const headers = { [cfg.csrfHeader]: cfg.csrfValue };
  const controller = new AbortController();
  const init = { method: "POST", credentials: "include", headers, signal: controller.signal };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = body;
  }
  let request;
  try {
    request = new Request(url, init);
  } catch {
    throw error("config", `apiBase gives an invalid URL: ${url}`);
  }
  const timeoutMs = Math.floor(Math.min(Math.max(cfg.requestTimeoutMs, 1), 2 ** 31 - 1));
  const abort = () => controller.abort();
  cancel.addEventListener("abort", abort);
  const timer = setTimeout(abort, timeoutMs);
  try {
    const response = await fetchResponse(request);
    if (cancel.aborted) throw error("disposed");
    return response;
  } catch (e) {
    if (cancel.aborted) throw error("disposed");
    if (controller.signal.aborted) throw error("network", `timed out after ${timeoutMs} ms`);
    throw e;
  } finally {
    clearTimeout(timer);
    cancel.removeEventListener("abort", abort);
  }
}

/** Posts to an auth endpoint and reads the token of a successful answer (not yet taken). */
export async function authCall(c, call, body) {
  const response = await postAuth(c, call, body);
  if (!response.ok) throw g.failure(call, response.status);
  let text;
  try {
    text = await response.text();
  } catch (e) {
    throw network(e);
  }
  checkAlive(c);
  // The server's clock, from its `Date` header (readable across origins only when the API
  // lists it in `Access-Control-Expose-Headers`).
  const date = response.headers.get("Date");
  return c.core.receive(text, date === null ? undefined : Date.parse(date), now());
}

/**
 * Restores the session: a valid token in memory, else one from another tab, else the refresh
 * cookie. "No session" is a state, not an error. Concurrent calls share one restore.
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

async function restoreNow(c) {
  if (holdsValidToken(c)) return;
  if (c.flight) return c.flight;
  // Ask the other tabs first, when there may be any (a one-tab reload skips the wait).
  if (await othersMayBeAlive(c)) {
    if (await ask(c, ASK_WAIT_MS)) return;
  } else {
    c.unansweredAsk = now(); // as good as an unanswered question: no tab can hand over a token
  }
  return refresh(c, DEMAND);
}

/** `POST loginPath` with `body` as JSON. */
export async function login(c, body) {
  checkAlive(c);
  let json;
  try {
    json = JSON.stringify(body);
  } catch {
    // below
  }
  if (typeof json !== "string") throw error("config", "the login body must be a JSON-serialisable value");
  let received;
  try {
    received = await authCall(c, LOGIN, json);
  } catch (e) {
    const signedIn = c.core.order() !== undefined;
    changed(c, signedIn ? c.core.fail(e) : c.core.signOut(e));
    throw e;
  }
  if (c.disposed) received.free();
  checkAlive(c);
  c.generation++;
  c.failures = 0;
  changed(c, c.core.signIn(received));
  post(c, SAY_TOKEN);
}

/** `POST logoutPath`, then the session ends here and in every tab, whatever the server said. */
export async function logout(c) {
  checkAlive(c);
  c.generation++;
  // With the proof of the token held now.
  const signedOut = message(c, SAY_SIGNED_OUT, 0, false);
  let failure;
  try {
    const response = await postAuth(c, LOGOUT);
    if (!response.ok) failure = g.failure(LOGOUT, response.status);
  } catch (e) {
    failure = e;
  }
  changed(c, c.core.signOut(failure));
  send(c, signedOut);
}

/** Waits for a restore or refresh under way and refreshes a token that is due. */
export async function ensureFresh(c) {
  if (c.restore) await c.restore.catch(ignore);
  if (c.flight) await c.flight.catch(ignore);
  if (c.core.due(now())) await refresh(c, DEMAND).catch(ignore);
}

/** A valid access token, refreshed first if due. */
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
