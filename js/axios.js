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
  const fetch = (input, init) => auth.fetch(input, init);
  configured.set(instance, { auth, fetch });
  instance.defaults.adapter = "fetch";
  instance.defaults.env = { ...instance.defaults.env, fetch };
  return instance;
}
