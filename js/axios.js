// tokenrelay/axios: an axios instance whose every call gets the token (allow-listed origins
// only), `credentials: "include"` there, one shared refresh and one retry with the body
// replayed. axios is not imported: the instance is configured, never axios itself.
//
// Two paths, one behaviour. axios >= 1.12 lets its fetch adapter call `env.fetch`: every
// request then goes through `auth.fetch`, and the token never leaves wasm memory. Older axios
// ignores `env.fetch` (1.7 to 1.11 send with the global fetch) or has no fetch adapter (< 1.7):
// there a request/response interceptor pair does what `auth.fetch` does, with the client's own
// allow-list (`auth.sendsToken`), token (`auth.accessToken`) and shared refresh (`auth.refresh`).
//
// Which path: withAuth cannot read axios's version without importing it, so it asks the
// instance's own axios on the first call. An interceptor-free sibling (`instance.create()`)
// sends one request to `data:,` with a probing `env.fetch`: called means the fetch path;
// anything else means interceptors. The probe never reaches the network: new axios answers it
// from the probe; older fetch adapters reject its forbidden method before fetching (1.11) or
// fetch the `data:` URL locally (1.7); < 1.7 refuses the fetch adapter. Calls made meanwhile
// wait for it.
import { tokenRelayError } from "./lib/errors.js";

/** Per configured instance: `{ auth, fetch, path, probe, ids, defaults }`. */
const configured = new WeakMap();

/**
 * Routes every request of the axios `instance` through tokenrelay and returns the instance:
 * the fetch adapter with `env.fetch` = `auth.fetch` on axios >= 1.12, interceptors before.
 * A call still refused after the one retry rejects as axios does: an `AxiosError` with
 * `response.status` 401.
 */
export function withAuth(instance, auth) {
  if (!instance || typeof instance.request !== "function" || !instance.defaults || !instance.interceptors) {
    throw tokenRelayError("config", "withAuth(instance, auth): instance must be an axios instance (axios.create())");
  }
  if (!auth || ["fetch", "sendsToken", "accessToken", "refresh"].some((m) => typeof auth[m] !== "function")) {
    throw tokenRelayError("config", "withAuth(instance, auth): auth must be a tokenrelay AuthClient");
  }
  const known = configured.get(instance);
  if (known) {
    known.auth = auth;
    return instance;
  }
  const record = {
    auth,
    // One function per instance: axios caches its fetch adapter per `env.fetch`.
    fetch: (input, init) => record.auth.fetch(input, init),
    path: null,
    probe: null,
    ids: null,
    defaults: { adapter: instance.defaults.adapter, env: instance.defaults.env },
  };
  configured.set(instance, record);
  instance.defaults.adapter = "fetch";
  instance.defaults.env = { ...instance.defaults.env, fetch: record.fetch };
  record.ids = [
    instance.interceptors.request.use((config) => beforeRequest(instance, record, config)),
    instance.interceptors.response.use(undefined, (error) => afterFailure(instance, record, error)),
  ];
  return instance;
}

/** Whether this instance's axios calls `env.fetch` (memoised; the first call asks). */
function pathOf(instance, record) {
  record.probe ??= probe(instance).then((honoured) => {
    record.path = honoured ? "fetch" : "interceptors";
    if (honoured) {
      // Nothing more to do per call: axios sends through auth.fetch.
      instance.interceptors.request.eject(record.ids[0]);
      instance.interceptors.response.eject(record.ids[1]);
    } else {
      restore(instance.defaults, record);
    }
    return record.path;
  });
  return record.probe;
}

/** One request through an interceptor-free sibling of `instance`: does it call `env.fetch`? */
async function probe(instance) {
  let called = false;
  const fetch = async () => {
    called = true;
    return new Response("");
  };
  try {
    await instance.create().request({ url: "data:,", baseURL: "", allowAbsoluteUrls: true, adapter: "fetch",
      env: { fetch }, fetchOptions: { method: "CONNECT" }, validateStatus: null, responseType: "text" });
  } catch {
    // Whatever went wrong, env.fetch was honoured only if it was called.
  }
  return called;
}

/** Puts back the adapter and `env` withAuth replaced (on the defaults, or on one request). */
function restore(config, record) {
  if (record.defaults.adapter === undefined) delete config.adapter;
  else config.adapter = record.defaults.adapter;
  if (record.defaults.env === undefined) delete config.env;
  else config.env = record.defaults.env;
}

/** Interceptor path: the token and credentials for allowed targets, like `auth.fetch`. */
async function beforeRequest(instance, record, config) {
  const path = record.path ?? (await pathOf(instance, record));
  if (path === "fetch") return config;
  // A request merged before the probe settled still carries the fetch adapter withAuth set.
  if (config.adapter === "fetch" && config.env?.fetch === record.fetch) restore(config, record);
  const { auth } = record;
  const base = globalThis.location?.href;
  const uri = instance.getUri(config);
  const target = base ? new URL(uri, base).href : uri;
  config.tokenrelay = { sent: false, retried: false };
  if (!(await auth.sendsToken(target))) return config;
  config.withCredentials = true;
  let token = null;
  try {
    // A caller that aborts while a refresh runs: the config goes on as it is, and axios
    // rejects it at once with its own CanceledError, sending nothing.
    token = await unlessAborted(auth.accessToken(), config.signal);
  } catch {
    // Signed out: sent without a token, as auth.fetch does.
  }
  if (token) {
    setHeader(config, `Bearer ${token}`);
    config.tokenrelay.sent = true;
  }
  return config;
}

/**
 * Interceptor path, on a failure: a 401 to a request sent with a token is retried once, with
 * the current token when it is not the one sent (no second refresh), else after one shared
 * refresh. Otherwise, or when there is no newer token, the original error stands.
 */
async function afterFailure(instance, record, error) {
  const config = error?.config;
  const mine = config?.tokenrelay;
  if (error?.response?.status !== 401 || !mine?.sent || mine.retried) throw error;
  const sent = authorization(config);
  const { auth } = record;
  const { signal } = config;
  const token = () => unlessAborted(auth.accessToken(), signal).then((t) => `Bearer ${t}`);
  let current;
  try {
    current = await token();
    if (current === sent && !signal?.aborted) {
      await unlessAborted(auth.refresh(), signal);
      current = await token();
    }
  } catch {
    throw error; // the session is over, or the refresh failed: the 401 is the answer
  }
  // Aborted while it waited: axios rejects the config at once with its own CanceledError.
  if (signal?.aborted) return instance.create().request(config);
  if (current === sent) throw error;
  // The retry skips every interceptor (the config has been through them once): an
  // interceptor-free sibling of the instance sends it, and its answer (or its 401) goes on
  // through the rest of this call's chain.
  setHeader(config, current);
  config.tokenrelay = { sent: true, retried: true };
  return instance.create().request(config);
}

/**
 * `promise`'s value, or `null` as soon as `signal` (a request's `AbortSignal`, if any) aborts:
 * the call then goes to axios, which rejects an aborted request with its own `CanceledError`.
 */
function unlessAborted(promise, signal) {
  if (!signal || typeof signal.addEventListener !== "function") return promise;
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(null);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Sets the request's `Authorization` header (an `AxiosHeaders`, or a plain record). */
function setHeader(config, value) {
  if (typeof config.headers?.set === "function") config.headers.set("Authorization", value);
  else config.headers = { ...config.headers, Authorization: value };
}

/** The `Authorization` header a request was sent with. */
function authorization(config) {
  const { headers } = config;
  return typeof headers?.get === "function" ? headers.get("Authorization") : headers?.Authorization;
}
