// One refresh across all tabs: several pages of ONE browser context share cookies, the
// BroadcastChannel and Web Locks, as tabs of one browser do.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./lib/server.mjs";
import { openHarness, makeClient, DEMO } from "./lib/browser.mjs";
import { suite } from "./lib/suite.mjs";

const env = suite({ reuseGraceSecs: 0 });

async function openTabs(n, options = {}, web = env.server.web) {
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await openHarness(env.context, web, env.errors);
    await makeClient(page, options);
    pages.push(page);
  }
  return pages;
}

/** Tab 0 logs in; every other tab then restores from it. */
async function signInAll(pages) {
  await pages[0].evaluate((demo) => window.auth.login(demo), DEMO);
  for (const page of pages.slice(1)) {
    const state = await page.evaluate(() => window.auth.start());
    assert.equal(state.status, "signedIn");
  }
}

const fireAll = (pages, perTab) => Promise.all(pages.map((page) => page.evaluate((n) =>
  Promise.all(Array.from({ length: n }, () => window.auth.fetch("/api/me").then((r) => r.status))), perTab)));

for (const useWebLocks of [true, false]) {
  test(`10 tabs x 20 calls after the token was refused: one refresh (useWebLocks: ${useWebLocks})`, async () => {
    const pages = await openTabs(10, { useWebLocks });
    await signInAll(pages);
    const base = await env.server.stats();
    assert.equal(base.refresh, 0, "the other tabs restored from tab 0, not from the server");
    await env.server.expireAccess();
    const statuses = (await fireAll(pages, 20)).flat();
    assert.equal(statuses.length, 200);
    assert.deepEqual(statuses, Array(200).fill(200));
    const stats = await env.server.stats();
    assert.equal(stats.refresh, 1, "one refresh for all tabs");
    assert.equal(stats.refreshReuse, 0);
    for (const page of pages) assert.equal(await page.evaluate(() => window.auth.state.status), "signedIn");
  });
}

test("a new tab restores from a signed-in tab without a request", async () => {
  const [first] = await openTabs(1);
  await first.evaluate((demo) => window.auth.login(demo), DEMO);
  const [second] = await openTabs(1);
  const started = await second.evaluate(async () => {
    const t0 = performance.now();
    const state = await window.auth.start();
    return { status: state.status, ms: performance.now() - t0 };
  });
  assert.equal(started.status, "signedIn");
  assert.equal((await env.server.stats()).refresh, 0);
});

test("8 tabs restored at once (browser restart) make one refresh", async () => {
  const [seed] = await openTabs(1);
  await seed.evaluate((demo) => window.auth.login(demo), DEMO);
  await seed.close(); // the token in memory is gone; the refresh cookie stays
  const pages = await openTabs(8);
  const states = await Promise.all(pages.map((p) => p.evaluate(() => window.auth.start())));
  assert.deepEqual(states.map((s) => s.status), Array(8).fill("signedIn"));
  const stats = await env.server.stats();
  assert.equal(stats.refresh, 1);
  assert.equal(stats.refreshReuse, 0);
});

test("logout in one tab signs out every tab within 200 ms; login signs in every tab", async () => {
  const pages = await openTabs(4);
  await signInAll(pages);
  const t0 = await pages[2].evaluate(async () => {
    const t = Date.now();
    await window.auth.logout();
    return t;
  });
  for (const page of pages) {
    await page.waitForFunction(() => window.auth.state.status === "signedOut", null, { timeout: 2000 });
    const at = await page.evaluate(() => window.changes.findLast((c) => c.status === "signedOut").at);
    assert.ok(at - t0 < 200, `signed out ${at - t0} ms after the logout call`);
  }
  await pages[1].evaluate((demo) => window.auth.login(demo), DEMO);
  for (const page of pages) {
    await page.waitForFunction(() => window.auth.state.status === "signedIn", null, { timeout: 2000 });
  }
  assert.equal((await env.server.stats()).refresh, 0);
});

test("garbage on the channel changes nothing and throws nothing", async () => {
  const pages = await openTabs(3);
  await signInAll(pages);
  const before = await Promise.all(pages.map((p) => p.evaluate(() => window.changes.length)));
  await pages[0].evaluate(() => {
    const ch = new BroadcastChannel("tokenrelay");
    const valid = { v: 1, from: "a", kind: "signedOut", expired: true };
    const garbage = [
      "x", 1, null, undefined, true, [], {}, "x".repeat(1 << 20),
      JSON.stringify(valid), // text is not the format
      [valid], { ...valid, v: 2 }, { ...valid, v: "1" }, { ...valid, from: "" }, { ...valid, from: 7 },
      { ...valid, from: "x".repeat(65) }, { ...valid, expired: "yes" }, { ...valid, kind: "nope" },
      { v: 1, from: "a", kind: "token", token: "garbage", obtainedAt: 1 },
      { v: 1, from: "a", kind: "token", token: "a.b.c", obtainedAt: "x" },
      { v: 1, from: "a", kind: "token", token: "", obtainedAt: 1 },
      { v: 1, from: "a", kind: "claim", at: -1 }, { v: 1, from: "a", kind: "claim", at: Infinity },
    ];
    for (const g of garbage) ch.postMessage(g);
    ch.close();
  });
  // A valid message posted after the garbage proves the garbage was processed (in order).
  await pages[0].evaluate(() => {
    const ch = new BroadcastChannel("tokenrelay");
    ch.postMessage({ v: 1, from: "probe", kind: "ask" });
    window.probe = new Promise((resolve) => {
      ch.onmessage = (e) => { if (e.data?.kind === "token") resolve(true); };
    });
  });
  assert.equal(await pages[0].evaluate(() => window.probe), true, "tabs still answer after garbage");
  const after = await Promise.all(pages.map((p) => p.evaluate(() => window.changes.length)));
  assert.deepEqual(after, before, "no state change in any tab");
  for (const page of pages) assert.equal(await page.evaluate(() => window.auth.state.status), "signedIn");
});

test("a tab closed mid-refresh blocks nobody and no token is reused", async () => {
  const graceServer = await startServer({ reuseGraceSecs: 5 });
  try {
    const pages = await openTabs(3, {}, graceServer.web);
    await signInAll(pages);
    await graceServer.faults({ refreshDelayMs: 1500 });
    await pages[0].evaluate(() => { window.auth.refresh().catch(() => {}); });
    // Wait until the server holds tab 0's refresh, then close tab 0 mid-refresh.
    const deadline = Date.now() + 10000;
    while ((await graceServer.stats()).refresh < 1) {
      assert.ok(Date.now() < deadline, "tab 0's refresh reached the server");
    }
    await pages[0].close();
    await graceServer.faults({});
    await graceServer.expireAccess();
    const statuses = (await fireAll(pages.slice(1), 5)).flat();
    assert.deepEqual(statuses, Array(10).fill(200));
    for (const page of pages.slice(1)) {
      assert.equal(await page.evaluate(() => window.auth.state.status), "signedIn");
    }
    const stats = await graceServer.stats();
    assert.equal(stats.refreshReuse, 0);
  } finally {
    await graceServer.stop();
  }
});

test("a frozen lock holder is taken over once it is provably stale, not before", async () => {
  const pages = await openTabs(2, { requestTimeoutMs: 500 });
  await signInAll(pages);
  // A script in tab 0 takes the lock and never lets go (a frozen tab), posting nothing.
  await pages[0].evaluate(() => new Promise((granted) => {
    navigator.locks.request("tokenrelay", () => { granted(); return new Promise(() => {}); })
      .catch(() => {}); // rejected when the lock is stolen
  }));
  await env.server.expireAccess();
  const result = await pages[1].evaluate(async () => {
    const t0 = performance.now();
    const status = (await window.auth.fetch("/api/me")).status;
    return { status, ms: performance.now() - t0 };
  });
  assert.equal(result.status, 200);
  // Stale bound: requestTimeoutMs + 0.3 s of peer wait + 1 s slack = 1.8 s.
  assert.ok(result.ms >= 1800, `waited ${result.ms} ms before taking over`);
  const stats = await env.server.stats();
  assert.equal(stats.refresh, 1);
  assert.equal(stats.refreshReuse, 0);
});

test("tabs waking up with an expired token (focus, visibility, online) refresh once in all", async () => {
  const pages = await openTabs(5);
  await signInAll(pages);
  const before = await Promise.all(pages.map((p) => p.evaluate(() => window.auth.state.expiresAt)));
  // The laptop slept past the token's expiry: clocks jump, no timer has run yet.
  await Promise.all(pages.map((p) => p.clock.setSystemTime(Math.max(...before) + 5000)));
  await Promise.all(pages.map((p) => p.evaluate(() => {
    window.dispatchEvent(new Event("online"));
    document.dispatchEvent(new Event("visibilitychange"));
    window.dispatchEvent(new Event("focus"));
  })));
  for (const [i, page] of pages.entries()) {
    await page.waitForFunction((old) => window.auth.state.status === "signedIn" && window.auth.state.expiresAt > old,
      before[i], { timeout: 5000 });
  }
  const stats = await env.server.stats();
  assert.equal(stats.refresh, 1, "one refresh for all the tabs that woke up");
  assert.equal(stats.refreshReuse, 0);
});

test("a burst of 100 questions on the channel gets 2 answers, not 100 (one answer per 50 ms)", async () => {
  const [page] = await openTabs(1);
  await signInAll([page]);
  // A script of the same origin floods the channel with questions in one task.
  const first = await page.evaluate(() => new Promise((resolve) => {
    window.answers = 0;
    const ch = new BroadcastChannel("tokenrelay");
    ch.onmessage = (e) => {
      if (e.data?.kind !== "token") return;
      window.answers++;
      if (window.answers === 2) resolve(window.answers);
    };
    for (let i = 0; i < 100; i++) ch.postMessage({ v: 1, from: `probe-${i}`, kind: "ask" });
  }));
  assert.equal(first, 2, "one answer at once, one for the rest of the burst");
  // Any further answer would be one per question (a missing rate limit): none may follow.
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.answers), 2);
});
