// tokenrelay/next under plain Node, as any server (Express, NestJS, Nuxt) would use it: the
// cooldown-cookie helpers, option errors, and the refresh made for the user against the real
// reference server (one API call for many requests presenting the same refresh token).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { root, startServer } from "../e2e/lib/server.mjs";
import { prepareConsumer } from "../e2e/lib/pack.mjs";
import { run } from "../e2e/lib/examples.mjs";

const dir = path.join(root, "www/examples/next");
let lib, server;

before(async () => {
  prepareConsumer(dir);
  lib = await import(pathToFileURL(path.join(dir, "node_modules/tokenrelay/next.js")));
  server = await startServer({ extraArgs: ["--host-cookie"] });
});
after(async () => {
  await server?.stop();
});

test("tokenrelay/next and tokenrelay/axios resolve through the exports map and import under Node with no request and no wasm", async () => {
  const out = await run(process.execPath, ["--input-type=module", "-e", `
    const calls = [];
    globalThis.fetch = (...a) => { calls.push("fetch " + a[0]); throw new Error("no fetch"); };
    for (const k of ["instantiate", "instantiateStreaming", "compile", "compileStreaming"]) {
      WebAssembly[k] = () => { calls.push("wasm " + k); throw new Error("no wasm"); };
    }
    const next = await import("tokenrelay/next");
    const axios = await import("tokenrelay/axios");
    next.createNextAuth({ apiBase: "http://127.0.0.1:1" });
    if (typeof axios.withAuth !== "function" || typeof next.cooldownCookie !== "function") throw new Error("exports");
    if (calls.length) throw new Error(calls.join(", "));
    console.log("ok");`], { cwd: dir });
  assert.match(out, /^ok$/m);
});

test("the cooldown cookie: written as the browser client writes it, read back, aged", () => {
  const now = 1_800_000_000_123;
  assert.equal(lib.COOLDOWN_COOKIE, "lastTokenRefresh");
  assert.equal(lib.COOLDOWN_MS, 5000);
  assert.equal(lib.cooldownCookie(now), "lastTokenRefresh=1800000000123; Path=/; SameSite=Lax");
  const header = `a=1; lastTokenRefresh=${now}; b=2`;
  assert.equal(lib.readCooldown(header), now);
  assert.equal(lib.isCoolingDown(header, { now: now + 4999 }), true);
  assert.equal(lib.isCoolingDown(header, { now: now + 5000 }), false);
  assert.equal(lib.isCoolingDown(header, { now: now - 60000 }), false, "a stamp from the future is ignored");
  for (const bad of ["lastTokenRefresh=abc", "lastTokenRefresh=", "lastTokenRefresh=1e12", "", null, undefined]) {
    assert.equal(lib.readCooldown(bad), null, String(bad));
  }
  assert.deepEqual([...lib.parseCookies("x=1; y = 2 ;x=3; junk")], [["x", "1"], ["y", "2"]]);
});

test("createNextAuth rejects bad and unknown options with a config TokenRelayError", () => {
  for (const options of [undefined, {}, { apiBase: "/relative" }, { apiBase: "ftp://x.test" },
    { apiBase: "http://127.0.0.1:1", refreshCooki: "x" }]) {
    assert.throws(() => lib.createNextAuth(options), (e) => e.name === "TokenRelayError" && e.code === "config",
      JSON.stringify(options));
  }
});

test("isPrefetch: Next's router header and the browser's speculative loads", () => {
  const req = (headers) => ({ headers: new Headers(headers) });
  assert.equal(lib.isPrefetch(req({ "Next-Router-Prefetch": "1" })), true);
  assert.equal(lib.isPrefetch(req({ "Sec-Purpose": "prefetch;prerender" })), true);
  assert.equal(lib.isPrefetch(req({ Purpose: "prefetch" })), true);
  assert.equal(lib.isPrefetch(req({ Accept: "text/html" })), false);
});

test("20 concurrent refreshes presenting one refresh token make 1 API call and share its answer", async () => {
  await server.reset();
  const login = await fetch(`${server.api}/auth/login`, { method: "POST",
    headers: { "Content-Type": "application/json", "X-Requested-With": "test" },
    body: JSON.stringify({ email: "demo@example.com", password: "demo" }) });
  assert.equal(login.status, 200);
  const refreshCookie = login.headers.getSetCookie()[0].split(";")[0];
  assert.match(refreshCookie, /^__Host-refreshToken=/);
  const auth = lib.createNextAuth({ apiBase: server.api });
  const call = () => auth.POST(new Request("http://127.0.0.1:3000/auth/refresh", { method: "POST",
    headers: { Cookie: `${refreshCookie}; other=1`, "X-Requested-With": "tokenrelay" } }));
  const answers = await Promise.all(Array.from({ length: 20 }, call));
  const tokens = new Set();
  for (const res of answers) {
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    tokens.add((await res.json()).accessToken);
    const cookies = res.headers.getSetCookie();
    assert.ok(cookies.some((c) => c.startsWith("__Host-refreshToken=") && /HttpOnly/.test(c)));
    assert.ok(cookies.some((c) => c.startsWith("tokenrelayAccess=") && /HttpOnly/.test(c) && /SameSite=Strict/.test(c)));
    assert.ok(cookies.some((c) => /^lastTokenRefresh=\d+; Path=\/; SameSite=Lax$/.test(c)));
  }
  assert.equal(tokens.size, 1, "every request got the same new token");
  const stats = await server.stats();
  assert.equal(stats.refresh, 1);
  assert.equal(stats.refreshRotated, 1);
  assert.equal(stats.refreshReuse, 0);

  const noCsrf = await auth.POST(new Request("http://127.0.0.1:3000/auth/refresh",
    { method: "POST", headers: { Cookie: refreshCookie } }));
  assert.equal(noCsrf.status, 403, "the static CSRF header is required");
  const logout = await auth.POST(new Request("http://127.0.0.1:3000/auth/logout", { method: "POST",
    headers: { Cookie: refreshCookie, "X-Requested-With": "tokenrelay" } }));
  assert.equal(logout.status, 200);
  const cleared = logout.headers.getSetCookie();
  for (const name of ["__Host-refreshToken", "tokenrelayAccess", "lastTokenRefresh"]) {
    assert.ok(cleared.some((c) => c.startsWith(`${name}=;`) && /Max-Age=0/.test(c)), `${name} cleared`);
  }
});
