// tokenrelay/axios: withAuth(instance, auth) routes an axios instance through auth.fetch.
import type { AuthClient } from "./lib/types.js";

/** The parts of an axios instance `withAuth` uses (any axios >= 1.12 instance fits). */
export interface AxiosLike {
  request(...args: never[]): unknown;
  defaults: { adapter?: unknown; env?: object };
}

/**
 * Routes every request of the axios `instance` through `auth.fetch` (axios's fetch adapter
 * with `env.fetch`; axios >= 1.12) and returns the same instance: the token and
 * `credentials: "include"` for `apiBase`'s origin and `allowedOrigins` only, one shared refresh
 * and one retry with the body replayed on a 401. A call still refused after the retry rejects
 * with an `AxiosError` whose `response.status` is 401 (default `validateStatus`).
 * Throws a `config` TokenRelayError when `instance` or `auth` is not what it should be; with an
 * axios older than 1.12 (no `env.fetch`), each call rejects with a `config` TokenRelayError.
 */
export declare function withAuth<T extends AxiosLike>(instance: T, auth: Pick<AuthClient, "fetch">): T;
