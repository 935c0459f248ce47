// The auth requests: fetch with `credentials: "include"`, the CSRF header, the request timeout
// and an abort on dispose; the token of a successful answer read by the core.
/** @typedef {import("./index.js").Driver} Client */
import { checkAlive, error, g, later, network, now } from "./base.js";

/** The auth calls, as the core's `failure` numbers them. */
export const LOGIN = 0, REFRESH = 1, LOGOUT = 2;

/**
 * Starts `fetch(input, init)`: the global one, looked up at each call, so a page's own wrapper
 * of `window.fetch` applies. A fetch that throws at once is `network`.
 */
export function startFetch(input, init) {
  try {
    return Promise.resolve(fetch(input, init));
  } catch (e) {
    throw network(e);
  }
}

/** The answer of a started fetch; a rejected fetch (offline, DNS, CORS refusal, abort) is
 * `network`. */
export async function responseOf(pending) {
  let answer;
  try {
    answer = await pending;
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
 * `credentials: "include"`, and reads the answer's body; `controller` (or `dispose`) aborts the
 * whole exchange, body included. Resolves with `{ status, ok, text, date }` (`date`: the `Date`
 * header, when readable); rejects with `network` or `disposed`.
 * @param {Client} c
 * @param {number} call LOGIN, REFRESH or LOGOUT
 * @param {string | undefined} body
 * @param {AbortController} controller
 */
export async function fetchAuth(c, call, body, controller) {
  const cancel = c.abort.signal;
  if (cancel.aborted) throw error("disposed");
  const { cfg } = c;
  const url = [cfg.loginUrl, cfg.refreshUrl, cfg.logoutUrl][call];
  const headers = { [cfg.csrfHeader]: cfg.csrfValue };
  /** @type {RequestInit} */
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
  const abort = () => controller.abort();
  cancel.addEventListener("abort", abort);
  try {
    const response = await responseOf(startFetch(request));
    let text;
    try {
      text = await response.text();
    } catch (e) {
      throw network(e);
    }
    if (cancel.aborted) throw error("disposed");
    return { status: response.status, ok: response.ok, text, date: response.headers.get("Date") };
  } catch (e) {
    if (cancel.aborted) throw error("disposed");
    throw e;
  } finally {
    cancel.removeEventListener("abort", abort);
  }
}

/**
 * `fetchAuth` for login and logout, aborted after `requestTimeoutMs` (a `network` error).
 * @param {Client} c
 * @param {number} call LOGIN or LOGOUT
 * @param {string} [body]
 */
export async function postAuth(c, call, body) {
  const controller = new AbortController();
  const timeoutMs = Math.floor(Math.min(Math.max(c.cfg.requestTimeoutMs, 1), 2 ** 31 - 1));
  const timer = later(timeoutMs, () => controller.abort());
  try {
    return await fetchAuth(c, call, body, controller);
  } catch (e) {
    if (controller.signal.aborted && !c.abort.signal.aborted) throw error("network", `timed out after ${timeoutMs} ms`);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Posts to an auth endpoint and reads the token of a successful answer into the core (not yet
 * taken: `signIn`).
 * @param {Client} c
 * @param {number} call LOGIN, REFRESH or LOGOUT
 * @param {string} [body]
 */
export async function authCall(c, call, body) {
  const answer = await postAuth(c, call, body);
  if (!answer.ok) throw g.failure(call, answer.status);
  checkAlive(c);
  // The server's clock, from its `Date` header (readable across origins only when the API
  // lists it in `Access-Control-Expose-Headers`).
  const { date } = answer;
  return c.core.receive(answer.text, date === null ? undefined : Date.parse(date), now());
}
