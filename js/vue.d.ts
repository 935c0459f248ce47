// tokenrelay/vue: createTokenRelay(), useAuth() and authGuard().
import type { App, ShallowRef } from "vue";
import type { AuthClient, AuthState, AuthStatus, AuthUser, AuthError } from "./lib/types.js";

/** The client as Vue code sees it (both entries' `AuthClient` fit). */
type Client = Pick<AuthClient, "state" | "subscribe" | "start" | "login" | "logout" | "fetch">;

export interface TokenRelayPluginOptions {
  /** A client made once, at module scope; the plugin starts it and never disposes it. */
  client: Client;
  /** SSR apps: the refs show the unknown state (as the server rendered it) until this settles. */
  hydration?: Promise<unknown>;
}
/** The plugin: `app.use(createTokenRelay({ client }))` starts the client and provides it. */
export declare function createTokenRelay(options: TokenRelayPluginOptions): TokenRelayPlugin;
export interface TokenRelayPlugin {
  install(app: App): void;
  /** Settles (never rejects) once the `start()` made at install has settled. */
  readonly ready: Promise<void>;
}

/** A ref whose `.value` cannot be assigned. */
export type ReadonlyRef<T> = Readonly<ShallowRef<T>>;

/** What `useAuth()` returns. */
export interface UseAuthResult {
  readonly state: ReadonlyRef<AuthState>;
  readonly status: ReadonlyRef<AuthStatus>;
  readonly user: ReadonlyRef<AuthUser | null>;
  readonly error: ReadonlyRef<AuthError | null>;
  /** `status === "unknown"`: `start()` has not settled yet. */
  readonly isLoading: ReadonlyRef<boolean>;
  /** Signed in, also while a signed-in session refreshes. */
  readonly isSignedIn: ReadonlyRef<boolean>;
  login(credentials: unknown): Promise<AuthState>;
  logout(): Promise<AuthState & { readonly confirmed: boolean }>;
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  readonly client: Client;
}
/** The state as readonly refs, and the client's methods. */
export declare function useAuth(): UseAuthResult;

/** The part of a vue-router route the guard reads. */
export interface GuardedRoute {
  path: string;
  fullPath: string;
  meta: { requiresAuth?: unknown };
}
export interface AuthGuardOptions {
  /** Path of the login page; signed-out visitors of `meta.requiresAuth` routes go there. */
  loginRoute: string;
}
/** A `router.beforeEach` guard that waits for `start()` before it decides. */
export declare function authGuard(options: AuthGuardOptions):
  (to: GuardedRoute) => Promise<true | { path: string; query: { redirect: string } }>;
