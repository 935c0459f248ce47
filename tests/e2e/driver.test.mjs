// The JS driver's browser plumbing, through the public API against the reference server:
// argument checks of the wrapped fetch, the page's own fetch, the allow-list, the refresh
// Web Lock, what dispose stops, the cooldown cookie, and the wasm's error constructors.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { openHarness, makeClient, DEMO } from "./lib/browser.mjs";
import { suite } from "./lib/suite.mjs";

const env = suite();
let page;

beforeEach(async () => {
  page = await openHarness(env.context, env.server.web, env.errors);
});

/** The refresh lock's name: the default `channel`. */
const LOCK = "tokenrelay";

/** Polls `predicate(arg)` in `target` (it may be async) until it is truthy; fails after 10 s. */
async function until(target, predicate, arg, what = "condition") {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await target.evaluate(predicate, arg);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The names of the Web Locks of the page's origin: `{ held, pending }`. */
const lockNames = (target) => target.evaluate(async () => {
  const q = await navigator.locks.query();
  return { held: q.held.map((l) => l.name), pending: q.pending.map((l) => l.name) };
});

/** The page takes the lock `name` and keeps it until `window.releaseLock()`. */
const holdLock = (target, name) => target.evaluate((name) => new Promise((granted) => {
  navigator.locks.request(name, () => new Promise((release) => {
    window.releaseLock = release;
    granted();
  }));
}), name);

/** Starts `auth.refresh()` in the page as `window.refreshing` (its state status or error code). */
const startRefresh = (target) => target.evaluate(() => {
  window.refreshing = window.auth.refresh().then((s) => ({ status: s.status }), (e) => ({ code: e.code }));
});

test("the wrapped fetch rejects bad input with typed errors before any request", async () => {
  await makeClient(page);
  const results = await page.evaluate(async () => {
    const settle = (call) => {
      let p;
      try {
        p = call();
      } catch (e) {
        return { threw: true };
      }
      return p.then((r) => ({ status: r.status }), (e) => ({ code: e.code, ours: window.tr.isTokenRelayError(e) && e instanceof Error }));
    };
    const f = (...args) => settle(() => window.auth.fetch(...args));
    return {
      number: await f(5),
      none: await f(),
      nul: await f(null),
      initString: await f("/api/me", "GET"),
      getWithBody: await f("/api/me", { body: "x" }),
      headWithBody: await f("/api/me", { method: "head", body: "x" }),
      badMethod: await f("/api/me", { method: "NOT A METHOD" }),
      trace: await f("/api/me", { method: "TRACE" }),
      numberMethod: await f("/api/me", { method: 5 }),
      badUrl: await f("http://[bad"),
      badHeader: await f("/api/me", { headers: { "bad header": "x" } }),
      badRequestInit: await f(new Request(`${window.apiBase}/api/me`), { method: "NOT A METHOD" }),
    };
  });
  for (const [name, result] of Object.entries(results)) {
    assert.deepEqual(result, { code: "config", ours: true }, name);
  }
  let stats = await env.server.stats();
  assert.equal(stats.apiOk + stats.api401, 0, "no bad call reached the server");
  // The same client with good arguments does reach it.
  assert.equal(await page.evaluate(() => window.auth.fetch("/api/me").then((r) => r.status)), 401);
  stats = await env.server.stats();
  assert.equal(stats.api401, 1);
  // A dead API is a network error, not a hang; a disposed client rejects with disposed.
  const dead = await page.evaluate(async () => {
    const auth = new window.tr.AuthClient({ apiBase: "http://127.0.0.1:9", requestTimeoutMs: 2000 });
    const network = await auth.fetch("/x").catch((e) => e.code);
    auth.dispose();
    const disposed = await auth.fetch("/x").catch((e) => e.code);
    return { network, disposed };
  });
  assert.deepEqual(dead, { network: "network", disposed: "disposed" });
});

test("auth.fetch goes through the page's current fetch and checks what it returns", async () => {
  await makeClient(page);
  await page.evaluate((demo) => window.auth.login(demo), DEMO);
  const seen = await page.evaluate(async () => {
    const original = window.fetch;
    const calls = [];
    const settle = (p) => p.then(async (r) => ({ status: r.status, body: await r.text() }), (e) => ({ code: e.code, message: e.message }));
    const run = async (wrapper) => {
      window.fetch = wrapper;
      try {
        return await settle(window.auth.fetch("/api/me"));
      } finally {
        window.fetch = original;
      }
    };
    const record = (input, init) => {
      const headers = new Headers(init?.headers);
      calls.push({ url: String(input), auth: headers.get("authorization")?.startsWith("Bearer ") ?? false, credentials: init?.credentials });
    };
    return {
      passThrough: await run((input, init) => { record(input, init); return original(input, init); }),
      ownResponse: await run((input, init) => { record(input, init); return Promise.resolve(new Response("from the wrapper", { status: 203 })); }),
      notAResponse: await run(() => Promise.resolve(42)),
      throws: await run(() => { throw new TypeError("wrapper broke"); }),
      rejects: await run(() => Promise.reject(new TypeError("wrapper refused"))),
      calls,
      apiBase: window.apiBase,
    };
  });
  assert.equal(seen.passThrough.status, 200);
  assert.deepEqual(seen.ownResponse, { status: 203, body: "from the wrapper" }, "the wrapper's answer is the caller's");
  assert.equal(seen.notAResponse.code, "network");
  assert.match(seen.notAResponse.message, /not return a Response/);
  assert.equal(seen.throws.code, "network");
  assert.match(seen.throws.message, /wrapper broke/);
  assert.equal(seen.rejects.code, "network");
  assert.match(seen.rejects.message, /wrapper refused/);
  const call = { url: `${seen.apiBase}/api/me`, auth: true, credentials: "include" };
  assert.deepEqual(seen.calls, [call, call], "each call went through the page's fetch, with the token");
  assert.equal((await env.server.stats()).apiOk, 1, "only the pass-through reached the server");
});

test("sendsToken follows the allow-list as the browser's URL parser reads origins", async () => {
  const api = env.server.api; // http://127.0.0.1:<port>
  const port = new URL(api).port;
  await makeClient(page, { allowedOrigins: ["https://cdn.test"] });
  const cases = [
    ["/api/me", true],
    ["@evil.test/", true], // relative: appended to apiBase
    [`${api}/api/me`, true],
    [`HTTP://127.0.0.1:${port}`, true],
    ["https://cdn.test/x", true],
    ["https://cdn.test:443/x", true],
    ["http://cdn.test/x", false],
    [`http://127.0.0.1:${Number(port) === 65535 ? 65534 : Number(port) + 1}/api/me`, false],
    [`http://localhost:${port}/api/me`, false],
    [`http://evil.test\\@127.0.0.1:${port}/`, false],
    [`http://127.0.0.1:${port}@evil.test/`, false],
    ["http://[bad", false],
    ["javascript:alert(1)", false],
  ];
  const got = await page.evaluate((urls) => Promise.all(urls.map((u) => window.auth.sendsToken(u))), cases.map(([u]) => u));
  assert.deepEqual(got, cases.map(([, expected]) => expected), JSON.stringify(cases.map(([u], i) => [u, got[i]])));
});

test("a refresh waits while another holder has the Web Lock, then releases it (x3)", async () => {
  await makeClient(page, { requestTimeoutMs: 30_000 }); // no takeover of a silent holder here
  await page.evaluate((demo) => window.auth.login(demo), DEMO);
  for (let round = 0; round < 3; round++) {
    const failing = round === 2;
    if (failing) await env.server.faults({ refreshStatus: 503, refreshTimes: 1 });
    const before = (await env.server.stats()).refresh;
    await holdLock(page, LOCK);
    await startRefresh(page);
    await until(page, async (name) => (await navigator.locks.query()).pending.some((l) => l.name === name), LOCK, "the client's lock request");
    assert.equal((await env.server.stats()).refresh, before, "no refresh request while the lock is held elsewhere");
    assert.notEqual(await page.evaluate(() => window.auth.state.status), "refreshing");
    await page.evaluate(() => window.releaseLock());
    const result = await page.evaluate(() => window.refreshing);
    assert.deepEqual(result, failing ? { code: "server" } : { status: "signedIn" }, `round ${round}`);
    assert.equal((await env.server.stats()).refresh, before + 1, "one refresh once the lock was free");
    const { held, pending } = await lockNames(page);
    assert.ok(!held.includes(LOCK) && !pending.includes(LOCK), `released after the refresh: ${JSON.stringify({ held, pending })}`);
  }
});

test("two clients never hold the refresh lock at once; the second takes the first's token", async () => {
  // A slow refresh, so that the second client surely asks for the lock while it is held (the
  // test ends as soon as both refreshes settle).
  await env.server.faults({ refreshDelayMs: 3000 });
  await makeClient(page);
  await page.evaluate((demo) => window.auth.login(demo), DEMO);
  const other = await openHarness(env.context, env.server.web, env.errors);
  await makeClient(other);
  assert.equal((await other.evaluate(() => window.auth.start())).status, "signedIn");
  const before = (await env.server.stats()).refresh;
  await startRefresh(page);
  await until(page, async (name) => (await navigator.locks.query()).held.some((l) => l.name === name), LOCK, "the first refresh's lock");
  await startRefresh(other);
  await until(other, async (name) => (await navigator.locks.query()).pending.some((l) => l.name === name), LOCK, "the second client's wait");
  assert.deepEqual(await page.evaluate(() => window.refreshing), { status: "signedIn" });
  assert.deepEqual(await other.evaluate(() => window.refreshing), { status: "signedIn" });
  assert.equal((await env.server.stats()).refresh, before + 1, "the waiter used the holder's new token");
  const tokens = await Promise.all([page, other].map((p) => p.evaluate(() => window.auth.accessToken())));
  assert.equal(tokens[0], tokens[1]);
  const names = await lockNames(page);
  assert.ok(!names.held.includes(LOCK) && !names.pending.includes(LOCK));
  await other.close();
});

test("a dropped waiting lock request never holds the lock (x3)", async () => {
  for (let round = 0; round < 3; round++) {
    await makeClient(page, { requestTimeoutMs: 30_000 });
    await page.evaluate((demo) => window.auth.login(demo), DEMO);
    const before = (await env.server.stats()).refresh;
    await holdLock(page, LOCK);
    await startRefresh(page);
    await until(page, async (name) => (await navigator.locks.query()).pending.some((l) => l.name === name), LOCK, "the client's lock request");
    await page.evaluate(() => window.auth.dispose());
    assert.deepEqual(await page.evaluate(() => window.refreshing), { code: "disposed" });
    // The wait is withdrawn at once, not when the lock comes free.
    await until(page, async (name) => !(await navigator.locks.query()).pending.some((l) => l.name === name), LOCK, "the withdrawn request");
    await page.evaluate(() => window.releaseLock());
    const free = await page.evaluate((name) => navigator.locks.request(name, { ifAvailable: true }, (lock) => lock !== null), LOCK);
    assert.equal(free, true, `round ${round}: nobody holds the lock after its holder let go`);
    const { held, pending } = await lockNames(page);
    assert.ok(!held.includes(LOCK) && !pending.includes(LOCK), JSON.stringify({ held, pending }));
    assert.equal((await env.server.stats()).refresh, before, "the disposed client sent no refresh");
  }
});

test("dispose stops the client's timers, page listeners, channel and presence lock", async () => {
  // Every timer, window/document listener and BroadcastChannel made from here on is tracked.
  await page.evaluate(() => {
    const live = new Map();
    const realSet = window.setTimeout;
    const realClear = window.clearTimeout;
    window.setTimeout = (run, ms, ...args) => {
      const id = realSet(() => {
        live.delete(id);
        typeof run === "function" ? run(...args) : undefined;
      }, ms);
      live.set(id, ms ?? 0);
      return id;
    };
    window.clearTimeout = (id) => {
      live.delete(id);
      realClear(id);
    };
    window.liveTimers = () => [...live.values()];
    const listeners = new Set();
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    const key = (target, type, listener) => [target === window ? "window" : target === document ? "document" : "other", type, listener];
    const find = (k) => [...listeners].find((e) => e[0] === k[0] && e[1] === k[1] && e[2] === k[2]);
    EventTarget.prototype.addEventListener = function (type, listener, options) {
      if (this === window || this === document) {
        const k = key(this, type, listener);
        if (!find(k)) listeners.add(k);
      }
      return add.call(this, type, listener, options);
    };
    EventTarget.prototype.removeEventListener = function (type, listener, options) {
      const found = find(key(this, type, listener));
      if (found) listeners.delete(found);
      return remove.call(this, type, listener, options);
    };
    window.liveListeners = () => [...listeners].map(([target, type]) => `${target}:${type}`).sort();
    const channels = [];
    const RealChannel = window.BroadcastChannel;
    window.BroadcastChannel = class extends RealChannel {
      constructor(name) {
        super(name);
        this.open = true;
        channels.push(this);
      }
      close() {
        this.open = false;
        super.close();
      }
    };
    window.openChannels = () => channels.filter((c) => c.open).map((c) => c.name);
  });
  await makeClient(page);
  await page.evaluate((demo) => window.auth.login(demo), DEMO);
  const presence = (names) => names.held.filter((n) => n.startsWith(`${LOCK}:presence:`));
  // While alive: the refresh timer (due well in the future), the page listeners, the channel.
  const alive = await page.evaluate(() => ({ timers: window.liveTimers(), listeners: window.liveListeners(), channels: window.openChannels() }));
  assert.ok(alive.timers.some((ms) => ms > 10_000), `the refresh timer is armed: ${alive.timers}`);
  for (const event of ["window:focus", "window:online", "window:pageshow", "window:pagehide", "document:visibilitychange"]) {
    assert.ok(alive.listeners.includes(event), `${event} in ${alive.listeners}`);
  }
  assert.deepEqual(alive.channels, [LOCK]);
  assert.equal(presence(await lockNames(page)).length, 1, "the presence lock is held");

  await page.evaluate(() => window.auth.dispose());
  // Timers that were running may still fire; none may stay armed.
  await until(page, () => window.liveTimers().length === 0, undefined, "no armed timer after dispose");
  assert.deepEqual(await page.evaluate(() => window.liveListeners()), [], "every page listener removed");
  assert.deepEqual(await page.evaluate(() => window.openChannels()), [], "the channel is closed");
  await until(page, async (prefix) => !(await navigator.locks.query()).held.some((l) => l.name.startsWith(prefix)), `${LOCK}:presence:`, "the presence lock released");
  // Page events after dispose re-arm nothing (no listener is left to hear them).
  await page.evaluate(() => {
    for (const type of ["focus", "online", "pageshow"]) window.dispatchEvent(new Event(type));
    document.dispatchEvent(new Event("visibilitychange"));
  });
  assert.deepEqual(await page.evaluate(() => window.liveTimers()), [], "no timer re-armed by page events");
});

test("the cooldown cookie round-trips through document.cookie", async () => {
  await makeClient(page, { cooldownMs: 5000 });
  await page.evaluate((demo) => window.auth.login(demo), DEMO);
  await page.evaluate(() => {
    window.heard = [];
    const channel = new BroadcastChannel("tokenrelay");
    channel.onmessage = (e) => window.heard.push(e.data?.kind);
  });
  const stampOf = () => page.evaluate(() => /(?:^|; )lastTokenRefresh=(\d+)/.exec(document.cookie)?.[1]);
  // The page's clock when the held token was last received (its order is at most this + 1).
  let lastAt = await page.evaluate(() => Date.now());
  /** Refreshes with a stamp made `ago` ms ago (null: none) and returns the kinds the client
   * posted before its new token. A stamp counts only when later than the held token. */
  const refreshWith = async (ago) => {
    await page.evaluate(({ ago, lastAt }) => {
      window.heard = [];
      while (Date.now() <= lastAt + 1); // a stamp later than the held token, 2 ms at most
      document.cookie = ago === null
        ? "lastTokenRefresh=; Path=/; Max-Age=0"
        : `lastTokenRefresh=${Date.now() - ago}; Path=/; SameSite=Lax`;
    }, { ago, lastAt });
    const t0 = await page.evaluate(() => Date.now());
    assert.equal((await page.evaluate(() => window.auth.refresh())).status, "signedIn");
    const t1 = (lastAt = await page.evaluate(() => Date.now()));
    // Messages of one sender arrive in order: all of them are here once the token is.
    await until(page, () => window.heard.includes("token"), undefined, "the new token on the channel");
    const stamp = Number(await stampOf());
    assert.ok(stamp >= t0 && stamp <= t1, `the client stamped its refresh: ${t0} <= ${stamp} <= ${t1}`);
    const kinds = await page.evaluate(() => window.heard);
    return kinds.slice(0, kinds.indexOf("token"));
  };
  assert.equal(await stampOf(), undefined, "a login does not stamp");
  assert.ok(!(await refreshWith(null)).includes("ask"), "no stamp: refresh at once");
  assert.ok((await refreshWith(0)).includes("ask"), "a fresh stamp (another tab refreshed): ask for its token first");
  assert.ok(!(await refreshWith(60_000)).includes("ask"), "a stamp older than cooldownMs is ignored");
  const [cookie] = (await env.context.cookies(env.server.web)).filter((c) => c.name === "lastTokenRefresh");
  assert.equal(cookie.httpOnly, false);
  assert.equal(cookie.sameSite, "Lax");
  assert.equal(cookie.path, "/");
  const left = cookie.expires - Date.now() / 1000;
  assert.ok(left > 55 && left <= 66, `Max-Age is cooldownMs + 60 s: ${left} s left`);
  assert.equal((await env.server.stats()).refresh, 3);
});

test("the wasm's error() makes TokenRelayErrors with code and status", async () => {
  const made = await page.evaluate(async () => {
    const g = await import("/pkg/lib/driver.js"); // the driver carries the glue
    const view = (e) => ({ ours: window.tr.isTokenRelayError(e) && e instanceof Error && e.name === "TokenRelayError", code: e.code, status: e.status, message: e.message });
    return {
      network: view(g.error("network", "offline", 0)),
      config: view(g.error("config", "apiBase is required", 0)),
      server: view(g.error("server", "", 502)),
      disposed: view(g.error("disposed", "", 0)),
      unknown: view(g.error("bogus", "what", 0)),
    };
  });
  const ours = (code, message, status) => ({ ours: true, code, message, status });
  assert.deepEqual(made, {
    network: ours("network", "network error: offline", undefined),
    config: ours("config", "invalid options: apiBase is required", undefined),
    server: ours("server", "server error: HTTP 502", 502),
    disposed: ours("disposed", "the client was disposed", undefined),
    unknown: ours("network", "network error: what", undefined),
  });
});

/** The handles of the page's live clients in the wasm's table (probed: a freed or unknown
 * handle throws, and the table stays usable after it). */
const liveHandles = (target) => target.evaluate(async () => {
  const m = await import("/pkg/lib/driver.js"); // the driver the client loaded, with the glue
  return [...Array(64).keys()].filter((h) => {
    try {
      return typeof m.coreState(h) === "object";
    } catch (e) {
      if (!/no such client/.test(String(e?.message ?? e))) throw e;
      return false;
    }
  });
});

test("an unknown client handle throws and leaves the wasm's table usable", async () => {
  const out = await page.evaluate(async (demo) => {
    const auth = new window.tr.AuthClient({ apiBase: window.apiBase, channel: "handles" });
    await auth.login(demo);
    const m = await import("/pkg/lib/driver.js");
    let thrown = null;
    try {
      m.coreState(100000);
    } catch (e) {
      thrown = String(e?.message ?? e);
    }
    // A call right after the throw (one that left the table borrowed trapped here).
    const res = await auth.fetch("/api/me");
    auth.dispose();
    return { thrown, status: auth.state.status, fetched: res.status };
  }, DEMO);
  assert.match(out.thrown, /no such client/);
  assert.deepEqual([out.status, out.fetched], ["signedIn", 200]);
});

test("a client nobody disposed is collected: its presence lock, channel and wasm machine go with it", async () => {
  // Two signed-in clients on their own channels: `kept` stays referenced, `dropped` does not.
  await page.evaluate(async (demo) => {
    window.kept = new window.tr.AuthClient({ apiBase: window.apiBase, channel: "kept" });
    await window.kept.login(demo);
  }, DEMO);
  const before = await liveHandles(page);
  await page.evaluate(async (demo) => {
    const dropped = new window.tr.AuthClient({ apiBase: window.apiBase, channel: "dropped" });
    await dropped.login(demo);
  }, DEMO);
  const droppedHandle = (await liveHandles(page)).filter((h) => !before.includes(h));
  assert.equal(droppedHandle.length, 1, "the dropped client has one machine in the table");
  const presence = (names, channel) => names.held.filter((n) => n.startsWith(`${channel}:presence:`)).length;
  await until(page, async () => {
    const q = await navigator.locks.query();
    return q.held.filter((l) => l.name.includes(":presence:")).length === 2;
  }, undefined, "both presence locks held");
  /** Asks on `channel` for a token: resolves with whether a tab answered within `ms`. */
  const answered = (channel, ms) => page.evaluate(({ channel, ms }) => new Promise((resolve) => {
    const ch = new BroadcastChannel(channel);
    const timer = setTimeout(() => { ch.close(); resolve(false); }, ms);
    ch.onmessage = (e) => {
      if (e.data?.kind !== "token") return;
      clearTimeout(timer);
      ch.close();
      resolve(true);
    };
    ch.postMessage({ v: 1, from: "probe", kind: "ask" });
  }), { channel, ms });
  assert.equal(await answered("dropped", 5000), true, "the dropped client answers while it lives");

  const cdp = await page.context().newCDPSession(page);
  const deadline = Date.now() + 20_000;
  for (;;) {
    await cdp.send("HeapProfiler.collectGarbage");
    const names = await lockNames(page);
    if (presence(names, "dropped") === 0) {
      assert.equal(presence(names, "kept"), 1, "the referenced client keeps its presence lock");
      break;
    }
    assert.ok(Date.now() < deadline, "the dropped client's presence lock was released after a collection");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Its channel is closed: nobody answers a question (the kept client, asked the same way,
  // answers at once).
  assert.equal(await answered("kept", 5000), true);
  assert.equal(await answered("dropped", 1000), false, "a collected client answers nothing");
  // Its machine is freed in the wasm; the kept client's is not.
  const live = await liveHandles(page);
  assert.ok(!live.includes(droppedHandle[0]), `the collected client's machine freed: ${live}`);
  assert.ok(before.every((h) => live.includes(h)), "every other client's machine kept");
  await page.evaluate(() => window.kept.dispose());
});
