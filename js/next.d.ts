// tokenrelay/next: refresh before render in a Next.js proxy (or middleware), the auth route
// handlers on the app's origin, the token for server components, and cooldown-cookie helpers
// for any server. No wasm; Web APIs only (Node and edge runtimes).

/** Options of `createNextAuth`; only `apiBase` is required. */
export interface NextAuthOptions {
  /** Absolute http(s) URL of the API as the Next server reaches it. */
  apiBase: string;
  /** Default "/auth/refresh" (the same path on the app and on the API). */
  refreshPath?: string;
  /** Default "/auth/login". */
  loginPath?: string;
  /** Default "/auth/logout". */
  logoutPath?: string;
  /**
   * Where the JWT is in login and refresh answers: a JSON field, or a dotted path into nested
   * objects ("data.access_token"); the refresh route's answer of a token it holds nests it the
   * same way. Default "accessToken".
   */
  tokenField?: string;
  /**
   * Static header (value "tokenrelay") sent to the API and required on the auth routes; `null`:
   * neither (then `SameSite` cookies and CORS protect the routes, or `csrf`). Default "X-Requested-With".
   */
  csrfHeader?: string | null;
  /**
   * Double submit: the value of the browser's cookie `cookie` (percent-decoded) sent in `header`
   * on each call to the API, with the cookie; the auth routes require that header to match when
   * the cookie is there. Without it a refresh or logout makes no API call (no session). Default null.
   */
  csrf?: { cookie: string; header: string } | null;
  /** JSON value sent as the body of the API's refresh call. Default none. */
  refreshBody?: unknown;
  /** JSON value sent as the body of the API's logout call. Default none. */
  logoutBody?: unknown;
  /** The API's refresh cookie; it must reach the app's pages (`Path=/`). Default "__Host-refreshToken". */
  refreshCookie?: string;
  /** HttpOnly cookie of the app's origin holding the server's access token. Default "tokenrelayAccess". */
  accessCookie?: string;
  /** Default "lastTokenRefresh". */
  cooldownCookie?: string;
  /** A refresh younger than this is not repeated, and its token may be handed over. Default 5000. */
  cooldownMs?: number;
  /** Refresh this long before `exp` (capped at half the token's lifetime). Default 30. */
  refreshAheadSeconds?: number;
  /** Bound on each call to the API. Default 10000. */
  requestTimeoutMs?: number;
  /** The login page that refused or missing sessions are sent to. Default "/login". */
  loginRoute?: string;
}

/** A cookie store as `cookies()` of `next/headers` gives it. */
export interface CookieStoreLike {
  get(name: string): { value: string } | undefined;
}

/** What `createNextAuth` returns. */
export interface NextAuth {
  readonly options: Readonly<Required<NextAuthOptions>>;
  /**
   * For `proxy.js` (`middleware.js` before Next 16): refreshes a missing or due server token
   * once before render; sends a refused session to `loginRoute` once. Leave prefetches out in
   * the matcher (Next strips its router headers before the proxy runs).
   */
  proxy(request: Request): Promise<Response>;
  /** For `app/auth/[action]/route.js`: the browser client's login, refresh and logout. */
  POST(request: Request): Promise<Response>;
  /** The server's access token for this request (null when missing or expired). */
  accessToken(cookies: CookieStoreLike | string): string | null;
}

/** The server side of a Next app using tokenrelay. Throws a `config` TokenRelayError for a bad or unknown option. */
export declare function createNextAuth(options: NextAuthOptions): NextAuth;

/** Whether a request is a prefetch (Next's router, or `Sec-Purpose`/`Purpose: prefetch`). */
export declare function isPrefetch(request: { headers: Headers }): boolean;

/** The cooldown cookie's default name, "lastTokenRefresh". */
export declare const COOLDOWN_COOKIE: string;
/** The default cooldown, 5000 ms. */
export declare const COOLDOWN_MS: number;
/** The cookies of a `Cookie` header (the first of a repeated name wins). */
export declare function parseCookies(header: string | null | undefined): Map<string, string>;
/** The cooldown stamp of a `Cookie` header: epoch ms of this browser's last refresh, or null. */
export declare function readCooldown(cookieHeader: string | null | undefined, name?: string): number | null;
/** Whether this browser's last refresh is younger than `cooldownMs`. */
export declare function isCoolingDown(cookieHeader: string | null | undefined,
  options?: { now?: number; cooldownMs?: number; name?: string }): boolean;
/** The `Set-Cookie` line `lastTokenRefresh=<epoch ms>; Path=/; SameSite=Lax` to write after a refresh. */
export declare function cooldownCookie(now?: number, options?: { name?: string; secure?: boolean }): string;
/** A JWT's claims, decoded without verification (the API verifies), or null. */
export declare function decodeClaims(token: string): { exp: number; iat?: number; [claim: string]: unknown } | null;
