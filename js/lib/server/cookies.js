// Cookies as server code sees them: a request's `Cookie` header read and rewritten, `Set-Cookie`
// lines written, and the cooldown cookie `lastTokenRefresh` that the browser client and server
// middleware share. Web APIs only: runs on Node, edge runtimes and in any server framework.

/** The cooldown cookie's default name, as the browser client writes it. */
export const COOLDOWN_COOKIE = "lastTokenRefresh";
/** A refresh younger than this is not repeated (the client's default `cooldownMs`). */
export const COOLDOWN_MS = 5000;

/** The cookies of a `Cookie` header, in order (the first of a repeated name wins on read). */
export function parseCookies(header) {
  const cookies = new Map();
  for (const part of String(header ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(at + 1).trim());
  }
  return cookies;
}

/** A `Cookie` header from a map of cookies; a value of `null` drops the cookie. */
export function serializeCookies(cookies) {
  return [...cookies].filter(([, v]) => v !== null && v !== undefined).map(([n, v]) => `${n}=${v}`).join("; ");
}

/** The name and value of a `Set-Cookie` line, and whether it deletes the cookie. */
export function parseSetCookie(line) {
  const [pair, ...attributes] = String(line).split(";");
  const at = pair.indexOf("=");
  const name = pair.slice(0, at).trim();
  const value = pair.slice(at + 1).trim();
  const maxAge = attributes.map((a) => a.trim().match(/^max-age=(-?\d+)$/i)).find(Boolean);
  return { name, value, deleted: value === "" || (maxAge !== undefined && Number(maxAge[1]) <= 0) };
}

/** A `Set-Cookie` line. `maxAge` in seconds (0 deletes); `secure` adds `Secure`. */
export function setCookie(name, value, { path = "/", maxAge, httpOnly = false, sameSite = "Lax", secure = false } = {}) {
  let line = `${name}=${value}; Path=${path}; SameSite=${sameSite}`;
  if (maxAge !== undefined) line += `; Max-Age=${Math.max(0, Math.floor(maxAge))}`;
  if (httpOnly) line += "; HttpOnly";
  if (secure || name.startsWith("__Host-") || name.startsWith("__Secure-")) line += "; Secure";
  return line;
}

/** The cooldown stamp of a `Cookie` header: epoch ms of the last refresh, or null. */
export function readCooldown(cookieHeader, name = COOLDOWN_COOKIE) {
  const value = parseCookies(cookieHeader).get(name);
  if (!value || !/^\d{1,16}$/.test(value)) return null;
  return Number(value);
}

/** Whether the last refresh of this browser is younger than `cooldownMs`. */
export function isCoolingDown(cookieHeader, { now = Date.now(), cooldownMs = COOLDOWN_MS, name = COOLDOWN_COOKIE } = {}) {
  const stamp = readCooldown(cookieHeader, name);
  return stamp !== null && stamp <= now + 1000 && now - stamp < cooldownMs;
}

/**
 * The `Set-Cookie` line that stamps the cooldown cookie after a refresh made for the user:
 * `lastTokenRefresh=<epoch ms>; Path=/; SameSite=Lax`, readable by the browser client.
 */
export function cooldownCookie(now = Date.now(), { name = COOLDOWN_COOKIE, secure = false } = {}) {
  return setCookie(name, String(Math.floor(now)), { secure });
}
