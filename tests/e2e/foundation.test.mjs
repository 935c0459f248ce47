// The foundation end to end: real Chromium, the reference server, page and API on different ports.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { openHarness, makeClient, DEMO } from "./lib/browser.mjs";
import { suite } from "./lib/suite.mjs";

const env = suite();

async function signedInPage(options = {}) {
  const page = await openHarness(env.context, env.server.web, env.errors);
  await makeClient(page, options);
  const state = await page.evaluate((demo) => window.auth.login(demo), DEMO);
  assert.equal(state.status, "signedIn");
  return page;
}

test("login stores the HttpOnly refresh cookie across origins", async () => {
  const page = await signedInPage();
  const state = await page.evaluate(() => window.auth.state);
  assert.equal(state.user.email, "demo@example.com");
  assert.equal(state.error, null);
  assert.ok(state.expiresAt > Date.now(), "expiresAt is in the future");
  const cookie = (await env.context.cookies()).find((c) => c.name === "refreshToken");
  assert.ok(cookie, "the cross-origin Set-Cookie was kept (credentials: include)");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.path, "/auth");
  assert.equal((await env.server.stats()).login, 1);
});

test("a reload followed by start() restores the session with one refresh", async () => {
  const page = await signedInPage();
  await page.reload();
  await page.waitForFunction(() => window.trReady);
  await makeClient(page);
  assert.equal(await page.evaluate(() => window.auth.state.status), "unknown");
  const state = await page.evaluate(() => window.auth.start());
  assert.equal(state.status, "signedIn");
  assert.equal(state.user.email, "demo@example.com");
  const stats = await env.server.stats();
  assert.equal(stats.refresh, 1);
  assert.equal(stats.refreshReuse, 0);
});

test("50 concurrent fetches after the token was refused: one refresh, all succeed", async () => {
  const page = await signedInPage();
  await env.server.expireAccess();
  const statuses = await page.evaluate(() =>
    Promise.all(Array.from({ length: 50 }, () => window.auth.fetch("/api/me").then((r) => r.status))));
  assert.deepEqual(statuses, Array(50).fill(200));
  const stats = await env.server.stats();
  assert.equal(stats.refresh, 1, "exactly one refresh");
  assert.equal(stats.refreshReuse, 0);
  assert.equal(stats.apiOk, 50);
});

test("a POST body is replayed intact after a 401 (init and Request inputs)", async () => {
  const page = await signedInPage();
  await env.server.expireAccess();
  const payload = { text: "héllo ✓", list: [1, 2, { deep: [true, null, 3.5] }], big: "x".repeat(100000) };
  const echoed = await page.evaluate(async (payload) => {
    const res = await window.auth.fetch("/api/echo", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload),
    });
    return { status: res.status, json: await res.json() };
  }, payload);
  assert.equal(echoed.status, 200);
  assert.deepEqual(echoed.json.body, payload);
  assert.equal(echoed.json.contentType, "application/json");
  assert.ok((await env.server.stats()).api401 >= 1, "the first attempt was refused");
  await env.server.expireAccess();
  const viaRequest = await page.evaluate(async (payload) => {
    const req = new Request(window.apiBase + "/api/echo", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload),
    });
    const res = await window.auth.fetch(req);
    return { status: res.status, json: await res.json() };
  }, payload);
  assert.equal(viaRequest.status, 200);
  assert.deepEqual(viaRequest.json.body, payload);
  assert.equal((await env.server.stats()).refresh, 2);
});

test("a rejected refresh ends in signedOut without a loop", async () => {
  const page = await signedInPage();
  await env.server.faults({ refreshStatus: 401 });
  await env.server.expireAccess();
  const result = await page.evaluate(async () => {
    const res = await window.auth.fetch("/api/me");
    return { status: res.status, state: window.auth.state };
  });
  assert.equal(result.status, 401, "the original 401 goes back to the caller");
  assert.equal(result.state.status, "signedOut");
  assert.equal(result.state.error.code, "session_expired");
  // A further call with no session sends no refresh (no loop).
  const again = await page.evaluate(async () => (await window.auth.fetch("/api/me")).status);
  assert.equal(again, 401);
  const stats = await env.server.stats();
  assert.equal(stats.refresh, 1, "one refresh, no retry loop");
  assert.equal(stats.api401, 2);
});

test("reuse detected by the server signs out, once", async () => {
  const page = await signedInPage();
  // Another client of the same user spends the refresh token behind our back.
  const cookie = (await env.context.cookies()).find((c) => c.name === "refreshToken");
  const stolen = await fetch(env.server.api + "/auth/refresh", {
    method: "POST", headers: { "x-requested-with": "attacker", cookie: `refreshToken=${cookie.value}` },
  });
  assert.equal(stolen.status, 200);
  await env.server.expireAccess();
  const status = await page.evaluate(async () => (await window.auth.fetch("/api/me")).status);
  assert.equal(status, 401);
  const state = await page.evaluate(() => window.auth.state);
  assert.equal(state.status, "signedOut");
  assert.equal(state.error.code, "session_expired");
  const stats = await env.server.stats();
  assert.equal(stats.refreshReuse, 1);
  assert.equal(stats.refresh, 2, "the attacker's and ours, nothing more");
});

test("server trouble during refresh is not a sign-out", async () => {
  const page = await signedInPage();
  await env.server.faults({ refreshStatus: 503 });
  const err = await page.evaluate(() => window.auth.refresh().then(() => null, (e) => ({
    code: e.code, isOurs: window.tr.isTokenRelayError(e), status: e.status })));
  assert.deepEqual(err, { code: "server", isOurs: true, status: 503 });
  const state = await page.evaluate(() => window.auth.state);
  assert.equal(state.status, "signedIn");
  assert.equal(state.error.code, "server");
  await env.server.faults({});
  const ok = await page.evaluate(() => window.auth.refresh());
  assert.equal(ok.status, "signedIn");
  assert.equal(ok.error, null);
});

test("the token reaches only allowed origins", async () => {
  const seen = [];
  const foreign = http.createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, {
      "access-control-allow-origin": req.headers.origin || "*",
      "access-control-allow-credentials": "true",
      "access-control-allow-headers": req.headers["access-control-request-headers"] || "*",
      "content-type": "application/json",
    });
    res.end("{}");
  });
  await new Promise((r) => foreign.listen(0, "127.0.0.1", r));
  const foreignUrl = `http://127.0.0.1:${foreign.address().port}/x`;
  try {
    const page = await signedInPage();
    await page.evaluate((u) => window.auth.fetch(u), foreignUrl);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].authorization, undefined, "no token for a foreign origin");
    const api = await page.evaluate(async () => (await window.auth.fetch("/api/headers")).json());
    assert.match(api.authorization, /^Bearer ey/);
    // A URL that a naive string check would read as the API's goes to the foreign host,
    // as the browser parses it: no token.
    const tricky = `${new URL(foreignUrl).origin}\\@${new URL(await page.evaluate(() => window.apiBase)).host}/x`;
    await page.evaluate((u) => window.auth.fetch(u), tricky);
    assert.equal(seen.length, 2, "the tricky URL reached the foreign server");
    assert.equal(seen[1].authorization, undefined, "and carried no token");
    // Same-origin page requests (the web server is not the API) get no token either.
    const own = await page.evaluate(async () => (await window.auth.fetch(location.origin + "/config.json")).status);
    assert.equal(own, 200);
    // Allow-listed: now the foreign origin gets it.
    await makeClient(page, { allowedOrigins: [new URL(foreignUrl).origin] });
    await page.evaluate(() => window.auth.start());
    await page.evaluate((u) => window.auth.fetch(u), foreignUrl);
    assert.match(seen.at(-1).authorization, /^Bearer ey/);
  } finally {
    foreign.close();
  }
});

test("the token is kept in no storage the page can read", async () => {
  const page = await signedInPage();
  const token = await page.evaluate(() => window.auth.accessToken());
  assert.match(token, /^ey[\w-]+\.[\w-]+\.[\w-]+$/);
  const found = await page.evaluate(async (token) => {
    const all = (s) => Object.keys(s).map((k) => k + "=" + s.getItem(k)).join("\n");
    return {
      local: all(localStorage).includes(token),
      session: all(sessionStorage).includes(token),
      cookie: document.cookie.includes(token),
      idb: (await indexedDB.databases()).length,
    };
  }, token);
  assert.deepEqual(found, { local: false, session: false, cookie: false, idb: 0 });
  for (const c of await env.context.cookies()) assert.ok(!c.value.includes(token), `cookie ${c.name}`);
});

test("logout clears the cookie and the state", async () => {
  const page = await signedInPage();
  const state = await page.evaluate(() => window.auth.logout());
  assert.equal(state.status, "signedOut");
  assert.equal(state.error, null);
  assert.equal((await env.context.cookies()).find((c) => c.name === "refreshToken"), undefined);
  assert.equal((await env.server.stats()).logout, 1);
  const err = await page.evaluate(() => window.auth.accessToken().catch((e) => e.code));
  assert.equal(err, "not_signed_in");
});

test("a token expired by the clock is refreshed once before 50 concurrent calls", async () => {
  const page = await signedInPage();
  // Move the page's clock past the token's expiry without firing timers (a laptop waking up
  // after the token expired, before any timer ran). The server clock is unchanged.
  const expiresAt = await page.evaluate(() => window.auth.state.expiresAt);
  await page.clock.setSystemTime(expiresAt + 5000);
  assert.ok(await page.evaluate(() => Date.now() > window.auth.state.expiresAt), "the page sees it expired");
  const statuses = await page.evaluate(() =>
    Promise.all(Array.from({ length: 50 }, () => window.auth.fetch("/api/me").then((r) => r.status))));
  assert.deepEqual(statuses, Array(50).fill(200));
  const stats = await env.server.stats();
  assert.equal(stats.refresh, 1, "one refresh for 50 callers");
  assert.equal(stats.api401, 0, "refreshed before sending, not after a 401");
  assert.ok(await page.evaluate(() => window.auth.state.expiresAt > Date.now()));
});

test("a client clock hours off does not change when the token is considered expired", async () => {
  const page = await openHarness(env.context, env.server.web, env.errors);
  await page.clock.setSystemTime(Date.now() - 3 * 3600 * 1000); // 3 hours slow
  await makeClient(page);
  await page.evaluate((demo) => window.auth.login(demo), DEMO);
  const left = await page.evaluate(() => window.auth.state.expiresAt - Date.now());
  assert.ok(left > 55000 && left <= 60000, `expires in ${left} ms by the page's own clock`);
  const status = await page.evaluate(async () => (await window.auth.fetch("/api/me")).status);
  assert.equal(status, 200);
  assert.equal((await env.server.stats()).refresh, 0, "no refresh storm from a skewed clock");
});
