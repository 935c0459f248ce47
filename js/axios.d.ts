// tokenrelay/axios: withAuth(instance, auth) routes an axios instance through tokenrelay.
import type { AuthClient } from "./lib/types.js";

/** The parts of an axios instance `withAuth` uses (any axios 1.x instance fits). */
export interface AxiosLike {
  request(...args: never[]): unknown;
  create(...args: never[]): unknown;
  getUri(...args: never[]): string;
  defaults: { adapter?: unknown; env?: object };
  interceptors: {
    request: { use(...args: never[]): number; eject(id: number): void };
    response: { use(...args: never[]): number; eject(id: number): void };
  };
}

/**
 * Routes every request of the axios `instance` through tokenrelay and returns the same
 * instance: the token and `credentials: "include"` for `apiBase`'s origin and
 * `allowedOrigins` only, one shared refresh and one retry with the body replayed on a 401.
 * axios >= 1.12: the fetch adapter with `env.fetch` = `auth.fetch` (the token stays in wasm
 * memory); older axios: request/response interceptors (the token is in the `Authorization`
 * header of the request config). A call still refused after the retry rejects with an
 * `AxiosError` whose `response.status` is 401 (default `validateStatus`).
 * Throws a `config` TokenRelayError when `instance` or `auth` is not what it should be.
 */
export declare function withAuth<T extends AxiosLike>(
  instance: T, auth: Pick<AuthClient, "fetch" | "sendsToken" | "accessToken" | "refresh">): T;
