// Types shared by every entry of tokenrelay (hand-written: the published types carry no
// `Symbol.dispose` and no `any`).

/** Options of `new AuthClient(...)`; only `apiBase` is required. */
export interface AuthClientOptions {
  /** Absolute http(s) URL of the API; relative `fetch` targets are appended to it. */
  apiBase: string;
  /** Other origins that may receive the access token (default: none). */
  allowedOrigins?: string[];
  /** Default "/auth/login". */
  loginPath?: string;
  /** Default "/auth/refresh". */
  refreshPath?: string;
  /** Default "/auth/logout". */
  logoutPath?: string;
  /**
   * Where the JWT is in login and refresh answers: a JSON field, or a dotted path into nested
   * objects ("data.access_token"). Default "accessToken".
   */
  tokenField?: string;
  /** Refresh this long before `exp` (capped at half the token's lifetime). Default 30. */
  refreshAheadSeconds?: number;
  /** A refresh younger than this (cooldown cookie) is not repeated. Default 5000. */
  cooldownMs?: number;
  /** Name of the cooldown cookie. Default "lastTokenRefresh". */
  cooldownCookie?: string;
  /** BroadcastChannel and Web Lock name. Default "tokenrelay". */
  channel?: string;
  /**
   * Static header sent with value "tokenrelay" on every auth call; `null`: none (then
   * `SameSite` cookies and CORS protect the calls, or `csrf`). Default "X-Requested-With".
   */
  csrfHeader?: string | null;
  /**
   * Double submit: the value of the page-readable cookie `cookie`, read at each call, sent in
   * the header `header` on every auth call (a refresh or logout without the cookie fails with
   * `config` and sends nothing). Default none.
   */
  csrf?: { cookie: string; header: string } | null;
  /** JSON value sent as the body of the refresh call. Default none. */
  refreshBody?: unknown;
  /** JSON value sent as the body of the logout call. Default none. */
  logoutBody?: unknown;
  /**
   * Statuses of `auth.fetch` answers (to a request sent with the token) that lead to one
   * refresh and one retry. Default [401].
   */
  retryOn?: number[];
  /** Bound on each login, refresh and logout request. Default 10000. */
  requestTimeoutMs?: number;
  /** Serialise refreshes across tabs with Web Locks where available. Default true. */
  useWebLocks?: boolean;
}

/** Where the session stands. */
export type AuthStatus = "unknown" | "signedOut" | "signedIn" | "refreshing";

/** Stable codes of every error tokenrelay throws or reports. */
export type TokenRelayErrorCode =
  | "config" | "network" | "server" | "unauthorized" | "session_expired"
  | "bad_response" | "bad_token" | "disposed" | "not_signed_in" | "no_browser";

/** The last failure, as it appears in `state.error`. */
export interface AuthError {
  readonly code: TokenRelayErrorCode;
  readonly message: string;
  /** HTTP status, for `server`, `unauthorized` and a refused refresh's `session_expired`. */
  readonly status?: number;
}

/** The JWT's claims. */
export interface AuthUser {
  readonly sub?: string;
  readonly exp: number;
  readonly iat?: number;
  readonly [claim: string]: unknown;
}

/** The session state: the same frozen object until something changes. */
export interface AuthState {
  readonly status: AuthStatus;
  readonly user: AuthUser | null;
  /** Epoch ms at which the access token expires, by this browser's clock. */
  readonly expiresAt: number | null;
  readonly error: AuthError | null;
}

/** Every error thrown or rejected by tokenrelay. */
export interface TokenRelayError extends Error {
  name: "TokenRelayError";
  code: TokenRelayErrorCode;
  /** HTTP status, for `server`, `unauthorized` and a refused refresh's `session_expired`. */
  status?: number;
}

/** What `init` accepts instead of the default: the wasm's URL, a `fetch` Response, or its bytes. */
export type InitInput = string | URL | Request | Response | Promise<Response> | BufferSource | WebAssembly.Module;

/**
 * A login session against one API: restores, refreshes and attaches the access token.
 * Synchronous to construct (module scope is fine); the wasm loads on first use. Outside a
 * browser the client is inert: `start()` resolves with the unknown state and the other
 * calls reject with `no_browser`.
 */
export declare class AuthClient {
  /**
   * Throws a `config` TokenRelayError when the wasm is already loaded and an option is bad;
   * otherwise the first call rejects with that error.
   */
  constructor(options: AuthClientOptions);
  /** The current state; the same frozen object until it changes (`unknown` at first). */
  readonly state: AuthState;
  /** Calls `listener(state)` on every state change; returns an idempotent unsubscribe. */
  subscribe(listener: (state: AuthState) => void): () => void;
  /** Restores the session (another tab's token, else the refresh cookie); idempotent. */
  start(): Promise<AuthState>;
  /** Posts `credentials` as JSON to `loginPath`. */
  login(credentials: unknown): Promise<AuthState>;
  /**
   * Like `window.fetch`, with the token for allowed origins and one refresh + retry on a status
   * of `retryOn` (401).
   * An `init.signal` (or the `Request`'s) that aborts settles the call at once with its reason
   * (a `DOMException` `AbortError` by default), even while the call waits for a refresh.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /**
   * Whether `fetch(url)` sends the token and `credentials: "include"` to `url`: `apiBase`'s
   * origin and `allowedOrigins` (a relative URL is appended to `apiBase`). For code that sends
   * requests itself (tokenrelay/axios with an axios older than 1.12).
   */
  sendsToken(url: string | URL): Promise<boolean>;
  /** Refreshes now (one refresh shared by every caller and tab). */
  refresh(): Promise<AuthState>;
  /** A valid access token, refreshed first if it is due. */
  accessToken(): Promise<string>;
  /**
   * Signs out every tab at once and logs out on the server. A logout the server did not
   * answer (offline, down) is sent again when a page starts or comes online, and until then
   * no tab or reload restores the session. `confirmed`: the server answered 2xx or 401.
   */
  logout(): Promise<AuthState & { readonly confirmed: boolean }>;
  /** Releases the channel, timers and listeners; later calls reject with `disposed`. */
  dispose(): void;
}

/** Whether `value` is an error thrown by tokenrelay (use it instead of `instanceof`). */
export declare function isTokenRelayError(value: unknown): value is TokenRelayError;
