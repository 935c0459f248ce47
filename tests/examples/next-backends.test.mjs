// tokenrelay/next with the browser client's backend options (README, Backend recipes), under
// plain Node against small node:http APIs that answer as the recipes' servers do
// (www/backends/README.md): Directus (the token in `data.access_token`, 400 for a refresh
// without its cookie, no CSRF header allowed) and flask-jwt-extended (double-submit CSRF: the
// `csrf_refresh_token` cookie's value in `X-CSRF-TOKEN`). Each API records what it was sent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import path from "node:path";
import { register } from "node:module";
import { pathToFileURL } from "node:url";
import { root } from "../e2e/lib/server.mjs";
import { prepareConsumer } from "../e2e/lib/pack.mjs";

const dir = path.join(root, "www/examples/next");
const APP = "http://127.0.0.1:3000";
let lib, session;
const apis = [];

before(async () => {
  prepareConsumer(dir);
  lib = await import(pathToFileURL(path.join(dir, "node_modules/tokenrelay/next.js")));
  session = await import(pathToFileURL(path.join(dir, "node_modules/tokenrelay/lib/server/session.js")));
  // `next/server` has no exports map: bundlers resolve it, plain Node needs the file's name.
  register(`data:text/javascript,${encodeURIComponent(`export function resolve(specifier, context, next) {
    return next(specifier === "next/server" ? "next/server.js" : specifier, context); }`)}`);
});
after(async () => {
  for (const api of apis) await api.close();
});

let minted = 0;
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** A JWT as the API would sign it (tokenrelay's server side reads it unverified). */
function jwt(lifetimeSecs = 60) {
  const iat = Math.floor(Date.now() / 1000);
  return `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: "1", iat, exp: iat + lifetimeSecs, n: ++minted })}.sig`;
}

/**
 * An API on a free port: `answer({ path, headers, cookies, body })` returns `{ status, json,
 * setCookies }`; every request is kept in `calls`.
 */
async function startApi(answer) {
  const calls = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => { body += d; });
    req.on("end", () => {
      const cookies = Object.fromEntries(String(req.headers.cookie ?? "").split(";").filter((p) => p.includes("="))
        .map((p) => [p.slice(0, p.indexOf("=")).trim(), p.slice(p.indexOf("=") + 1).trim()]));
      const call = { path: req.url, headers: req.headers, cookies, body };
      calls.push(call);
      const { status = 200, json, setCookies = [] } = answer(call);
      res.writeHead(status, { "Content-Type": "application/json", "Set-Cookie": setCookies });
      res.end(json === undefined ? "" : JSON.stringify(json));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const api = { url: `http://127.0.0.1:${server.address().port}`, calls,
    close: () => new Promise((resolve) => server.close(resolve)) };
  apis.push(api);
  return api;
}

/** Directus 12 in cookie mode, as observed (www/backends/README.md). */
function directus({ call }) {
  return startApi(({ path: route, headers, cookies }) => {
    if (headers["x-requested-with"]) return { status: 403, json: { errors: [{ message: "CORS" }] } };
    const cookie = (value) => [`directus_refresh_token=${value}; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax`];
    if (route === "/auth/login") return { json: { data: { expires: 60000, access_token: jwt() } }, setCookies: cookie("r0") };
    if (route === "/auth/refresh") {
      if (call) return call(cookies);
      if (!cookies.directus_refresh_token) return { status: 400, json: { errors: [{ extensions: { code: "INVALID_PAYLOAD" } }] } };
      return { json: { data: { expires: 60000, access_token: jwt() } }, setCookies: cookie(`r${minted}`) };
    }
    if (route === "/auth/logout") return { status: 204, setCookies: cookie("") };
    return { status: 404 };
  });
}
const DIRECTUS = { tokenField: "data.access_token", csrfHeader: null, refreshCookie: "directus_refresh_token",
  refreshBody: { mode: "cookie" }, logoutBody: { mode: "cookie" } };

/** flask-jwt-extended with double-submit CSRF (www/backends/flask/app.py), without rotation. */
function flask() {
  return startApi(({ path: route, headers, cookies }) => {
    if (route === "/auth/login") return { json: { access_token: jwt() } };
    if (!cookies.refresh_token_cookie) return { status: 401, json: { msg: "Missing cookie" } };
    const csrf = headers["x-csrf-token"];
    if (!csrf) return { status: 401, json: { msg: "Missing CSRF token" } };
    if (csrf !== decodeURIComponent(cookies.csrf_refresh_token)) {
      return { status: 401, json: { msg: "CSRF double submit tokens do not match" } };
    }
    if (route === "/auth/refresh") return { json: { access_token: jwt() } };
    return { json: { msg: "logged out" } };
  });
}
const FLASK = { tokenField: "access_token", csrfHeader: null, refreshCookie: "refresh_token_cookie",
  csrf: { cookie: "csrf_refresh_token", header: "X-CSRF-TOKEN" } };

const post = (auth, route, headers = {}, body) => auth.POST(new Request(APP + route,
  { method: "POST", headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
const setCookie = (res, name) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
const pair = (line) => line.split(";")[0];

test("each backend option is validated: a config TokenRelayError naming it", () => {
  const bad = {
    tokenField: ["", " ", "data.", ".data", "a..b", 5, null],
    csrfHeader: ["X Bad:", "", 5, {}],
    csrf: ["X-CSRF-TOKEN", { cookie: "csrf_refresh_token" }, { cookie: 1, header: "X-CSRF-TOKEN" }],
    "csrf.cookie": [{ cookie: "bad name", header: "X-CSRF-TOKEN" }],
    "csrf.header": [{ cookie: "csrf_refresh_token", header: "X-CSRF:" }],
    refreshBody: [() => 1, Symbol("x"), 1n, (() => { const o = {}; o.self = o; return o; })()],
    logoutBody: [() => 1, 1n],
  };
  for (const [name, values] of Object.entries(bad)) {
    const option = name.split(".")[0];
    for (const value of values) {
      assert.throws(() => lib.createNextAuth({ apiBase: "http://127.0.0.1:1", [option]: value }),
        (e) => e.name === "TokenRelayError" && e.code === "config" && e.message.startsWith(`${name} must`),
        `${name}: ${String(value)}`);
    }
  }
  const { options } = lib.createNextAuth({ apiBase: "http://127.0.0.1:1", ...FLASK, refreshBody: { mode: "cookie" },
    logoutBody: [1, "a"], tokenField: "data.access_token", csrfHeader: undefined });
  assert.equal(options.tokenField, "data.access_token");
  assert.equal(options.csrfHeader, "X-Requested-With", "undefined takes the default, as in the browser client");
  assert.deepEqual(options.csrf, FLASK.csrf);
  assert.deepEqual(options.refreshBody, { mode: "cookie" });
  const defaults = lib.createNextAuth({ apiBase: "http://127.0.0.1:1" }).options;
  assert.equal(defaults.csrf, null);
  assert.equal(defaults.refreshBody, undefined);
  assert.equal(lib.createNextAuth({ apiBase: "http://127.0.0.1:1", csrfHeader: null }).options.csrfHeader, null);
});

test("Directus shape: a nested token read on login and refresh, the fresh-token answer nested the same way, bodies sent, no CSRF header", async () => {
  const api = await directus({});
  const auth = lib.createNextAuth({ apiBase: api.url, ...DIRECTUS });

  const login = await post(auth, "/auth/login", { "Content-Type": "application/json" },
    { email: "a@example.com", password: "pw", mode: "cookie" });
  assert.equal(login.status, 200, "csrfHeader: null: the route does not require it");
  const token = (await login.json()).data.access_token;
  const access = setCookie(login, "tokenrelayAccess");
  assert.ok(access?.includes(token), "the nested token is kept for server rendering");
  const refreshCookie = pair(setCookie(login, "directus_refresh_token"));
  assert.equal(refreshCookie, "directus_refresh_token=r0");

  const refresh = await post(auth, "/auth/refresh", { Cookie: refreshCookie });
  assert.equal(refresh.status, 200);
  const refreshed = (await refresh.json()).data.access_token;
  assert.notEqual(refreshed, token);
  assert.ok(setCookie(refresh, "tokenrelayAccess")?.includes(refreshed), "the nested token read on refresh");
  const call = api.calls.at(-1);
  assert.equal(call.path, "/auth/refresh");
  assert.equal(call.body, '{"mode":"cookie"}');
  assert.equal(call.headers["content-type"], "application/json");
  assert.equal(call.cookies.directus_refresh_token, "r0");
  for (const { headers } of api.calls) {
    assert.ok(!Object.values(headers).includes("tokenrelay"), `no static CSRF header: ${JSON.stringify(headers)}`);
  }

  // Within the cooldown the route hands its fresh token over, where the browser client looks for it.
  const calls = api.calls.length;
  const fresh = await post(auth, "/auth/refresh", { Cookie: `${pair(setCookie(refresh, "tokenrelayAccess"))}` });
  assert.equal(fresh.status, 200);
  assert.deepEqual(await fresh.json(), { data: { access_token: refreshed } });
  assert.equal(api.calls.length, calls, "no API call");

  const logout = await post(auth, "/auth/logout", { Cookie: pair(setCookie(refresh, "directus_refresh_token")) });
  assert.equal(logout.status, 200);
  assert.equal(api.calls.at(-1).path, "/auth/logout");
  assert.equal(api.calls.at(-1).body, '{"mode":"cookie"}');
  assert.equal(api.calls.at(-1).headers["content-type"], "application/json");
});

test("default options: the static header to the API and required from the browser, no body", async () => {
  const api = await startApi(() => ({ json: { accessToken: jwt() } }));
  const auth = lib.createNextAuth({ apiBase: api.url });
  const refused = await post(auth, "/auth/refresh", { Cookie: "__Host-refreshToken=d1" });
  assert.equal(refused.status, 403, "the static CSRF header is required");
  assert.equal(api.calls.length, 0);
  const res = await post(auth, "/auth/refresh", { Cookie: "__Host-refreshToken=d1", "X-Requested-With": "x" });
  assert.equal(res.status, 200);
  assert.equal(typeof (await res.json()).accessToken, "string");
  const call = api.calls.at(-1);
  assert.equal(call.headers["x-requested-with"], "tokenrelay");
  assert.equal(call.body, "");
  assert.equal(call.headers["content-type"], undefined);
});

test("a refresh answered 4xx (but 408, 429) is rejected with its status; 5xx, 408, 429 and unreadable answers failed", async () => {
  let status = 200;
  const api = await directus({ call: () => (status === 200 ? { json: { data: {} } } : { status, json: {} }) });
  const opts = lib.createNextAuth({ apiBase: api.url, ...DIRECTUS }).options;
  const outcomes = {};
  for (status of [400, 401, 403, 404, 422, 408, 429, 500, 503, 200]) {
    const result = await session.refreshFor(opts, { refreshToken: `s${status}` });
    outcomes[status] = `${result.outcome} ${result.status}`;
  }
  assert.deepEqual(outcomes, {
    400: "rejected 400", 401: "rejected 401", 403: "rejected 403", 404: "rejected 404", 422: "rejected 422",
    408: "failed 408", 429: "failed 429", 500: "failed 500", 503: "failed 503", 200: "failed 502",
  });

  // The route: a 400 ends the session (cookies cleared), a 503 keeps it.
  const auth = lib.createNextAuth({ apiBase: api.url, ...DIRECTUS });
  status = 400;
  const over = await post(auth, "/auth/refresh", { Cookie: "directus_refresh_token=dead" });
  assert.equal(over.status, 401);
  assert.match(setCookie(over, "directus_refresh_token"), /Max-Age=0/);
  status = 503;
  const kept = await post(auth, "/auth/refresh", { Cookie: "directus_refresh_token=live" });
  assert.equal(kept.status, 503);
  assert.equal(kept.headers.getSetCookie().length, 0);

  // The proxy: a 400 sends the page to the login route with every auth cookie cleared.
  status = 400;
  const page = await auth.proxy(new Request(`${APP}/account`, { headers: { Cookie: "directus_refresh_token=dead" } }));
  assert.equal(page.status, 307);
  assert.equal(page.headers.get("location"), `${APP}/login?redirect=%2Faccount`);
});

test("flask shape: csrf sends the cookie's value in the header (and the cookie) to the API; the route checks the browser's double submit", async () => {
  const api = await flask();
  const auth = lib.createNextAuth({ apiBase: api.url, ...FLASK });
  const cookie = "refresh_token_cookie=rt1; csrf_refresh_token=c%3D1";

  const res = await post(auth, "/auth/refresh", { Cookie: cookie, "X-CSRF-TOKEN": "c=1" });
  assert.equal(res.status, 200);
  assert.equal(typeof (await res.json()).access_token, "string");
  const call = api.calls.at(-1);
  assert.equal(call.headers["x-csrf-token"], "c=1", "the cookie's value, percent-decoded as a page reads it");
  assert.equal(call.cookies.csrf_refresh_token, "c%3D1", "the cookie itself too");
  assert.ok(!Object.values(call.headers).includes("tokenrelay"), "no static CSRF header");

  const calls = api.calls.length;
  const forged = await post(auth, "/auth/refresh", { Cookie: cookie });
  assert.equal(forged.status, 403, "a browser request without the header");
  assert.equal((await post(auth, "/auth/refresh", { Cookie: cookie, "X-CSRF-TOKEN": "other" })).status, 403);
  assert.equal(api.calls.length, calls, "neither reaches the API");

  // No CSRF cookie: no session, and nothing sent to the API.
  const none = await post(auth, "/auth/refresh", { Cookie: "refresh_token_cookie=rt2" });
  assert.equal(none.status, 401);
  assert.match(setCookie(none, "refresh_token_cookie"), /Max-Age=0/);
  const out = await post(auth, "/auth/logout", { Cookie: "refresh_token_cookie=rt2" });
  assert.equal(out.status, 200);
  const page = await auth.proxy(new Request(`${APP}/account`, { headers: { Cookie: "refresh_token_cookie=rt2" } }));
  assert.equal(page.status, 307, "the proxy sends the page to login");
  assert.equal(api.calls.length, calls, "no API call without the CSRF cookie");

  const logout = await post(auth, "/auth/logout", { Cookie: cookie, "X-CSRF-TOKEN": "c=1" });
  assert.equal(logout.status, 200);
  assert.equal(api.calls.at(-1).path, "/auth/logout");
  assert.equal(api.calls.at(-1).headers["x-csrf-token"], "c=1");

  // The proxy, on a navigation (no header possible), sends the cookie's value itself.
  const nav = await auth.proxy(new Request(`${APP}/account`, { headers: { Cookie: "refresh_token_cookie=rt3; csrf_refresh_token=c3" } }));
  assert.equal(api.calls.at(-1).headers["x-csrf-token"], "c3");
  assert.equal(nav.headers.getSetCookie().some((c) => c.startsWith("tokenrelayAccess=")), true, "refreshed before render");
});
