// `auth.fetch`: `window.fetch` with `credentials: "include"`, the token for allowed origins, and
// on a status of `retryOn` (401) one shared refresh and one retry with the body intact.
/** @typedef {import("./index.js").Driver} Client */
import { checkAlive, error, g, messageOf, network, now } from "./base.js";
import { asResponse, responseOf, startFetch } from "./http.js";
import { call, IN_ENSURE, IN_REFRESH } from "./pump.js";

const config = (detail) => error("config", detail);
const invalid = (e) => config(`invalid fetch arguments: ${messageOf(e)}`);

/**
 * `fetch(input, init)` through the client. The request goes out before this returns, unless a
 * refresh has to come first; its answer settles the returned promise through one callback, with
 * no async machinery unless a 401 calls for a refresh. A caller's `signal` (in `init`, or the
 * `Request`'s) settles the call at once with its reason, whatever the call waits for.
 * @param {Client} c
 */
export function wrappedFetch(c, input, init) {
  const signal = signalOf(input, init);
  if (signal?.aborted) return Promise.reject(signal.reason);
  const call = send(c, input, init, signal);
  return signal ? abortable(call, signal) : call;
}

/**
 * The call of `wrappedFetch`, without the caller's signal.
 * @param {Client} c
 * @param {AbortSignal | undefined} signal
 */
function send(c, input, init, signal) {
  let outgoing, first, used;
  try {
    checkAlive(c);
    outgoing = prepare(c, input, init);
    if (outgoing.allowed && !isSettled(c)) return alive(c, finish(c, outgoing));
    [first, used] = attempt(c, outgoing);
  } catch (e) {
    return Promise.reject(e);
  }
  return first.then(
    (answer) => {
      checkAlive(c);
      const response = asResponse(answer);
      return isFinal(c, response, used) ? response : alive(c, answered(c, outgoing, used, response));
    },
    (e) => {
      throw signal?.aborted ? signal.reason : network(e);
    },
  );
}

/**
 * `promise`, or `disposed` when the client was disposed by the time it resolves.
 * @param {Client} c
 */
function alive(c, promise) {
  return promise.then((value) => {
    checkAlive(c);
    return value;
  });
}

/** The caller's `AbortSignal`: `init.signal` when given, else a `Request` input's own. */
function signalOf(input, init) {
  const given = init !== null && typeof init === "object" && "signal" in init ? init.signal : input?.signal;
  return given instanceof AbortSignal ? given : undefined;
}

/**
 * `call`, or a rejection with `signal.reason` as soon as `signal` aborts (the refresh the call
 * waited for goes on for the other callers; an answer that comes later is dropped).
 * @param {Promise<Response>} call
 * @param {AbortSignal} signal
 */
function abortable(call, signal) {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Whether the token can be used as is: no restore or refresh under way, none due.
 * @param {Client} c
 */
const isSettled = (c) => g.coreSettled(c.core, now());

/**
 * Whether an answer is final: anything but a status of `retryOn` (401) to a request sent with
 * a token.
 * @param {Client} c
 */
const isFinal = (c, response, used) => used === undefined || !c.cfg.retryOn.includes(response.status);

/**
 * A refresh first (the token was due), then the request and its answer.
 * @param {Client} c
 */
async function finish(c, outgoing) {
  await call(c, IN_ENSURE);
  const [first, used] = attempt(c, outgoing);
  return answered(c, outgoing, used, await responseOf(first));
}

/**
 * After the first answer: itself when final, else one shared refresh and one retry.
 * @param {Client} c
 */
async function answered(c, outgoing, used, response) {
  if (isFinal(c, response, used)) return response;
  // Signed out since the request was sent: the session is known to be over, so a late 401 (or
  // another status of `retryOn`) is the answer, not a reason to refresh.
  if (Number.isNaN(g.coreOrder(c.core))) return response;
  try {
    await call(c, IN_REFRESH, 0, used);
  } catch {
    return response; // the original answer: no loop, no lost response
  }
  // A token valid now (else the machine's error, not thrown here).
  if (typeof g.coreAccessToken(c.core, now()) !== "string") return response;
  const [retry] = attempt(c, outgoing);
  return responseOf(retry);
}

/**
 * Starts one attempt, with the token when allowed; returns the pending answer and the order of
 * the token it carries. A `Request` is sent as a fresh copy each time, so its body is intact
 * for a retry.
 * @param {Client} c
 */
function attempt(c, outgoing) {
  let { input, init, headers } = outgoing;
  if (outgoing.request) {
    try {
      input = outgoing.request.clone();
    } catch (e) {
      throw invalid(e);
    }
    headers = input.headers;
  }
  let used;
  if (outgoing.allowed) {
    const bearer = g.coreBearer(c.core);
    if (bearer !== undefined) {
      if (headers instanceof Headers) {
        try {
          headers.set("Authorization", bearer);
        } catch (e) {
          throw invalid(e);
        }
      } else headers.Authorization = bearer;
      used = g.coreOrder(c.core);
    }
  }
  return [startFetch(input, init), used];
}

/**
 * Where the string `target` of a request goes: an absolute URL, parsed by the browser's URL
 * parser (never a string guess: `http://evil.test\@api.test` goes to evil.test), or a target
 * appended to `apiBase`. Returns what `fetch` is given, its href, and whether it may carry the
 * token (and so the cookies): `apiBase`'s origin and the allow-list. Throws for an absolute
 * URL that does not parse.
 * @param {Client} c
 */
function resolve(c, target) {
  const joined = g.coreRelative(c.core, target);
  if (joined !== undefined) {
    // No URL parsing per call (the costliest part of a call): fetch parses the string anyway.
    return { input: joined, href: joined, allowed: c.apiBaseAllowed };
  }
  const url = new URL(target);
  return { input: url, href: target, allowed: c.cfg.origins.includes(url.origin) };
}

/**
 * Whether `fetch(url)` sends the token and `credentials: "include"` to `url`.
 * @param {Client} c
 */
export function sendsToken(c, url) {
  try {
    return resolve(c, url).allowed;
  } catch {
    return false;
  }
}

/**
 * Resolves the target and copies `init`, with `credentials: "include"` for allowed targets
 * (elsewhere the caller's own choice stands): `{ input, init, headers, allowed }`, or
 * `{ request, allowed }` for a `Request` (given, or carrying a one-shot stream body).
 * @param {Client} c
 */
function prepare(c, input, init) {
  const copy = {};
  if (init !== null && typeof init === "object") Object.assign(copy, init);
  else if (init !== undefined && init !== null) throw config("fetch init must be an object");
  const include = (allowed) => {
    if (allowed) copy.credentials = "include";
    return allowed;
  };
  if (input instanceof Request) {
    let origin = null;
    try {
      origin = new URL(input.url).origin;
    } catch {
      // no origin: not allowed
    }
    const allowed = include(c.cfg.origins.includes(origin));
    try {
      return { request: new Request(input, copy), allowed };
    } catch (e) {
      throw invalid(e);
    }
  }
  let target;
  if (typeof input === "string") target = input;
  else if (input instanceof Object) target = String(input.toString()); // URL objects
  else throw config("fetch input must be a URL string, URL or Request");
  let resolved;
  try {
    resolved = resolve(c, target);
  } catch (e) {
    throw invalid(e);
  }
  const allowed = include(resolved.allowed);
  const given = copy.headers;
  let headers;
  try {
    // The caller's own object is never changed; without headers, a plain record (the browser
    // reads a record faster than a `Headers` object).
    headers = given === undefined || given === null ? {} : new Headers(given);
  } catch (e) {
    throw invalid(e);
  }
  copy.headers = headers;
  const body = copy.body;
  checkMethod(copy.method, body);
  if (body !== null && typeof body === "object" && typeof body.getReader === "function") {
    // A one-shot ReadableStream: a Request, copied for each attempt.
    try {
      return { request: new Request(resolved.href, copy), allowed };
    } catch (e) {
      throw invalid(e);
    }
  }
  return { input: resolved.input, init: copy, headers, allowed };
}

/** An HTTP token (RFC 9110), upper-cased. */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Z]+$/;

/**
 * What `new Request` would refuse, found without building one (that costs time per call): a
 * method that is not an HTTP token or is forbidden, or a body on GET/HEAD.
 */
function checkMethod(method, body) {
  let name;
  if (typeof method === "string") name = method.replace(/[a-z]+/g, (s) => s.toUpperCase());
  else if (method === undefined) name = "GET";
  else throw config("fetch init.method must be a string");
  if (!HTTP_TOKEN.test(name) || name === "CONNECT" || name === "TRACE" || name === "TRACK") {
    throw config("invalid fetch arguments: bad init.method");
  }
  if ((name === "GET" || name === "HEAD") && body !== undefined && body !== null) {
    throw config("invalid fetch arguments: a GET or HEAD request has no body");
  }
}
