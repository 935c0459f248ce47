// tokenrelay/next's route handlers and cooldown helpers in Vercel's edge runtime VM
// (@edge-runtime/vm, a devDependency of www/examples/next): Web APIs only, no Node
// globals, against the real reference server. The proxy itself runs on the edge in a real Next
// build (next.test.mjs); this covers the rest of the entry on a strict edge context.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { createRequire } from "node:module";
import net from "node:net";
import { build } from "esbuild";
import { root, startServer } from "../e2e/lib/server.mjs";
import { prepareConsumer } from "../e2e/lib/pack.mjs";

const dir = path.join(root, "www/examples/next");
let vm, server;

before(async () => {
  prepareConsumer(dir);
  // The entry as a bundler would hand it to the edge: one script (next/server, which only the
  // proxy loads, stays out).
  const bundle = await build({ entryPoints: [path.join(dir, "node_modules/tokenrelay/next.js")], bundle: true,
    format: "iife", globalName: "tokenrelayNext", external: ["next/server"], write: false, logLevel: "warning" });
  const { EdgeVM } = createRequire(path.join(dir, "package.json"))("@edge-runtime/vm");
  vm = new EdgeVM({ initialCode: bundle.outputFiles[0].text });
  server = await startServer({ extraArgs: ["--host-cookie"] });
});
after(async () => {
  await server?.stop();
});

/** Runs `body` (an async function's source, given `lib` and `api`) in the VM; its JSON result. */
async function inEdge(body, api = server.api) {
  const text = await vm.evaluate(`(async (lib, api) => JSON.stringify(await (${body})(lib, api)))(tokenrelayNext, ${JSON.stringify(api)})`);
  return JSON.parse(text);
}

test("the context is the edge runtime's: Web APIs, no Node globals", async () => {
  const seen = await inEdge(`async () => ({ edge: typeof EdgeRuntime, process: typeof process, Buffer: typeof Buffer,
    require: typeof require, getSetCookie: typeof Headers.prototype.getSetCookie, timeout: typeof AbortSignal.timeout })`);
  assert.deepEqual(seen, { edge: "string", process: "undefined", Buffer: "undefined", require: "undefined",
    getSetCookie: "function", timeout: "function" });
});

test("cooldown helpers and option errors in the edge runtime", async () => {
  const seen = await inEdge(`async (lib) => {
    const now = 1800000000123;
    let error = null;
    try { lib.createNextAuth({ apiBase: "/relative" }); } catch (e) { error = e.name + " " + e.code; }
    return { line: lib.cooldownCookie(now), read: lib.readCooldown("a=1; lastTokenRefresh=" + now),
      cooling: lib.isCoolingDown("lastTokenRefresh=" + now, { now: now + 4999 }),
      cooled: lib.isCoolingDown("lastTokenRefresh=" + now, { now: now + 5000 }),
      prefetch: lib.isPrefetch({ headers: new Headers({ "Next-Router-Prefetch": "1" }) }), error };
  }`);
  assert.deepEqual(seen, { line: "lastTokenRefresh=1800000000123; Path=/; SameSite=Lax", read: 1800000000123,
    cooling: true, cooled: false, prefetch: true, error: "TokenRelayError config" });
  // Claims are UTF-8 JSON in base64url (atob and TextDecoder, no Buffer).
  const utf8 = await inEdge(`async (lib) => {
    const bytes = new TextEncoder().encode(JSON.stringify({ exp: 2, sub: "é" }));
    const part = btoa(String.fromCharCode(...bytes)).replace(/=+$/, "").replace(/\\+/g, "-").replace(/\\//g, "_");
    return lib.decodeClaims("x." + part + ".y");
  }`);
  assert.deepEqual(utf8, { exp: 2, sub: "é" });
});

test("the auth route handlers in the edge runtime: login, 20 concurrent refreshes make 1 API call, logout clears everything", async () => {
  await server.reset();
  const seen = await inEdge(`async (lib, api) => {
    const auth = lib.createNextAuth({ apiBase: api });
    const post = (action, headers, body) => auth.POST(new Request("http://127.0.0.1:3000/auth/" + action,
      { method: "POST", headers: { "X-Requested-With": "tokenrelay", ...headers }, body }));
    const login = await post("login", { "Content-Type": "application/json" },
      JSON.stringify({ email: "demo@example.com", password: "demo" }));
    const loginCookies = login.headers.getSetCookie();
    const refreshCookie = loginCookies.find((c) => c.startsWith("__Host-refreshToken=")).split(";")[0];
    const answers = await Promise.all(Array.from({ length: 20 }, () => post("refresh", { Cookie: refreshCookie })));
    const tokens = new Set();
    let cookiesOk = true;
    for (const res of answers) {
      tokens.add((await res.json()).accessToken);
      const c = res.headers.getSetCookie();
      cookiesOk &&= c.some((l) => l.startsWith("__Host-refreshToken=") && /HttpOnly/.test(l))
        && c.some((l) => l.startsWith("tokenrelayAccess=") && /HttpOnly/.test(l))
        && c.some((l) => /^lastTokenRefresh=\\d+; Path=\\/; SameSite=Lax$/.test(l));
    }
    const noCsrf = await auth.POST(new Request("http://127.0.0.1:3000/auth/refresh",
      { method: "POST", headers: { Cookie: refreshCookie } }));
    const logout = await post("logout", { Cookie: refreshCookie });
    const cleared = logout.headers.getSetCookie();
    return { login: login.status, keptForServer: loginCookies.some((c) => c.startsWith("tokenrelayAccess=")),
      refresh: answers.map((r) => r.status), tokens: tokens.size, cookiesOk, noCsrf: noCsrf.status,
      logout: logout.status,
      cleared: ["__Host-refreshToken", "tokenrelayAccess", "lastTokenRefresh"]
        .every((n) => cleared.some((c) => c.startsWith(n + "=;") && /Max-Age=0/.test(c))) };
  }`);
  assert.deepEqual(seen, { login: 200, keptForServer: true, refresh: Array(20).fill(200), tokens: 1, cookiesOk: true,
    noCsrf: 403, logout: 200, cleared: true });
  const stats = await server.stats();
  assert.equal(stats.refresh, 1, "one API refresh for the 20");
  assert.equal(stats.refreshRotated, 1);
  assert.equal(stats.refreshReuse, 0);
  assert.equal(stats.logout, 1);
});

test("the API unreachable from the edge runtime: 502, the session kept (no cookie cleared)", async () => {
  const seen = await inEdge(`async (lib, api) => {
    const auth = lib.createNextAuth({ apiBase: api, requestTimeoutMs: 2000 });
    const res = await auth.POST(new Request("http://127.0.0.1:3000/auth/refresh", { method: "POST",
      headers: { "X-Requested-With": "tokenrelay", Cookie: "__Host-refreshToken=abc" } }));
    return { status: res.status, cookies: res.headers.getSetCookie().length };
  }`, "http://127.0.0.1:9");
  assert.deepEqual(seen, { status: 502, cookies: 0 });
});

test("an API that never answers: the edge runtime's refresh gives up after requestTimeoutMs with a 502", async () => {
  const silent = net.createServer(() => {}); // accepts, never answers
  await new Promise((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const sockets = new Set();
  silent.on("connection", (s) => sockets.add(s));
  try {
    const seen = await inEdge(`async (lib, api) => {
      const auth = lib.createNextAuth({ apiBase: api, requestTimeoutMs: 300 });
      const started = Date.now();
      const res = await auth.POST(new Request("http://127.0.0.1:3000/auth/refresh", { method: "POST",
        headers: { "X-Requested-With": "tokenrelay", Cookie: "__Host-refreshToken=abc" } }));
      return { status: res.status, cookies: res.headers.getSetCookie().length, ms: Date.now() - started };
    }`, `http://127.0.0.1:${silent.address().port}`);
    assert.equal(seen.status, 502);
    assert.equal(seen.cookies, 0, "not a sign-out");
    assert.ok(seen.ms >= 250 && seen.ms < 5000, `gave up after ${seen.ms} ms`);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});
