// Bad input gets a typed error, never a panic: options, refused logins, malformed answers.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { openHarness, makeClient, DEMO } from "./lib/browser.mjs";
import { suite } from "./lib/suite.mjs";

const env = suite();
let page;

beforeEach(async () => {
  page = await openHarness(env.context, env.server.web, env.errors);
});

const construct = (options) => page.evaluate((options) => {
  try {
    new window.tr.AuthClient(options === "MISSING" ? undefined : options);
    return null;
  } catch (e) {
    return { ours: window.tr.isTokenRelayError(e), isError: e instanceof Error, code: e.code, message: e.message };
  }
}, options);

test("bad options throw config errors that name the option", async () => {
  const api = env.server.api;
  const cases = [
    [{ apiBase: "" }, "apiBase"], [{ apiBase: "ftp://x" }, "apiBase"], [{ apiBase: "/relative" }, "apiBase"],
    [{ apiBase: 42 }, "apiBase"], [{}, "apiBase"], ["MISSING", "apiBase"], [null, "apiBase"],
    [{ apiBase: api, refreshAheadSeconds: "soon" }, "refreshAheadSeconds"],
    [{ apiBase: api, allowedOrigins: "x" }, "allowedOrigins"],
    [{ apiBase: api, allowedOrigins: ["not an origin"] }, "allowedOrigins"],
    [{ apiBase: api, useWebLocks: "yes" }, "useWebLocks"],
    [{ apiBase: api, cooldownMs: -1 }, "cooldownMs"],
    [{ apiBase: api, csrfHeader: "bad header" }, "csrfHeader"],
    [{ apiBase: api, requestTimeoutMs: 0 }, "requestTimeoutMs"],
    [{ apiBase: api, tokenfield: "x" }, "tokenfield"], // unknown options are typos, not ignored
  ];
  for (const [options, name] of cases) {
    const err = await construct(options);
    assert.ok(err, `${JSON.stringify(options)} must throw`);
    assert.equal(err.ours, true);
    assert.equal(err.isError, true);
    assert.equal(err.code, "config");
    assert.ok(err.message.includes(name), `${err.message} names ${name}`);
  }
  assert.equal(await construct({ apiBase: api }), null);
});

test("a wrong password is unauthorized and leaves the state signed out", async () => {
  await makeClient(page);
  const err = await page.evaluate(() => window.auth.login({ email: "demo@example.com", password: "nope" })
    .catch((e) => ({ code: e.code, status: e.status, ours: window.tr.isTokenRelayError(e) })));
  assert.deepEqual(err, { code: "unauthorized", status: 401, ours: true });
  const state = await page.evaluate(() => window.auth.state);
  assert.equal(state.status, "signedOut");
  assert.equal(state.error.code, "unauthorized");
});

/** Answers the next login with `body` (status 200, CORS allowed for the page). */
async function fakeLogin(body, contentType = "application/json") {
  const origin = new URL(env.server.web).origin;
  await page.route("**/auth/login", (route) => route.fulfill({
    status: 200, body, contentType,
    headers: { "access-control-allow-origin": origin, "access-control-allow-credentials": "true" },
  }));
}

const loginError = () => page.evaluate((demo) => window.auth.login(demo)
  .then(() => null, (e) => ({ code: e.code, ours: window.tr.isTokenRelayError(e) })), DEMO);

test("a login answer without the token field is bad_response", async () => {
  await makeClient(page);
  await fakeLogin(JSON.stringify({ token: "x" }));
  assert.deepEqual(await loginError(), { code: "bad_response", ours: true });
  assert.notEqual(await page.evaluate(() => window.auth.state.status), "signedIn");
});

test("a non-JSON login answer is bad_response", async () => {
  await makeClient(page);
  await fakeLogin("<html>proxy error</html>", "text/html");
  assert.deepEqual(await loginError(), { code: "bad_response", ours: true });
});

test("a malformed JWT is bad_token", async () => {
  await makeClient(page);
  for (const jwt of ["not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.sig", "eyJhbGciOiJIUzI1NiJ9.e30.sig"]) {
    await page.unrouteAll();
    await fakeLogin(JSON.stringify({ accessToken: jwt }));
    assert.deepEqual(await loginError(), { code: "bad_token", ours: true }, jwt);
  }
  assert.notEqual(await page.evaluate(() => window.auth.state.status), "signedIn");
});

test("a dead API is a network error, never a sign-out or a hang", async () => {
  await makeClient(page, { apiBase: "http://127.0.0.1:9", requestTimeoutMs: 3000 });
  const state = await page.evaluate(() => window.auth.start());
  assert.equal(state.status, "unknown");
  assert.equal(state.error.code, "network");
  const err = await page.evaluate((demo) => window.auth.login(demo).catch((e) => e.code), DEMO);
  assert.equal(err, "network");
});

test("a request that outlives requestTimeoutMs is a network error", async () => {
  await makeClient(page, { requestTimeoutMs: 300 });
  await page.evaluate((demo) => window.auth.login(demo), DEMO);
  await env.server.faults({ refreshDelayMs: 3000 });
  const err = await page.evaluate(() => window.auth.refresh().catch((e) => ({ code: e.code, message: e.message })));
  assert.equal(err.code, "network");
  assert.match(err.message, /timed out/);
  assert.equal(await page.evaluate(() => window.auth.state.status), "signedIn");
});

test("calls after dispose reject with disposed", async () => {
  await makeClient(page);
  const codes = await page.evaluate(async (demo) => {
    window.auth.dispose();
    const code = (p) => p.then(() => null, (e) => e.code);
    return [await code(window.auth.fetch("/api/me")), await code(window.auth.login(demo)),
      await code(window.auth.start())];
  }, DEMO);
  assert.deepEqual(codes, ["disposed", "disposed", "disposed"]);
});
