// The session as the app's own server sees it: the access token it keeps for server rendering
// (an HttpOnly cookie of the app's origin), the refresh it makes on the user's behalf (one per
// refresh token, however many requests present it at once), and the cookies of a logout.
// Web APIs only (fetch, atob): Node, edge runtimes, any server framework.
import {
  COOLDOWN_COOKIE, COOLDOWN_MS, parseCookies, serializeCookies, parseSetCookie, setCookie, cooldownCookie,
} from "./cookies.js";

const DEFAULTS = {
  refreshPath: "/auth/refresh",
  loginPath: "/auth/login",
  logoutPath: "/auth/logout",
  tokenField: "accessToken",
  csrfHeader: "X-Requested-With",
  refreshCookie: "__Host-refreshToken",
  accessCookie: "tokenrelayAccess",
  cooldownCookie: COOLDOWN_COOKIE,
  cooldownMs: COOLDOWN_MS,
  refreshAheadSeconds: 30,
  requestTimeoutMs: 10000,
  loginRoute: "/login",
};

/**
 * Refreshes in flight or just done, by API and presented refresh token: one map per process
 * (or isolate), shared by every bundle that includes this module (Next bundles the proxy and
 * the route handlers apart).
 */
const FLIGHTS = Symbol.for("tokenrelay.server.flights");
const flights = (globalThis[FLIGHTS] ??= new Map());

function configError(message) {
  const error = new Error(message);
  error.name = "TokenRelayError";
  error.code = "config";
  return error;
}

/** The options with defaults; throws a `config` TokenRelayError for a bad or unknown one. */
export function resolveOptions(options) {
  if (!options || typeof options !== "object") throw configError("options must be an object");
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULTS) && key !== "apiBase") throw configError(`unknown option ${key}`);
  }
  const resolved = { ...DEFAULTS, ...options };
  let base;
  try {
    base = new URL(resolved.apiBase);
  } catch {
    throw configError("apiBase must be an absolute http(s) URL (the API as the server reaches it)");
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") throw configError("apiBase must be http(s)");
  resolved.apiBase = String(resolved.apiBase).replace(/\/+$/, "");
  return Object.freeze(resolved);
}

/** The JWT's claims, decoded without verification (the API verifies), or null. */
export function decodeClaims(token) {
  const part = String(token ?? "").split(".")[1];
  if (!part) return null;
  try {
    const base64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
    const text = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    const claims = JSON.parse(text);
    return claims && typeof claims === "object" && typeof claims.exp === "number" ? claims : null;
  } catch {
    return null;
  }
}

/**
 * The access cookie's value: `<minted at, epoch ms>.<jwt>`. The time of minting (this
 * server's clock) tells a token refreshed moments ago, which may be handed to the browser.
 */
function accessValue(token, mintedAt) {
  return `${Math.floor(mintedAt)}.${token}`;
}

/** What the server holds for the browser of a request. */
export function sessionOf(opts, cookieHeader, now = Date.now()) {
  const cookies = parseCookies(cookieHeader);
  const held = cookies.get(opts.accessCookie) ?? "";
  const at = held.indexOf(".");
  const mintedAt = at > 0 ? Number(held.slice(0, at)) : NaN;
  const accessToken = at > 0 && Number.isFinite(mintedAt) ? held.slice(at + 1) : null;
  const claims = accessToken ? decodeClaims(accessToken) : null;
  let due = true;
  let expired = true;
  if (claims) {
    // Time left as the API counts it (exp - iat from minting, by this server's clock).
    const lifetimeMs = (claims.exp - (claims.iat ?? claims.exp - 60)) * 1000;
    const expiresAt = mintedAt + lifetimeMs;
    const aheadMs = Math.min(opts.refreshAheadSeconds * 1000, lifetimeMs / 2);
    expired = now >= expiresAt;
    due = now >= expiresAt - aheadMs;
  }
  return {
    accessToken: claims ? accessToken : null,
    claims,
    mintedAt: claims ? mintedAt : null,
    due,
    expired,
    /** Minted by this server within the cooldown: the browser may take it as it is. */
    fresh: Boolean(claims) && !expired && now - mintedAt < opts.cooldownMs && mintedAt <= now + 1000,
    refreshToken: cookies.get(opts.refreshCookie) || null,
  };
}

/** The `Set-Cookie` line that keeps `token` for server rendering (HttpOnly, this origin). */
export function accessCookie(opts, token, mintedAt, secure) {
  const claims = decodeClaims(token);
  const lifetime = claims ? claims.exp - (claims.iat ?? claims.exp - 60) : 60;
  return setCookie(opts.accessCookie, accessValue(token, mintedAt),
    { httpOnly: true, sameSite: "Strict", maxAge: lifetime, secure });
}

/** `Set-Cookie` lines that delete every cookie tokenrelay's server side sets or relays. */
export function clearingCookies(opts, secure) {
  const lines = [
    setCookie(opts.refreshCookie, "", { httpOnly: true, sameSite: "Strict", maxAge: 0, secure }),
    setCookie(opts.accessCookie, "", { httpOnly: true, sameSite: "Strict", maxAge: 0, secure }),
    setCookie(opts.cooldownCookie, "", { maxAge: 0, secure }),
  ];
  // A refresh cookie scoped to the auth routes (the API's default `Path=/auth`).
  if (!opts.refreshCookie.startsWith("__Host-")) {
    lines.push(setCookie(opts.refreshCookie, "", { path: "/auth", httpOnly: true, sameSite: "Strict", maxAge: 0, secure }));
  }
  return lines;
}

/**
 * `fetch(url, init)` and `read(response)` under one bound, `requestTimeoutMs`, whose timer is
 * cleared at the end: an `AbortSignal.timeout` would outlive the request (and keeps the
 * process of some edge runtimes alive for it). Rejects when the bound is reached.
 */
export async function boundedFetch(opts, url, init, read) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.requestTimeoutMs);
  try {
    return await read(await fetch(url, { ...init, signal: controller.signal }));
  } finally {
    clearTimeout(timer);
  }
}

/** Headers of a call to the API's auth routes for the browser holding `refreshToken`. */
function authHeaders(opts, refreshToken, secure) {
  const headers = { [opts.csrfHeader]: "tokenrelay", Accept: "application/json" };
  if (refreshToken) headers.Cookie = `${opts.refreshCookie}=${refreshToken}`;
  if (secure) headers["X-Forwarded-Proto"] = "https";
  return headers;
}

/**
 * Refreshes on the user's behalf with the refresh token the request presented. Every request
 * presenting the same token within the cooldown shares one API call and its answer, so tabs
 * navigating at once never spend one token twice. Resolves with
 * `{ outcome: "ok", accessToken, body, setCookies, mintedAt }`, `{ outcome: "rejected", status }`
 * (401/403: the session is over) or `{ outcome: "failed", status }` (network, 5xx, 429, a bad
 * answer: the session is kept).
 */
export function refreshFor(opts, refreshToken, { secure = false, now = Date.now() } = {}) {
  for (const [key, flight] of flights) {
    if (flight.done && now - flight.done > opts.cooldownMs) flights.delete(key);
  }
  const key = `${opts.apiBase}\n${refreshToken}`;
  const known = flights.get(key);
  if (known) return known.promise;
  const flight = { done: 0, promise: null };
  flight.promise = callRefresh(opts, refreshToken, secure).then((result) => {
    // Only a rotation is worth sharing with late arrivals; anything else may be retried.
    if (result.outcome === "ok") flight.done = Date.now();
    else flights.delete(key);
    return result;
  });
  flights.set(key, flight);
  return flight.promise;
}

async function callRefresh(opts, refreshToken, secure) {
  const init = { method: "POST", headers: authHeaders(opts, refreshToken, secure), cache: "no-store", redirect: "manual" };
  try {
    return await boundedFetch(opts, opts.apiBase + opts.refreshPath, init, async (response) => {
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel();
        return { outcome: "rejected", status: response.status };
      }
      if (!response.ok) {
        await response.body?.cancel();
        return { outcome: "failed", status: response.status >= 500 || response.status === 429 ? response.status : 502 };
      }
      const body = await response.json().catch(() => null);
      const accessToken = body?.[opts.tokenField];
      if (typeof accessToken !== "string" || !decodeClaims(accessToken)) return { outcome: "failed", status: 502 };
      return { outcome: "ok", accessToken, body, setCookies: response.headers.getSetCookie(), mintedAt: Date.now() };
    });
  } catch {
    return { outcome: "failed", status: 502 }; // no answer in time, or none at all
  }
}

/**
 * Logs the browser holding `refreshToken` out on the API (when it holds one). Resolves with
 * the API's status (0 when unreachable); the caller clears the cookies whatever it is.
 */
export async function logoutFor(opts, refreshToken, { secure = false } = {}) {
  if (!refreshToken) return 200;
  const init = { method: "POST", headers: authHeaders(opts, refreshToken, secure), cache: "no-store", redirect: "manual" };
  try {
    return await boundedFetch(opts, opts.apiBase + opts.logoutPath, init, async (response) => {
      await response.body?.cancel();
      return response.status;
    });
  } catch {
    return 0;
  }
}

/**
 * The `Cookie` header a request continues with after a refresh made for it: the new refresh
 * token and access cookie in place of the old ones, everything else unchanged.
 */
export function cookieHeaderAfter(opts, cookieHeader, result) {
  const cookies = parseCookies(cookieHeader);
  for (const line of result.setCookies) {
    const { name, value, deleted } = parseSetCookie(line);
    if (name) cookies.set(name, deleted ? null : value);
  }
  cookies.set(opts.accessCookie, accessValue(result.accessToken, result.mintedAt));
  cookies.set(opts.cooldownCookie, String(result.mintedAt));
  return serializeCookies(cookies);
}

/** `Set-Cookie` lines for the browser after a refresh made for it. */
export function cookiesAfter(opts, result, secure) {
  return [...result.setCookies, accessCookie(opts, result.accessToken, result.mintedAt, secure),
    cooldownCookie(result.mintedAt, { name: opts.cooldownCookie, secure })];
}
