// The auth requests: fetch with `credentials: "include"` and the CSRF header, aborted by the
// machine (its timeout) or dispose; the answer's body is read before the machine hears of it.
/** @typedef {import("./index.js").Driver} Client */
import { error, network } from "./base.js";

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
 * @param {number} call 0 login, 1 refresh, 2 logout
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
