// What real apps do: a caller's AbortSignal, logout without a network, an answer body that
// stalls. Headless Chromium against the reference server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openHarness, makeClient, DEMO } from "./lib/browser.mjs";
import { suite } from "./lib/suite.mjs";
import { root } from "./lib/server.mjs";

const env = suite();

/** Polls `predicate(arg)` in `target` (a page, or a Node function when `target` is null)
 * until it is truthy, for at most 10 s. */
async function until(target, predicate, arg, what = "condition") {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = target ? await target.evaluate(predicate, arg) : await predicate(arg);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A signed-in tab of the harness. */
async function signedInTab(options = {}) {
  const page = await openHarness(env.context, env.server.web, env.errors);
  await makeClient(page, options);
  await page.evaluate((demo) => window.auth.login(demo), DEMO);
  return page;
}

/** The names of the Web Locks held in the page's origin. */
const heldLocks = (page) => page.evaluate(async () => (await navigator.locks.query()).held.map((l) => l.name));

test("an aborted call rejects at once with AbortError while the refresh goes on for the others (x3)", async () => {
  for (let round = 0; round < 3; round++) {
    await env.server.reset();
    const page = await signedInTab();
    await env.server.expireAccess();
    await env.server.faults({ refreshDelayMs: 4000, refreshTimes: 1 });
    const result = await page.evaluate(async () => {
      const controller = new AbortController();
      const settle = (p) => p.then((r) => ({ status: r.status }), (e) => ({ name: e?.name, code: e?.code, at: performance.now() }));
      const others = Array.from({ length: 5 }, () => settle(window.auth.fetch("/api/me")));
      const aborted = settle(window.auth.fetch("/api/me", { signal: controller.signal }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const abortedAt = performance.now();
      controller.abort();
      const own = await aborted;
      return { own, after: own.at - abortedAt, others: await Promise.all(others) };
    });
    assert.equal(result.own.name, "AbortError", `round ${round}: the signal's reason, not a TokenRelayError`);
    assert.equal(result.own.code, 20, "a DOMException ABORT_ERR");
    assert.ok(result.after < 100, `round ${round}: settled ${result.after.toFixed(1)} ms after the abort`);
    assert.deepEqual(result.others, Array(5).fill({ status: 200 }), "the refresh went on for the others");
    const stats = await env.server.stats();
    assert.equal(stats.refresh, 1, "exactly one refresh");
    await page.close();
  }
});

test("an already aborted signal sends nothing; a custom reason and a Request's own signal are kept", async () => {
  const page = await signedInTab();
  const before = (await env.server.stats()).apiOk + (await env.server.stats()).api401;
  const results = await page.evaluate(async () => {
    const seen = [];
    const original = window.fetch;
    window.fetch = (input, init) => {
      seen.push(typeof input === "string" ? input : input.url);
      return original(input, init);
    };
    const name = (p) => p.then((r) => r.status, (e) => (e instanceof DOMException ? e.name : String(e)));
    const out = [
      await name(window.auth.fetch("/api/me", { signal: AbortSignal.abort() })),
      await name(window.auth.fetch(new Request(`${window.apiBase}/api/me`, { signal: AbortSignal.abort() }))),
      await name(window.auth.fetch("/api/me", { signal: AbortSignal.abort("gone") })),
    ];
    window.fetch = original;
    return { out, seen };
  });
  assert.deepEqual(results.out, ["AbortError", "AbortError", "gone"]);
  assert.deepEqual(results.seen, [], "no request was started");
  const stats = await env.server.stats();
  assert.equal(stats.apiOk + stats.api401, before, "the API saw nothing");
  assert.equal(stats.refresh, 0);
  await page.close();
});

test("a call aborted while its request is on the wire rejects with AbortError", async () => {
  const page = await signedInTab();
  await env.server.expireAccess();
  await env.server.faults({ refreshDelayMs: 4000, refreshTimes: 1 });
  // The refresh of a 401 is slow; abort when the refresh starts (the state says so).
  const name = await page.evaluate(async () => {
    const controller = new AbortController();
    const call = window.auth.fetch("/api/me", { signal: controller.signal }).then(() => "answered", (e) => e.name);
    await new Promise((resolve) => {
      const off = window.auth.subscribe((s) => { if (s.status === "refreshing") { off(); resolve(); } });
    });
    controller.abort();
    return call;
  });
  assert.equal(name, "AbortError");
  await page.close();
});

/** Two signed-in tabs of one session, and the refresh cookie they share. */
async function twoTabs() {
  const a = await signedInTab();
  const b = await openHarness(env.context, env.server.web, env.errors);
  await makeClient(b);
  assert.equal((await b.evaluate(() => window.auth.start())).status, "signedIn");
  const cookies = (await env.context.cookies()).filter((c) => c.httpOnly);
  assert.equal(cookies.length, 1, "a refresh cookie exists");
  return { a, b, cookies };
}

/** Waits until no tab sends or waits to send a logout (the marker gone, the lock free). */
const logoutSettled = (page) => until(page, async () => localStorage.getItem("tokenrelay:logoutPending") === null
  && !(await navigator.locks.query()).held.concat((await navigator.locks.query()).pending).some((l) => l.name === "tokenrelay:logout"),
undefined, "the pending logout settled");

/** The refresh cookie captured before the logout is refused by the server now. */
async function cookieIsDead(cookies) {
  await env.context.addCookies(cookies);
  const page = await openHarness(env.context, env.server.web, env.errors);
  await makeClient(page);
  const before = await env.server.stats();
  assert.equal((await page.evaluate(() => window.auth.start())).status, "signedOut");
  const after = await env.server.stats();
  assert.equal(after.refresh - before.refresh, 1, "the old cookie was presented");
  assert.equal(after.refreshRotated - before.refreshRotated, 0, "and refused");
  await page.close();
}

test("logout offline signs out every tab at once and is sent once when the pages come online (x3)", async () => {
  for (let round = 0; round < 3; round++) {
    await env.server.reset();
    const { a, b, cookies } = await twoTabs();
    await env.context.setOffline(true);
    const out = await a.evaluate(() => window.auth.logout().then((s) => ({ status: s.status, confirmed: s.confirmed, error: s.error?.code })));
    assert.deepEqual(out, { status: "signedOut", confirmed: false, error: "network" });
    await until(b, () => window.auth.state.status === "signedOut", undefined, "tab B signed out");
    // The marker and the session epoch hold no token: numbers only.
    const stored = Object.fromEntries(await a.evaluate(() => Object.entries(localStorage)));
    assert.deepEqual(Object.keys(stored).sort(), ["tokenrelay:epoch", "tokenrelay:logoutPending"]);
    assert.match(stored["tokenrelay:logoutPending"], /^\d+$/, "a time, not a token");
    assert.equal(stored["tokenrelay:epoch"], stored["tokenrelay:logoutPending"], "the logout's epoch");
    assert.equal((await env.server.stats()).logout, 0, "offline: the server heard nothing");
    // Both tabs hear `online`: one of them tells the server, once.
    await env.context.setOffline(false);
    await until(null, async () => (await env.server.stats()).logout >= 1, undefined, "the logout on the server");
    await logoutSettled(a);
    const stats = await env.server.stats();
    assert.equal(stats.logout, 1, `round ${round}: exactly one logout`);
    assert.equal(stats.refresh, 0, "no tab tried to restore the session");
    for (const page of [a, b]) assert.equal(await page.evaluate(() => window.auth.state.status), "signedOut");
    await cookieIsDead(cookies);
    await a.close();
    await b.close();
  }
});

test("a reload while the API is unreachable and one after it is back both end signedOut; one logout", async () => {
  const { a, b, cookies } = await twoTabs();
  // The API unreachable (a network failure in the browser; the pages still load).
  const unreachable = (route) => route.abort("internetdisconnected");
  await env.context.route(`${env.server.api}/**`, unreachable);
  const out = await a.evaluate(() => window.auth.logout().then((s) => ({ status: s.status, confirmed: s.confirmed })));
  assert.deepEqual(out, { status: "signedOut", confirmed: false });
  await until(b, () => window.auth.state.status === "signedOut", undefined, "tab B signed out");
  for (const page of [b, a]) {
    await page.reload();
    await page.waitForFunction(() => window.trReady);
    await makeClient(page);
    assert.equal((await page.evaluate(() => window.auth.start())).status, "signedOut", "no restore while unreachable");
  }
  assert.equal((await env.server.stats()).logout, 0);
  await env.context.unroute(`${env.server.api}/**`, unreachable);
  await b.reload();
  await b.waitForFunction(() => window.trReady);
  await makeClient(b);
  assert.equal((await b.evaluate(() => window.auth.start())).status, "signedOut", "no restore once reachable");
  await until(null, async () => (await env.server.stats()).logout === 1, undefined, "the logout on the server");
  await logoutSettled(b);
  const stats = await env.server.stats();
  assert.equal(stats.logout, 1, "exactly one logout");
  // A start after the logout was confirmed may ask the server (its cookie is gone): refused.
  assert.equal(stats.refreshRotated, 0, "no tab restored the session");
  await cookieIsDead(cookies);
  await a.close();
  await b.close();
});

test("a login after a logout that waits for the server sends that logout first", async () => {
  const { a, b } = await twoTabs();
  const unreachable = (route) => route.abort("internetdisconnected");
  await env.context.route(`${env.server.api}/**`, unreachable);
  await a.evaluate(() => window.auth.logout());
  await env.context.unroute(`${env.server.api}/**`, unreachable);
  const state = await b.evaluate((demo) => window.auth.login(demo), DEMO);
  assert.equal(state.status, "signedIn");
  const stats = await env.server.stats();
  assert.equal(stats.logout, 1, "the old session was logged out first");
  assert.equal(await b.evaluate(() => localStorage.getItem("tokenrelay:logoutPending")), null, "no marker left");
  // The new session is alive: a reload restores it.
  await b.reload();
  await b.waitForFunction(() => window.trReady);
  await makeClient(b);
  assert.equal((await b.evaluate(() => window.auth.start())).status, "signedIn");
  await a.close();
  await b.close();
});

test("logout online is confirmed; a logout answered 401 counts as confirmed", async () => {
  const page = await signedInTab();
  const first = await page.evaluate(() => window.auth.logout().then((s) => ({ status: s.status, confirmed: s.confirmed })));
  assert.deepEqual(first, { status: "signedOut", confirmed: true });
  assert.equal(await page.evaluate(() => localStorage.getItem("tokenrelay:logoutPending")), null, "no marker left");
  // A server that answers the logout 401 (the session was already over).
  await env.server.faults({ logoutStatus: 401 });
  await page.evaluate((demo) => window.auth.login(demo), DEMO);
  const second = await page.evaluate(() => window.auth.logout().then((s) => ({ status: s.status, confirmed: s.confirmed })));
  assert.deepEqual(second, { status: "signedOut", confirmed: true });
  assert.equal(await page.evaluate(() => localStorage.getItem("tokenrelay:logoutPending")), null, "no marker left");
  // A 503 is not confirmed, and the marker stays for the retry.
  await env.server.faults({});
  await page.evaluate((demo) => window.auth.login(demo), DEMO);
  await env.server.faults({ logoutStatus: 503 });
  const third = await page.evaluate(() => window.auth.logout().then((s) => ({ status: s.status, confirmed: s.confirmed, error: s.error?.code })));
  assert.deepEqual(third, { status: "signedOut", confirmed: false, error: "server" });
  assert.notEqual(await page.evaluate(() => localStorage.getItem("tokenrelay:logoutPending")), null, "the marker stays");
  await page.close();
});

test("a refresh whose body stalls times out after requestTimeoutMs", async () => {
  const page = await signedInTab({ requestTimeoutMs: 500 });
  await env.server.faults({ refreshStallBody: true, refreshTimes: 1 });
  const out = await page.evaluate(async () => {
    const t0 = performance.now();
    const code = await window.auth.refresh().then(() => "resolved", (e) => e.code);
    return { code, ms: performance.now() - t0 };
  });
  assert.equal(out.code, "network");
  assert.ok(out.ms < 1000, `rejected after ${out.ms.toFixed(0)} ms`);
  assert.deepEqual(await heldLocks(page).then((names) => names.filter((n) => n === "tokenrelay")), [], "no refresh lock held");
  await page.close();
});

test("dispose during a refresh whose body stalls rejects at once and releases the lock", async () => {
  const page = await signedInTab({ requestTimeoutMs: 60_000 });
  await env.server.faults({ refreshStallBody: true, refreshTimes: 1 });
  await page.evaluate(() => {
    window.refreshing = window.auth.refresh().then(() => "resolved", (e) => e.code);
  });
  // The headers (with the new cookie) have arrived: the body is what stalls.
  await until(null, async () => (await env.server.stats()).refreshRotated === 1, undefined, "the rotation");
  await until(page, async () => (await navigator.locks.query()).held.some((l) => l.name === "tokenrelay"), undefined, "the refresh lock");
  const out = await page.evaluate(async () => {
    const t0 = performance.now();
    window.auth.dispose();
    const code = await window.refreshing;
    return { code, ms: performance.now() - t0 };
  });
  assert.equal(out.code, "disposed");
  assert.ok(out.ms < 100, `rejected ${out.ms.toFixed(1)} ms after dispose`);
  await until(page, async () => !(await navigator.locks.query()).held.some((l) => l.name === "tokenrelay"), undefined, "the lock released");
  await page.close();
});

for (const [label, dist] of [["axios 1.21 (the fetch path)", "axios"], ["axios 1.7 (the interceptors)", "axios-1-7"]]) {
  test(`${label}: a call aborted while its refresh runs rejects at once with axios's CanceledError`, async () => {
    const page = await signedInTab();
    await page.addScriptTag({ path: `${root}/node_modules/${dist}/dist/axios.min.js` });
    await page.evaluate(async () => {
      const { withAuth } = await import("/pkg/axios.js");
      window.api = withAuth(window.axios.create({ baseURL: window.apiBase }), window.auth);
      await window.api.get("/api/me"); // the instance learns its path
    });
    await env.server.expireAccess();
    await env.server.faults({ refreshDelayMs: 4000, refreshTimes: 1 });
    const out = await page.evaluate(async () => {
      const controller = new AbortController();
      const settle = (p) => p.then((r) => ({ status: r.status }), (e) => ({ cancel: window.axios.isCancel(e), code: e.code, at: performance.now() }));
      const other = settle(window.api.get("/api/me"));
      const aborted = settle(window.api.get("/api/me", { signal: controller.signal }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const abortedAt = performance.now();
      controller.abort();
      const own = await aborted;
      const already = await settle(window.api.get("/api/me", { signal: AbortSignal.abort() }));
      return { own, after: own.at - abortedAt, already, other: await other };
    });
    assert.deepEqual([out.own.cancel, out.own.code], [true, "ERR_CANCELED"], "axios's own cancellation");
    assert.ok(out.after < 100, `settled ${out.after.toFixed(1)} ms after the abort`);
    assert.deepEqual([out.already.cancel, out.already.code], [true, "ERR_CANCELED"]);
    assert.deepEqual(out.other, { status: 200 }, "the refresh went on for the other call");
    const stats = await env.server.stats();
    assert.equal(stats.refresh, 1);
    assert.equal(stats.apiOk + stats.api401, 1 + 2 + 1, "learning call, two 401s, one retry; nothing for the aborted calls after");
    await page.close();
  });
}
