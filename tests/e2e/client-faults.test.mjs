// Faults of the field that the client itself must handle: late 401s after the session ended,
// and credentials only where the token may go.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openHarness, makeClient, DEMO } from "./lib/browser.mjs";
import { suite } from "./lib/suite.mjs";
import { startServer } from "./lib/server.mjs";

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

test("the token never appears in a console message, an error's text or the state", async () => {
  const page = await openHarness(env.context, env.server.web, env.errors);
  const logged = [];
  page.on("console", (m) => logged.push(m.text()));
  await makeClient(page);
  await page.evaluate((demo) => window.auth.login(demo), DEMO);
  const tokens = [await page.evaluate(() => window.auth.accessToken())];
  // Every kind of failure the client reports: refused access, failed and rejected refreshes,
  // bad arguments, a listener that throws, a disposed client.
  await env.server.expireAccess();
  const texts = await page.evaluate(async () => {
    const out = [];
    const note = (e) => out.push(String(e), e?.message ?? "", e?.stack ?? "", JSON.stringify(window.auth.state));
    window.auth.subscribe(() => { throw new Error("listener failure"); });
    await window.auth.fetch("/api/me").then((r) => out.push(String(r.status)), note);
    await window.auth.fetch("/api/me", { method: "GET", body: "x" }).catch(note);
    await window.auth.fetch(42).catch(note);
    return out;
  });
  tokens.push(await page.evaluate(() => window.auth.accessToken()));
  await env.server.faults({ refreshStatus: 503 });
  texts.push(...await page.evaluate(() => window.auth.refresh().then((s) => [JSON.stringify(s)], (e) => [e.message, e.stack, JSON.stringify(window.auth.state)])));
  await env.server.faults({});
  await env.server.reset(); // forgets the family: the next refresh is rejected
  texts.push(...await page.evaluate(() => window.auth.refresh().then((s) => [JSON.stringify(s)], (e) => [e.message, e.stack, JSON.stringify(window.auth.state)])));
  texts.push(...await page.evaluate(() => { window.auth.dispose(); return window.auth.accessToken().catch((e) => [e.message, e.stack]); }));
  assert.ok(logged.some((t) => t.includes("a state listener threw")), "the console was captured");
  for (const token of tokens) {
    const signature = token.split(".")[2];
    for (const text of [...texts, ...logged]) {
      assert.ok(!text.includes(token) && !text.includes(signature), `token in: ${text.slice(0, 200)}`);
    }
  }
});

test("without iat and with a clock 2 h fast, the server's Date header gives the token's lifetime", async () => {
  const server = await startServer({ accessTtlSecs: 600 });
  try {
    await server.faults({ omitIat: true });
    const page = await env.context.newPage();
    await page.addInitScript(() => {
      const RealDate = Date;
      const shift = 2 * 3600 * 1000;
      globalThis.Date = class extends RealDate {
        constructor(...args) { if (args.length) super(...args); else super(RealDate.now() + shift); }
        static now() { return RealDate.now() + shift; }
      };
    });
    await page.goto(`${server.web}/harness.html`);
    await page.waitForFunction(() => window.trReady);
    await makeClient(page);
    const state = await page.evaluate((demo) => window.auth.login(demo), DEMO);
    assert.equal(state.status, "signedIn");
    assert.equal(state.user.iat, undefined, "the token has no iat");
    const left = await page.evaluate(() => window.auth.state.expiresAt - Date.now());
    // exp is 2 h in the past by the page's clock; the Date header says 600 s are left.
    assert.ok(left > 590_000 && left <= 601_000, `lifetime from the Date header: ${left} ms left`);
    await page.evaluate(() => window.auth.fetch("/api/me"));
    assert.equal((await server.stats()).refresh, 0, "not due on arrival: no refresh");
    await page.close();
  } finally {
    await server.stop();
  }
});
