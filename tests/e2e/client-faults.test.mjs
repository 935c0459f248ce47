// Faults of the field that the client itself must handle: late 401s after the session ended,
// and credentials only where the token may go.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openHarness, makeClient, DEMO } from "./lib/browser.mjs";
import { suite } from "./lib/suite.mjs";

const env = suite();

/** Makes the page's `fetch` record each call's credentials and hold answers from `/api/me`
 * until `window.releaseAnswers()` (auth.fetch uses the page's current fetch). */
async function instrumentFetch(page) {
  await page.evaluate(() => {
    const original = window.fetch;
    window.seen = [];
    let release;
    window.held = new Promise((resolve) => { release = resolve; });
    window.releaseAnswers = () => release();
    window.holdMe = false;
    window.fetch = (input, init) => {
      const url = typeof input === "string" ? input : input.url;
      window.seen.push({ url, credentials: init?.credentials ?? (typeof input === "string" ? undefined : input.credentials) });
      const answer = original(input, init);
      return window.holdMe && url.endsWith("/api/me") ? answer.then((r) => window.held.then(() => r)) : answer;
    };
  });
}

test("401s that arrive after a logout in another tab start no refresh (x3)", async () => {
  for (let round = 0; round < 3; round++) {
    await env.server.reset();
    const a = await openHarness(env.context, env.server.web, env.errors);
    await makeClient(a);
    await a.evaluate((demo) => window.auth.login(demo), DEMO);
    const b = await openHarness(env.context, env.server.web, env.errors);
    await makeClient(b);
    assert.equal((await b.evaluate(() => window.auth.start())).status, "signedIn");
    await instrumentFetch(a);
    await env.server.expireAccess();
    // Ten calls on the wire with the token; their 401s are held back in tab A.
    await a.evaluate(() => {
      window.holdMe = true;
      window.calls = Promise.all(Array.from({ length: 10 }, () => window.auth.fetch("/api/me").then((r) => r.status)));
    });
    await a.waitForFunction(() => window.seen.length === 10);
    await b.evaluate(() => window.auth.logout());
    await a.waitForFunction(() => window.auth.state.status === "signedOut");
    const statuses = await a.evaluate(() => { window.releaseAnswers(); return window.calls; });
    assert.deepEqual(statuses, Array(10).fill(401), "each call gets its own 401, no loop");
    const stats = await env.server.stats();
    assert.equal(stats.refresh, 0, `round ${round}: the session is known to be over: no refresh`);
    assert.equal(stats.logout, 1);
    await a.close();
    await b.close();
  }
});

test("credentials: include only for apiBase and allowedOrigins; elsewhere the caller's choice", async () => {
  const page = await openHarness(env.context, env.server.web, env.errors);
  const api = new URL(env.server.api);
  const allowed = `http://localhost:${api.port}`;
  await makeClient(page, { allowedOrigins: [allowed] });
  await page.evaluate((demo) => window.auth.login(demo), DEMO);
  await instrumentFetch(page);
  // A foreign origin: the web listener under another name (its answers have no CORS headers,
  // so the browser refuses them; only what was sent matters here).
  const foreign = `http://localhost:${new URL(env.server.web).port}/config.json`;
  const results = await page.evaluate(async ({ allowed, foreign }) => {
    const settle = (p) => p.then((r) => r.status, (e) => e.code);
    return [
      await settle(window.auth.fetch("/api/me")),
      await settle(window.auth.fetch(`${allowed}/api/me`)),
      await settle(window.auth.fetch(foreign)),
      await settle(window.auth.fetch(foreign, { credentials: "omit" })),
      await settle(window.auth.fetch(new Request(foreign, { credentials: "same-origin" }))),
    ];
  }, { allowed, foreign });
  assert.deepEqual(results.slice(0, 2), [200, 200]);
  const credentials = await page.evaluate(() => window.seen.map((s) => s.credentials));
  assert.deepEqual(credentials, ["include", "include", undefined, "omit", "same-origin"]);
});
