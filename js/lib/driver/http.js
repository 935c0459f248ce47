// The auth requests: fetch with `credentials: "include"` and the CSRF headers, aborted by the
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
 * The value of the page's cookie `name` (percent-decoded, as the page's own code reads
 * double-submit tokens), or undefined.
 */
function cookie(name) {
  for (const pair of String(document.cookie).split("; ")) {
    if (pair.startsWith(`${name}=`)) {
      const value = pair.slice(name.length + 1);
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
}

/**
 * Posts `body` (JSON text, if any) to the endpoint of `call` with the CSRF headers (the static
 * one, and the double-submit cookie's value read now) and `credentials: "include"`, and reads
 * the answer's body; `controller` (or `dispose`) aborts the whole exchange, body included.
 * Resolves with `{ status, ok, text, date }` (`date`: the `Date` header, when readable);
 * rejects with `network`, `disposed`, or `config` for a refresh or logout whose CSRF cookie is
 * not there (nothing is sent).
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
  const headers = {};
  if (cfg.csrfHeader !== null) headers[cfg.csrfHeader] = cfg.csrfValue;
  if (cfg.csrf) {
    const [name, header] = cfg.csrf;
    const value = cookie(name);
    if (value !== undefined) headers[header] = value;
    else if (call) {
      throw error("config", `csrf.cookie ${name} is not in document.cookie: no session, or the page cannot read it (HttpOnly, or another Path or Domain)`);
    }
  }
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
    // A rejected fetch tells the page nothing more than this (the browser hides why).
    const response = asResponse(await startFetch(request).catch(() => {
      throw error("network", `${navigator.onLine === false ? "offline" : "no answer the page may read (CORS preflight refused, or the server is down)"}: POST ${url}`);
    }));
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
