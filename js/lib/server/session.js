// The session as the app's own server sees it: the access token it keeps for server rendering
// (an HttpOnly cookie of the app's origin), the refresh it makes on the user's behalf (one per
// refresh token, however many requests present it at once), and the cookies of a logout.
// Web APIs only (fetch, atob): Node, edge runtimes, any server framework.
import { parseCookies, serializeCookies, parseSetCookie, setCookie, cooldownCookie } from "./cookies.js";
import { jsonBody, tokenAt } from "./options.js";

/**
 * Refreshes in flight or just done, by API and presented refresh token: one map per process
 * (or isolate), shared by every bundle that includes this module (Next bundles the proxy and
 * the route handlers apart).
 */
const FLIGHTS = Symbol.for("tokenrelay.server.flights");
const flights = (globalThis[FLIGHTS] ??= new Map());

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

/**
 * What the server holds for the browser of a request. With `csrf`, `csrfToken` is the raw value
 * of its cookie, and a refresh token without that cookie is none: it could not be used.
 */
export function sessionOf(opts, cookieHeader, now = Date.now()) {
  const cookies = parseCookies(cookieHeader);
  const csrfToken = opts.csrf ? cookies.get(opts.csrf.cookie) || null : null;
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
    refreshToken: opts.csrf && !csrfToken ? null : cookies.get(opts.refreshCookie) || null,
    csrfToken,
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

/** A cookie's value as a page reads it (percent-decoded, as the browser client sends it). */
export function cookieText(value) {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Headers of a call to the API's auth routes for a browser: the static CSRF header (unless
 * `csrfHeader` is null), its refresh cookie, and with `csrf` its CSRF cookie, whose value also
 * goes in `csrf.header` (double submit; the API may compare the two).
 */
export function authHeaders(opts, { refreshToken = null, csrfToken = null } = {}, secure = false) {
  const headers = { Accept: "application/json" };
  if (opts.csrfHeader !== null) headers[opts.csrfHeader] = "tokenrelay";
  const cookies = [];
  if (refreshToken) cookies.push(`${opts.refreshCookie}=${refreshToken}`);
  if (opts.csrf && csrfToken) {
    cookies.push(`${opts.csrf.cookie}=${csrfToken}`);
    headers[opts.csrf.header] = cookieText(csrfToken);
  }
  if (cookies.length) headers.Cookie = cookies.join("; ");
  if (secure) headers["X-Forwarded-Proto"] = "https";
  return headers;
}

/** The `fetch` init of a POST to an API auth route for `session`, with `body` (a JSON value, or none). */
function authCall(opts, session, secure, body) {
  const init = { method: "POST", headers: authHeaders(opts, session, secure), cache: "no-store", redirect: "manual" };
  const text = jsonBody(body);
  if (text !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = text;
  }
  return init;
}

/** Whether a refresh answered `status` ends the session: 4xx but 408 and 429, as in the browser client. */
function refusesSession(status) {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/**
 * Refreshes on the user's behalf with the refresh token (and CSRF cookie) the request presented,
 * `session` as `sessionOf` reads it. Every request presenting the same token within the
 * cooldown shares one API call and its answer, so tabs navigating at once never spend one token
 * twice. Resolves with `{ outcome: "ok", accessToken, body, setCookies, mintedAt }`,
 * `{ outcome: "rejected", status }` (401, 403, any other 4xx but 408 and 429: the session is
 * over) or `{ outcome: "failed", status }` (network, 5xx, 408, 429, a bad answer: the session is
 * kept).
 */
export function refreshFor(opts, session, { secure = false, now = Date.now() } = {}) {
  const { refreshToken } = session;
  for (const [key, flight] of flights) {
    if (flight.done && now - flight.done > opts.cooldownMs) flights.delete(key);
  }
  const key = `${opts.apiBase}\n${refreshToken}`;
  const known = flights.get(key);
  if (known) return known.promise;
  const flight = { done: 0, promise: null };
  flight.promise = callRefresh(opts, session, secure).then((result) => {
    // Only a rotation is worth sharing with late arrivals; anything else may be retried.
    if (result.outcome === "ok") flight.done = Date.now();
    else flights.delete(key);
    return result;
  });
  flights.set(key, flight);
  return flight.promise;
}

async function callRefresh(opts, session, secure) {
  const init = authCall(opts, session, secure, opts.refreshBody);
  try {
    return await boundedFetch(opts, opts.apiBase + opts.refreshPath, init, async (response) => {
      const { status } = response;
      if (refusesSession(status)) {
        await response.body?.cancel();
        return { outcome: "rejected", status };
      }
      if (!response.ok) {
        await response.body?.cancel();
        return { outcome: "failed", status: status >= 500 || status === 408 || status === 429 ? status : 502 };
      }
      const body = await response.json().catch(() => null);
      const accessToken = tokenAt(opts, body);
      if (typeof accessToken !== "string" || !decodeClaims(accessToken)) return { outcome: "failed", status: 502 };
      return { outcome: "ok", accessToken, body, setCookies: response.headers.getSetCookie(), mintedAt: Date.now() };
    });
  } catch {
    return { outcome: "failed", status: 502 }; // no answer in time, or none at all
  }
}

/**
 * Logs the browser of `session` out on the API (when it holds a refresh token, and with `csrf`
 * its CSRF cookie). Resolves with the API's status (0 when unreachable); the caller clears the
 * cookies whatever it is.
 */
export async function logoutFor(opts, session, { secure = false } = {}) {
  if (!session.refreshToken) return 200;
  const init = authCall(opts, session, secure, opts.logoutBody);
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
