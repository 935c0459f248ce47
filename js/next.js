// tokenrelay/next: refresh before render. A proxy (Next 16 `proxy.ts`, or `middleware.ts`) that
// refreshes a missing or due server-side token once before a protected page renders, route
// handlers for the auth calls of the browser client on the app's own origin, and the token for
// server components. No wasm, Web APIs only (Node and edge runtimes). The cooldown-cookie
// helpers work in any server middleware (Express, NestJS, Nuxt).
import {
  sessionOf, refreshFor, logoutFor, cookieHeaderAfter, cookiesAfter, clearingCookies,
  accessCookie, decodeClaims, boundedFetch, authHeaders, cookieText,
} from "./lib/server/session.js";
import { resolveOptions, tokenAt, tokenAnswer } from "./lib/server/options.js";
import { isCoolingDown } from "./lib/server/cookies.js";

export {
  COOLDOWN_COOKIE, COOLDOWN_MS, parseCookies, readCooldown, isCoolingDown, cooldownCookie,
} from "./lib/server/cookies.js";
export { decodeClaims };

/** Whether a request is a prefetch (Next's router, or the browser's speculative loads). */
export function isPrefetch(request) {
  const h = request.headers;
  return h.get("next-router-prefetch") === "1" || /prefetch|prerender/i.test(h.get("sec-purpose") ?? "")
    || /prefetch/i.test(h.get("purpose") ?? "") || /prefetch/i.test(h.get("x-purpose") ?? "");
}

const isSecure = (request) => new URL(request.url).protocol === "https:";

function json(status, body, cookies = [], extra = {}) {
  const headers = new Headers({ "Content-Type": "application/json", "Cache-Control": "no-store", ...extra });
  for (const line of cookies) headers.append("Set-Cookie", line);
  return new Response(JSON.stringify(body), { status, headers });
}

/**
 * The server side of a Next app that uses tokenrelay: `proxy(request)` for `proxy.ts` (or
 * `middleware.ts`), `POST(request)` for the route handler of the auth calls
 * (`app/auth/[action]/route.js`), and `accessToken(cookieStore)` for server components.
 * Throws a `config` TokenRelayError for a bad or unknown option.
 */
export function createNextAuth(options) {
  const opts = resolveOptions(options);
  return {
    options: opts,
    proxy: (request) => proxy(opts, request),
    POST: (request) => route(opts, request),
    accessToken: (cookies) => accessToken(opts, cookies),
  };
}

/** The access token the server holds for this request (null when missing or expired). */
function accessToken(opts, cookies) {
  const header = typeof cookies === "string" ? cookies
    : cookies && typeof cookies.get === "function"
      ? `${opts.accessCookie}=${cookies.get(opts.accessCookie)?.value ?? ""}` : "";
  const session = sessionOf(opts, header);
  return session.expired ? null : session.accessToken;
}

/**
 * Before a protected page renders: nothing when the server's token is valid and not due, or
 * for a prefetch; otherwise one refresh (shared by every request presenting the same refresh
 * token) whose cookies reach both the browser and the server components of this request. A
 * refused session is sent to the login route once, with every auth cookie cleared.
 */
async function proxy(opts, request) {
  const { NextResponse } = await import("next/server");
  const url = new URL(request.url);
  const secure = url.protocol === "https:";
  const header = request.headers.get("cookie") ?? "";
  const now = Date.now();
  const session = sessionOf(opts, header, now);
  const pass = () => {
    const response = NextResponse.next();
    response.headers.set("Cache-Control", "private, no-store");
    return response;
  };
  if (url.pathname === opts.loginRoute) return NextResponse.next(); // never a loop
  if (session.accessToken && !session.due) return pass();
  if (isPrefetch(request)) return NextResponse.next(); // a prefetch never refreshes
  // A refresh just happened in this browser: a token still valid is good enough.
  if (session.accessToken && !session.expired
    && isCoolingDown(header, { now, cooldownMs: opts.cooldownMs, name: opts.cooldownCookie })) return pass();
  const toLogin = () => {
    const target = new URL(opts.loginRoute, url);
    target.searchParams.set("redirect", url.pathname + url.search);
    const response = NextResponse.redirect(target, 307);
    for (const line of clearingCookies(opts, secure)) response.headers.append("Set-Cookie", line);
    response.headers.set("Cache-Control", "no-store");
    return response;
  };
  if (!session.refreshToken) return toLogin();
  const result = await refreshFor(opts, session, { secure, now });
  if (result.outcome === "rejected") return toLogin();
  if (result.outcome === "failed") return pass(); // not a sign-out: the page renders without a token
  const headers = new Headers(request.headers);
  headers.set("cookie", cookieHeaderAfter(opts, header, result));
  const response = NextResponse.next({ request: { headers } });
  for (const line of cookiesAfter(opts, result, secure)) response.headers.append("Set-Cookie", line);
  response.headers.set("Cache-Control", "private, no-store");
  return response;
}

/**
 * The auth calls of the browser client, on the app's origin: login (relayed to the API, and
 * the token kept for server rendering), refresh (a token this server minted within the
 * cooldown is handed over without a rotation; otherwise one shared refresh) and logout (the
 * API's logout, then every auth cookie cleared).
 */
async function route(opts, request) {
  const { pathname } = new URL(request.url);
  if (opts.csrfHeader !== null && !request.headers.get(opts.csrfHeader)) {
    return json(403, { error: "csrf", message: `the ${opts.csrfHeader} header is required` });
  }
  const secure = isSecure(request);
  const header = request.headers.get("cookie") ?? "";
  const session = sessionOf(opts, header);
  // Double submit: a browser holding the CSRF cookie sends its value in the header.
  if (session.csrfToken && request.headers.get(opts.csrf.header) !== cookieText(session.csrfToken)) {
    const message = `the ${opts.csrf.header} header must hold the ${opts.csrf.cookie} cookie's value`;
    return json(403, { error: "csrf", message });
  }
  if (pathname === opts.refreshPath) {
    if (session.fresh) return json(200, tokenAnswer(opts, session.accessToken));
    if (!session.refreshToken) {
      return json(401, { error: "refresh_rejected", message: "no session" }, clearingCookies(opts, secure));
    }
    const result = await refreshFor(opts, session, { secure });
    if (result.outcome === "ok") return json(200, result.body, cookiesAfter(opts, result, secure));
    if (result.outcome === "rejected") {
      return json(401, { error: "refresh_rejected", message: "the session is over" }, clearingCookies(opts, secure));
    }
    return json(result.status, { error: "unavailable", message: "the API did not refresh" });
  }
  if (pathname === opts.logoutPath) {
    await logoutFor(opts, session, { secure });
    return json(200, {}, clearingCookies(opts, secure));
  }
  if (pathname === opts.loginPath) return login(opts, request, session, secure);
  return json(404, { error: "not_found", message: `no auth route ${pathname}` });
}

async function login(opts, request, session, secure) {
  const init = {
    method: "POST",
    headers: { "Content-Type": request.headers.get("content-type") ?? "application/json",
      ...authHeaders(opts, { csrfToken: session.csrfToken }, secure) },
    body: await request.text(),
    cache: "no-store",
    redirect: "manual",
  };
  let response, body;
  try {
    [response, body] = await boundedFetch(opts, opts.apiBase + opts.loginPath, init,
      async (answer) => [answer, await answer.json().catch(() => ({}))]);
  } catch {
    return json(502, { error: "unavailable", message: "the API did not answer" });
  }
  const cookies = response.headers.getSetCookie();
  const token = tokenAt(opts, body);
  if (response.ok && typeof token === "string" && decodeClaims(token)) {
    cookies.push(accessCookie(opts, token, Date.now(), secure));
  }
  const retryAfter = response.headers.get("retry-after");
  return json(response.status, body, cookies, retryAfter ? { "Retry-After": retryAfter } : {});
}
