// tokenrelay/axios: an axios instance whose every call goes through `auth.fetch`, so it gets
// the token (allow-listed origins only), `credentials: "include"`, one shared refresh and one
// retry with the body replayed. axios is not imported: the instance is configured, not patched.
import { tokenRelayError } from "./lib/errors.js";

/** What `withAuth` put on an instance: its fetch, so a second call changes nothing. */
const configured = new WeakMap();

/**
 * Routes every request of the axios `instance` through `auth.fetch` (axios >= 1.12: the fetch
 * adapter with `env.fetch`) and returns the instance. A call still refused after the one
 * retry rejects as axios does: an `AxiosError` with `response.status` 401.
 */
export function withAuth(instance, auth) {
  if (!instance || typeof instance.request !== "function" || !instance.defaults) {
    throw tokenRelayError("config", "withAuth(instance, auth): instance must be an axios instance (axios.create())");
  }
  if (!auth || typeof auth.fetch !== "function") {
    throw tokenRelayError("config", "withAuth(instance, auth): auth must be a tokenrelay AuthClient");
  }
  const known = configured.get(instance);
  if (known?.auth === auth) return instance;
  // One function per instance: axios caches its fetch adapter per `env.fetch`.
  const fetch = (input, init) => {
    if (init && MARK in init) {
      reached.add(init[MARK]);
      const { [MARK]: _, ...rest } = init;
      return auth.fetch(input, rest);
    }
    return auth.fetch(input, init);
  };
  configured.set(instance, { auth, fetch });
  instance.defaults.adapter = "fetch";
  instance.defaults.env = { ...instance.defaults.env, fetch };
  if (!known) guard(instance);
  return instance;
}

/** The `fetchOptions` field that tells the guard a request reached `env.fetch` (axios copies it there). */
const MARK = "tokenrelayRequest";
/** Marks of requests that reached `env.fetch` and were not checked yet. */
const reached = new Set();
let counter = 0;

/**
 * An axios older than 1.12 ignores `env.fetch` and sends the request with the global fetch
 * (no token, no refresh): the guard turns that into a `config` error instead of silence.
 * Requests that name another adapter are theirs to send.
 */
function guard(instance) {
  instance.interceptors.request.use((config) => {
    if (config.adapter === "fetch") config.fetchOptions = { ...config.fetchOptions, [MARK]: `r${++counter}` };
    return config;
  });
  const check = (config) => {
    const mark = config?.fetchOptions?.[MARK];
    if (mark === undefined) return;
    if (!reached.delete(mark)) {
      throw tokenRelayError("config", "withAuth needs axios >= 1.12: this axios ignores env.fetch, "
        + "so the request went out without tokenrelay");
    }
  };
  instance.interceptors.response.use(
    (response) => { check(response.config); return response; },
    (error) => {
      if (error?.code !== "ERR_CANCELED") check(error?.config);
      throw error;
    },
  );
}
