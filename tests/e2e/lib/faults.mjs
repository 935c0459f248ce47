// The fault scenarios, shared by the fault suite (`scripts/faults` prints their figures) and
// the end-to-end tests (`tests/e2e/faults.test.mjs` asserts their targets). Each scenario runs
// in a fresh browser context against the reference server (counters reset) and returns the
// same figures: refresh requests, reuse revocations, wrong sign-outs, requests lost and the
// time to recover after the fault ends, plus any broken expectation of its own.
import http from "node:http";
import { performance } from "node:perf_hooks";
import { watchErrors, DEMO } from "./browser.mjs";
import { startServer } from "./server.mjs";

/** Recovery target after a fault ends (ms). */
export const RECOVERY_TARGET_MS = 2000;
/** `requestTimeoutMs` of the scenarios that wait for a request to time out: small, so that
 *  they run fast, and large enough that a takeover after two bounds instead of one misses the
 *  recovery target. */
const FAST_TIMEOUT_MS = 3000;
/** The provable takeover bound of a frozen holder: its request is aborted after
 *  `requestTimeoutMs`, plus 1.3 s of peer wait and slack (README "Across tabs"). */
const TAKEOVER_BOUND_MS = FAST_TIMEOUT_MS + 1300;
/** The longest any condition of a scenario is waited for. */
const WAIT_MS = 20000;
/** The longest a whole scenario may take. */
const SCENARIO_MS = 90000;

/** Page-side tools, installed before any script of the page: a shiftable clock, timers that
 *  can be held back (a throttled background tab), a settable visibility, channel messages
 *  delivered late (a busy tab), call helpers. */
function pageTools({ clock, timers, channel }) {
  const tools = { offsetMs: 0, hidden: false, holding: false, channelDelayMs: 0 };
  window.__faults = tools;
  const realSetTimeout = window.setTimeout.bind(window);
  if (channel) {
    // Every BroadcastChannel of the page gets its messages `channelDelayMs` late, in order.
    const Real = window.BroadcastChannel;
    const { addEventListener: add, removeEventListener: remove } = EventTarget.prototype;
    window.BroadcastChannel = class extends Real {
      constructor(name) {
        super(name);
        const listeners = new Set();
        let handler = null;
        add.call(this, "message", (e) => {
          const deliver = () => { for (const f of [...listeners]) f.call(this, e); };
          if (tools.channelDelayMs > 0) realSetTimeout(deliver, tools.channelDelayMs);
          else deliver();
        });
        this.addEventListener = (type, f, o) => (type === "message" ? listeners.add(f) : add.call(this, type, f, o));
        this.removeEventListener = (type, f, o) => (type === "message" ? listeners.delete(f) : remove.call(this, type, f, o));
        Object.defineProperty(this, "onmessage", {
          get: () => handler,
          set: (f) => { listeners.delete(handler); handler = f; if (f) listeners.add(f); },
        });
      }
    };
  }
  if (clock) {
    const RealDate = Date;
    const realNow = RealDate.now.bind(RealDate);
    function ShiftedDate(...args) {
      if (!new.target) return new RealDate(realNow() + tools.offsetMs).toString();
      return args.length ? new RealDate(...args) : new RealDate(realNow() + tools.offsetMs);
    }
    ShiftedDate.prototype = RealDate.prototype;
    ShiftedDate.now = () => realNow() + tools.offsetMs;
    ShiftedDate.parse = RealDate.parse;
    ShiftedDate.UTC = RealDate.UTC;
    window.Date = ShiftedDate;
  }
  if (timers) {
    // A timer that comes due while `holding` waits for `release()`; cleared timers never run.
    const realSet = window.setTimeout.bind(window);
    const realClear = window.clearTimeout.bind(window);
    const deferred = new Map();
    window.setTimeout = (fn, ms, ...args) => {
      const id = realSet(() => {
        const run = () => (typeof fn === "function" ? fn(...args) : undefined);
        if (tools.holding) deferred.set(id, run);
        else run();
      }, ms);
      return id;
    };
    window.clearTimeout = (id) => { deferred.delete(id); realClear(id); };
    tools.release = () => {
      tools.holding = false;
      const due = [...deferred.values()];
      deferred.clear();
      for (const run of due) run();
    };
    const visibility = { configurable: true, get: () => (tools.hidden ? "hidden" : "visible") };
    Object.defineProperty(Document.prototype, "visibilityState", visibility);
    Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => tools.hidden });
  }
  const outcome = (p) => p.then((r) => r.status, (e) => e?.code || String(e));
  /** `n` concurrent `auth.fetch` calls of `client`: their statuses (or error codes). */
  tools.calls = (n, client = window.auth) =>
    Promise.all(Array.from({ length: n }, () => outcome(client.fetch("/api/me"))));
  /** Calls until one gets a 200 with the state signed in (an app polling after a fault):
   *  `{ ok, lost }`, `lost` counting the failed calls. Gives up when signed out. */
  tools.probe = async (deadlineMs, client = window.auth) => {
    const t0 = performance.now();
    let lost = 0;
    while (performance.now() - t0 < deadlineMs) {
      if (client.state.status === "signedOut") return { ok: false, lost, signedOut: true };
      const status = await outcome(client.fetch("/api/me"));
      if (status === 200 && client.state.status === "signedIn") return { ok: true, lost };
      if (status !== 200) lost++;
      await new Promise((resolve) => {
        const off = client.subscribe(() => { off(); resolve(); });
        setTimeout(() => { off(); resolve(); }, 50);
      });
    }
    return { ok: false, lost };
  };
  /** Records every state change of `client` in `log`. */
  tools.watch = (client, log) => {
    client.subscribe((s) => log.push({ status: s.status, error: s.error?.code ?? null, expiresAt: s.expiresAt }));
  };
}

const now = () => performance.now();

/** Polls `check` (a node-side condition, e.g. on server counters) until it holds. */
async function until(what, check, ms = WAIT_MS) {
  const deadline = now() + ms;
  for (;;) {
    if (await check()) return;
    if (now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** What one run of a scenario works with: its server, context, pages and figures. */
class Run {
  constructor(server, context, errors) {
    Object.assign(this, { server, context, errors, pages: [], failures: [], excused: 0, lost: 0 });
  }

  /** Opens `n` tabs with a client each (`options` for the client, `tools`: which page tools
   *  are on, `{ clock, timers }`). */
  async open(n, options = {}, { tools = {} } = {}) {
    const opened = [];
    for (let i = 0; i < n; i++) {
      const page = await this.context.newPage();
      watchErrors(page, this.errors);
      await page.addInitScript(pageTools, { clock: false, timers: false, channel: false, ...tools });
      await page.goto(`${this.server.web}/harness.html`);
      await page.waitForFunction(() => window.trReady || window.trError, null, { timeout: WAIT_MS });
      const failure = await page.evaluate(() => window.trError);
      if (failure) throw new Error(`harness failed: ${failure}`);
      await page.evaluate((options) => {
        window.auth = new window.tr.AuthClient({ apiBase: window.apiBase, ...options });
        window.log = [];
        window.__faults.watch(window.auth, window.log);
      }, options);
      opened.push(page);
    }
    this.pages.push(...opened);
    return opened;
  }

  /** The first tab logs in, every other one restores from it. */
  async signIn(pages = this.pages) {
    await pages[0].evaluate((demo) => window.auth.login(demo), DEMO);
    for (const page of pages.slice(1)) {
      const status = await page.evaluate(() => window.auth.start().then((s) => s.status));
      if (status !== "signedIn") throw new Error(`tab restored as ${status}`);
    }
  }

  /** Starts counting: server counters and each tab's state changes from here. */
  async mark() {
    this.base = await this.server.stats();
    this.marks = new Map();
    for (const page of this.livePages()) this.marks.set(page, await page.evaluate(() => window.log.length));
  }

  livePages() { return this.pages.filter((p) => !p.isClosed()); }

  /** Server counters since `mark()`. */
  async delta() {
    const s = await this.server.stats();
    return { refresh: s.refresh - this.base.refresh, reuse: s.refreshReuse - this.base.refreshReuse };
  }

  /** Waits until the server has received `n` refresh requests since `mark()`. */
  refreshesReached(n) {
    return until(`${n} refresh request(s) at the server`, async () => (await this.delta()).refresh >= n);
  }

  /** The state changes of `page` since `mark()`. */
  async changes(page) {
    return page.evaluate((from) => window.log.slice(from), this.marks.get(page) ?? 0);
  }

  /** Calls in every tab at once; failures count as excused (the fault fails them) or lost.
   *  `together`: the tabs start on one channel message, within a millisecond (as on an event
   *  every tab gets, like `online`), instead of one after the other. */
  async burst(pages, n, { excused = false, together = false } = {}) {
    let statuses;
    if (together) {
      await Promise.all(pages.map((p) => p.evaluate((n) => {
        window.__go = new Promise((resolve) => {
          const ch = new BroadcastChannel("faults-go");
          ch.onmessage = () => { ch.close(); resolve(window.__faults.calls(n)); };
        });
      }, n)));
      await pages[0].evaluate(() => { const ch = new BroadcastChannel("faults-go"); ch.postMessage(1); ch.close(); });
      statuses = (await Promise.all(pages.map((p) => p.evaluate(() => window.__go)))).flat();
    } else {
      statuses = (await Promise.all(pages.map((p) => p.evaluate((n) => window.__faults.calls(n), n)))).flat();
    }
    const failed = statuses.filter((s) => s !== 200).length;
    if (excused) this.excused += failed;
    else this.lost += failed;
    return statuses;
  }

  /** From `t0` (the end of the fault): every tab polls until a call succeeds. */
  async recover(pages, t0) {
    const results = await Promise.all(pages.map((p) => p.evaluate((ms) => window.__faults.probe(ms), WAIT_MS)));
    const end = now();
    for (const r of results) this.lost += r.lost;
    if (results.every((r) => r.ok)) this.recoverMs = end - t0;
    else this.recoverMs = Infinity;
    return results;
  }

  fail(message) { this.failures.push(message); }

  /** The figures of this run. */
  async figures(extra = {}) {
    const d = await this.delta();
    let signOuts = 0;
    for (const page of this.livePages()) {
      if ((await this.changes(page)).some((c) => c.status === "signedOut")) signOuts++;
    }
    return {
      tabs: this.pages.length, refreshes: d.refresh, reuse: d.reuse, signOuts, lost: this.lost,
      excused: this.excused, recoverMs: this.recoverMs ?? null, failures: this.failures, ...extra,
    };
  }
}

// ---- the scenarios -------------------------------------------------------------------------

/** The refresh endpoint fails (`faults`) while two tabs need a token; then it works again. */
async function refreshFails(run, faults, { errorCode, options = {} }) {
  const pages = await run.open(2, options);
  await run.signIn();
  await run.server.expireAccess();
  await run.mark();
  await run.server.faults(faults);
  await run.burst(pages, 2, { excused: true });
  for (const page of pages) {
    await page.waitForFunction((code) => window.auth.state.error?.code === code, errorCode, { timeout: WAIT_MS });
  }
  for (const page of pages) {
    const status = await page.evaluate(() => window.auth.state.status);
    if (status === "signedOut") run.fail(`a ${errorCode} failure signed a tab out`);
  }
  await run.server.faults({});
  const t0 = now();
  await run.recover(pages, t0);
  return run.figures();
}

/** A tab freezes (CDP Debugger.pause) while it holds the right to refresh, its request at
 *  the server; `waiters` other tabs need a token meanwhile. Every refresh takes 500 ms (a
 *  real network), so waiters that take over at once overlap. */
async function frozenHolder(run, { waiters, useWebLocks }) {
  const pages = await run.open(waiters + 1, { requestTimeoutMs: FAST_TIMEOUT_MS, useWebLocks });
  await run.signIn();
  await run.server.expireAccess(); // the holder's new token is valid; the waiters' are not
  await run.mark();
  const [holder, ...others] = pages;
  await run.server.faults({ refreshDelayMs: 500 });
  await holder.evaluate(() => { window.auth.refresh().catch(() => {}); });
  await run.refreshesReached(1);
  const cdp = await run.context.newCDPSession(holder);
  await cdp.send("Debugger.enable");
  await cdp.send("Debugger.pause");
  const t0 = now();
  await run.burst(others, 2, { together: true });
  const takeoverMs = now() - t0;
  const whileFrozen = await run.delta();
  if (whileFrozen.refresh > 2) run.fail(`${whileFrozen.refresh} refreshes while the holder was frozen (1 takeover expected)`);
  await cdp.send("Debugger.resume");
  await cdp.detach();
  const t1 = now();
  const recovered = await run.recover(pages, t1);
  const afterThawMs = now() - t1;
  // Recovery counts from the moment the holder is provably stale.
  run.recoverMs = recovered.every((r) => r.ok) ? takeoverMs - TAKEOVER_BOUND_MS : Infinity;
  return run.figures({ note: `takeover ${(takeoverMs / 1000).toFixed(2)} s after the freeze (bound ${TAKEOVER_BOUND_MS / 1000} s), thawed tab ok in ${afterThawMs.toFixed(0)} ms` });
}

/** The server rotates, then the answer never arrives: the cookie jar keeps the used token. */
async function responseLost(run) {
  const pages = await run.open(2, { requestTimeoutMs: FAST_TIMEOUT_MS });
  await run.signIn();
  await run.server.expireAccess();
  await run.mark();
  await run.server.faults({ refreshLoseResponse: true, refreshTimes: 1 });
  const calls = run.burst(pages, 1, { excused: true });
  await run.refreshesReached(1);
  const t0 = now() + FAST_TIMEOUT_MS; // the fault ends when the client gives up on the answer
  await calls;
  await run.recover(pages, t0);
  return run.figures();
}

/** The clock of every tab jumps by `offsetMs` during the session. The tabs are busy: channel
 *  messages arrive 30 ms late, so a tab is often granted the lock before the token of the tab
 *  that just released it arrives (without the delay the same race happens now and then), and
 *  now and then before that tab's cooldown stamp is in its `document.cookie` too: having found
 *  the lock held is what tells it to wait for that token. */
async function clockJump(run, offsetMs) {
  const pages = await run.open(3, {}, { tools: { clock: true, channel: true } });
  await run.signIn();
  await run.mark();
  for (const page of pages) {
    await page.evaluate((o) => { window.__faults.offsetMs = o; window.__faults.channelDelayMs = 30; }, offsetMs);
  }
  await run.server.expireAccess();
  const t0 = now();
  await run.burst(pages, 3);
  run.recoverMs = now() - t0;
  return run.figures();
}

/** Tokens without `iat`, tabs whose clock is `offsetMs` off: refreshes over a 2 s window. */
async function withoutIat(run, offsetMs) {
  await run.server.faults({ omitIat: true });
  const pages = await run.open(2, {}, { tools: { clock: true } });
  for (const page of pages) await page.evaluate((o) => { window.__faults.offsetMs = o; }, offsetMs);
  await run.mark();
  await run.signIn();
  await run.burst(pages, 3);
  // No loop: the refresh count of a window in which nothing asks for a refresh.
  await new Promise((r) => setTimeout(r, 2000));
  for (const page of pages) {
    const state = await page.evaluate(() => window.auth.state);
    if (state.status !== "signedIn") run.fail(`a tab is ${state.status}`);
  }
  const events = (await Promise.all(pages.map((p) => run.changes(p)))).reduce((n, c) => n + c.length, 0);
  return run.figures({ note: `${events} state events` });
}

/** A foreign script of the same origin in tab 0 posts `messages()` on the channel; then the
 *  tabs, busy (channel messages 30 ms late, as in `clockJump`), need a token. */
async function forgedMessages(run, messages, { count }) {
  const pages = await run.open(3, {}, { tools: { channel: true } });
  await run.signIn();
  await run.mark();
  await pages[0].evaluate(async ({ source, count }) => {
    const make = new Function("i", `return (${source})(i);`);
    const ch = new BroadcastChannel("tokenrelay");
    for (let i = 0; i < count; i++) ch.postMessage(make(i));
    // A question posted after the flood is answered once the tabs processed the flood (a tab
    // signed out by the flood has nothing to answer: then the bound ends the wait).
    const answered = new Promise((resolve) => {
      ch.onmessage = (e) => { if (e.data?.kind === "token" && e.data.from !== "evil") resolve(); };
      setTimeout(resolve, 2000);
    });
    ch.postMessage({ v: 1, from: "probe", kind: "ask" });
    await answered;
    ch.close();
  }, { source: messages.toString(), count });
  for (const page of pages) await page.evaluate(() => { window.__faults.channelDelayMs = 30; });
  await run.server.expireAccess();
  const t0 = now();
  await run.burst(pages, 2);
  run.recoverMs = now() - t0;
  return run.figures();
}

/** A flood of garbage and forged messages: tokens, claims, questions, releases. */
function floodMessage(i) {
  const b64 = (o) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const t = Math.floor(Date.now() / 1000);
  const jwt = `${b64({ alg: "HS256" })}.${b64({ sub: "evil", iat: t, exp: t + 3600, i })}.c2ln`;
  switch (i % 6) {
    case 0: return { v: 1, from: "evil", kind: "token", token: jwt, obtainedAt: Date.now() };
    case 1: return { v: 1, from: `evil-${i}`, kind: "claim", at: 0 };
    case 2: return { v: 1, from: "evil", kind: "ask" };
    case 3: return { v: 1, from: `evil-${i}`, kind: "released" };
    case 4: return { v: 1, from: "evil", kind: "token", token: jwt, obtainedAt: 8.64e15, order: 8.64e15 };
    default: return [i, "x".repeat(i % 1000), { v: 2, kind: "signedOut" }][i % 3];
  }
}

/** A foreign server that records the headers it receives (and answers CORS for anyone). */
async function foreignOrigin() {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    res.setHeader("access-control-allow-origin", req.headers.origin || "*");
    res.setHeader("access-control-allow-credentials", "true");
    res.setHeader("access-control-allow-headers", req.headers["access-control-request-headers"] || "*");
    res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
    res.end(req.method === "OPTIONS" ? "" : "{}");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, seen, close: () => new Promise((r) => server.close(r)) };
}

const GRACE = { reuseGraceSecs: 5 };
const SHORT_TTL = { accessTtlSecs: 4 }; // refresh due 2 s after receipt (ahead capped at lifetime / 2)

/**
 * Every scenario: `id`, `title`, `server` (options of the reference server), `repeat` (runs in
 * the end-to-end test; racy ones run several times), `maxRefreshes` (the "no loop" bound),
 * `graceRequired` (the scenario needs the server's grace window: a revocation and sign-out
 * are its expected outcome, not a failure), `smoke` (part of `scripts/faults --smoke`).
 */
export const SCENARIOS = [
  {
    id: "refresh-5xx", title: "refresh answered 503", maxRefreshes: 8, smoke: true,
    run: (r) => refreshFails(r, { refreshStatus: 503 }, { errorCode: "server" }),
  },
  {
    id: "refresh-429", title: "refresh answered 429", maxRefreshes: 8,
    run: (r) => refreshFails(r, { refreshStatus: 429 }, { errorCode: "server" }),
  },
  {
    id: "refresh-timeout", title: "refresh never answered (timeout 1 s)", maxRefreshes: 8,
    run: (r) => refreshFails(r, { refreshDelayMs: 30000 }, { errorCode: "network", options: { requestTimeoutMs: 1000 } }),
  },
  {
    id: "offline", title: "offline, then online", maxRefreshes: 1, smoke: true,
    async run(run) {
      const pages = await run.open(2);
      await run.signIn();
      await run.mark();
      await run.context.setOffline(true);
      await run.server.expireAccess();
      await run.burst(pages, 2, { excused: true });
      await run.context.setOffline(false);
      const t0 = now();
      await run.recover(pages, t0);
      return run.figures();
    },
  },
  {
    id: "slow-refresh", title: "slow refresh (1.5 s), 3 tabs x 3 calls", maxRefreshes: 1, smoke: true,
    async run(run) {
      const pages = await run.open(3);
      await run.signIn();
      await run.server.expireAccess();
      await run.mark();
      await run.server.faults({ refreshDelayMs: 1500 });
      const t0 = now();
      await run.burst(pages, 3);
      run.recoverMs = now() - t0 - 1500;
      return run.figures();
    },
  },
  {
    id: "leader-closed", title: "leader closed mid-refresh", maxRefreshes: 2, repeat: 2,
    async run(run) {
      const pages = await run.open(3);
      await run.signIn();
      await run.server.expireAccess();
      await run.mark();
      await run.server.faults({ refreshDelayMs: 1500, refreshTimes: 1 });
      await pages[0].evaluate(() => { window.auth.refresh().catch(() => {}); });
      await run.refreshesReached(1);
      await pages[0].close();
      const t0 = now();
      await run.recover(pages.slice(1), t0);
      return run.figures();
    },
  },
  ...[1, 3].flatMap((waiters) => [true, false].map((useWebLocks) => ({
    id: `frozen-${waiters}-${useWebLocks ? "locks" : "election"}`,
    title: `leader frozen, ${waiters} waiter${waiters > 1 ? "s" : ""}, ${useWebLocks ? "Web Locks" : "no Web Locks"}`,
    maxRefreshes: 2, repeat: waiters > 1 ? 4 : 1,
    run: (r) => frozenHolder(r, { waiters, useWebLocks }),
  }))),
  {
    id: "response-lost", title: "refresh response lost, no grace window", maxRefreshes: 3, graceRequired: true,
    run: responseLost,
  },
  {
    id: "response-lost-grace", title: "refresh response lost, grace window 5 s", server: GRACE, maxRefreshes: 3,
    run: responseLost,
  },
  {
    id: "busy-tabs", title: "busy tabs: channel messages 30 ms late, 3 tabs", maxRefreshes: 1,
    run: (r) => clockJump(r, 0),
  },
  {
    id: "clock-forward", title: "clock +2 h during the session, 3 tabs", maxRefreshes: 1, smoke: true,
    run: (r) => clockJump(r, 2 * 3600 * 1000),
  },
  {
    id: "clock-back", title: "clock -2 h during the session, 3 tabs", maxRefreshes: 1, repeat: 3,
    run: (r) => clockJump(r, -2 * 3600 * 1000),
  },
  {
    id: "no-iat", title: "token without iat, clock right", maxRefreshes: 1,
    run: (r) => withoutIat(r, 0),
  },
  {
    id: "no-iat-clock-fast", title: "token without iat, clock +2 h", maxRefreshes: 3,
    run: (r) => withoutIat(r, 2 * 3600 * 1000),
  },
  {
    // One wall clock for every tab, as on a real wake: 1 refresh. (With Playwright's clock,
    // which is per page, the tabs' clocks jumped one after another, and 1 to 3 were measured.)
    id: "laptop-sleep", title: "laptop sleep 2 h (clock jump, timers held back), 3 tabs", maxRefreshes: 1, repeat: 2,
    async run(run) {
      const pages = await run.open(3, {}, { tools: { clock: true, timers: true } });
      await run.signIn();
      await run.mark();
      const before = await Promise.all(pages.map((p) => p.evaluate(() => window.auth.state.expiresAt)));
      // The lid closes: no timer runs. The wall clock (one for every tab) moves 2 h on; the
      // monotonic clock of the timers does not, so no timer comes due at the wake.
      for (const page of pages) await page.evaluate(() => { window.__faults.holding = true; });
      for (const page of pages) await page.evaluate(() => { window.__faults.offsetMs = 2 * 3600 * 1000; });
      // The lid opens: held timers run, and every tab gets the wake's events.
      const t0 = now();
      await Promise.all(pages.map((p) => p.evaluate(() => {
        window.__faults.release();
        window.dispatchEvent(new Event("online"));
        document.dispatchEvent(new Event("visibilitychange"));
        window.dispatchEvent(new Event("focus"));
      })));
      await Promise.all(pages.map((p, i) => p.waitForFunction((old) => window.auth.state.status === "signedIn"
        && window.auth.state.expiresAt > old + 3600 * 1000 && window.auth.state.expiresAt > Date.now(), before[i], { timeout: WAIT_MS })));
      run.recoverMs = now() - t0;
      await run.burst(pages, 2);
      return run.figures();
    },
  },
  {
    id: "background-throttled", title: "background tab with throttled timers (tokens of 4 s)", server: SHORT_TTL,
    maxRefreshes: 4,
    async run(run) {
      const [front, back] = await run.open(2, {}, { tools: { timers: true } });
      await run.signIn();
      await run.mark();
      await back.evaluate(() => {
        window.__faults.hidden = true;
        window.__faults.holding = true;
        document.dispatchEvent(new Event("visibilitychange"));
      });
      // Two proactive refreshes of the front tab, each adopted by the background tab (its
      // timers held back), which comes to the front just after the second.
      const from = run.marks.get(back);
      const adopted = await back.waitForFunction((from) => new Set(window.log.slice(from)
        .filter((c) => c.status === "signedIn").map((c) => c.expiresAt)).size >= 2, from, { timeout: WAIT_MS })
        .then(() => true, () => false);
      if (!adopted) run.fail("the background tab did not adopt the front tab's tokens");
      const t0 = now();
      await back.evaluate(() => {
        window.__faults.hidden = false;
        window.__faults.release();
        document.dispatchEvent(new Event("visibilitychange"));
      });
      await run.recover([back], t0);
      const own = (await run.changes(back)).filter((c) => c.status === "refreshing").length;
      if (own > 0) run.fail(`the background tab refreshed ${own} time(s) itself`);
      await run.burst([front, back], 2);
      return run.figures();
    },
  },
  {
    id: "dispose-mid-refresh", title: "dispose mid-refresh", maxRefreshes: 2, repeat: 2,
    async run(run) {
      const [a, b] = await run.open(2);
      await run.signIn();
      await run.server.expireAccess();
      await run.mark();
      await run.server.faults({ refreshDelayMs: 3000, refreshTimes: 1 });
      await a.evaluate(() => {
        window.pending = window.auth.refresh().then(() => `resolved ${window.auth.state.status}`, (e) => e.code);
      });
      await run.refreshesReached(1);
      const t0 = now();
      const outcome = await a.evaluate(async () => {
        window.auth.dispose();
        const t = performance.now();
        const code = await window.pending;
        return { code, ms: performance.now() - t };
      });
      if (outcome.code !== "disposed") run.fail(`the disposed client's refresh() settled with "${outcome.code}"`);
      else if (outcome.ms > 500) run.fail(`refresh() rejected ${outcome.ms.toFixed(0)} ms after dispose()`);
      await run.burst([b], 2);
      run.recoverMs = now() - t0;
      return run.figures();
    },
  },
  {
    id: "two-clients-one-tab", title: "two clients in one tab (StrictMode, HMR)", maxRefreshes: 1, repeat: 3,
    async run(run) {
      const [page] = await run.open(1);
      await page.evaluate(async (demo) => {
        const make = () => {
          const c = new window.tr.AuthClient({ apiBase: window.apiBase });
          window.__faults.watch(c, window.log);
          return c;
        };
        await window.auth.login(demo);
        // StrictMode: mount, unmount (dispose mid-start), mount again.
        const first = make();
        first.start().catch(() => {});
        first.dispose();
        window.strict = make();
        await window.strict.start();
        // HMR: the module runs again; the old client is never disposed.
        window.hmr = make();
        await window.hmr.start();
      }, DEMO);
      await run.mark();
      await run.server.expireAccess();
      const t0 = now();
      const statuses = await page.evaluate(() => Promise.all([window.auth, window.strict, window.hmr]
        .map((c) => window.__faults.calls(3, c))));
      run.recoverMs = now() - t0;
      run.lost += statuses.flat().filter((s) => s !== 200).length;
      const states = await page.evaluate(() => [window.auth, window.strict, window.hmr].map((c) => c.state.status));
      if (states.some((s) => s !== "signedIn")) run.fail(`client states ${states.join(", ")}`);
      return run.figures();
    },
  },
  {
    id: "channel-flood", title: "channel flood: 3,000 forged tokens, claims, questions", maxRefreshes: 1,
    run: (r) => forgedMessages(r, floodMessage, { count: 3000 }),
  },
  {
    // A sign-out without proof of this session is checked with the server: one refresh for
    // the tabs (they share it through the lock), no sign-out; then the burst's own refresh.
    id: "forged-signed-out", title: "forged signedOut message", maxRefreshes: 2,
    run: (r) => forgedMessages(r, () => ({ v: 1, from: "evil", kind: "signedOut", expired: true }), { count: 1 }),
  },
  {
    id: "cross-origin-redirect", title: "cross-origin redirects and foreign targets", maxRefreshes: 1, smoke: true,
    async run(run) {
      const foreign = await foreignOrigin();
      try {
        const [page] = await run.open(1);
        await run.signIn();
        await page.evaluate(() => window.auth.refresh()); // the cooldown cookie exists too
        await run.mark();
        const api = run.server.api;
        const targets = [301, 302, 303, 307, 308].map((s) =>
          `${api}/__redirect?status=${s}&to=${encodeURIComponent(`${foreign.origin}/redirected-${s}`)}`);
        targets.push(`${foreign.origin}/direct`, `${foreign.origin}/auth/refresh`);
        const statuses = await page.evaluate((targets) => Promise.all(targets.map((t) =>
          window.auth.fetch(t).then((r) => r.status, (e) => e.code))), targets);
        run.lost += statuses.filter((s) => s !== 200).length;
        const got = foreign.seen.filter((r) => r.method !== "OPTIONS");
        const withToken = got.filter((r) => r.headers.authorization);
        if (withToken.length) run.fail(`the token reached the foreign origin: ${withToken.map((r) => r.url).join(", ")}`);
        const withCookies = got.filter((r) => !r.url.startsWith("/redirected") && r.headers.cookie);
        const names = (c) => c.split(";").map((kv) => kv.split("=")[0].trim()).join(" ");
        if (withCookies.length) {
          run.fail(`cookies sent to a foreign target: ${withCookies.map((r) => `${r.url} (${names(r.headers.cookie)})`).join(", ")}`);
        }
        if (got.length < targets.length) run.fail(`${got.length} of ${targets.length} requests reached the foreign origin`);
        return run.figures({ note: `${got.length} requests at the foreign origin, ${withToken.length} with the token` });
      } finally {
        await foreign.close();
      }
    },
  },
  {
    id: "bfcache-restore", title: "back/forward cache restore after the token expired (tokens of 4 s)",
    server: SHORT_TTL, maxRefreshes: 2,
    async run(run) {
      // Chromium may keep a page out of the cache for reasons of its own ("Circumstantial",
      // e.g. memory); then the tab is replaced and the scenario tried again, at most 3 times.
      for (let attempt = 1; ; attempt++) {
        const [page] = await run.open(1);
        await run.signIn([page]);
        await run.mark();
        const expiresAt = await page.evaluate(() => {
          sessionStorage.setItem("persisted", "none");
          addEventListener("pageshow", (e) => sessionStorage.setItem("persisted", String(e.persisted)));
          return window.auth.state.expiresAt;
        });
        const cdp = await run.context.newCDPSession(page);
        await cdp.send("Page.enable");
        let notUsed = null;
        cdp.on("Page.backForwardCacheNotUsed", (e) => { notUsed = e.notRestoredExplanations; });
        // Away on another page of the origin (no channel traffic: a message would evict the
        // cached page) until the token has expired; the cached page runs no timer meanwhile.
        await page.goto(`${run.server.web}/harness.html?away`);
        await until("the token's expiry", () => Date.now() > expiresAt + 100);
        const t0 = now();
        await page.goBack({ waitUntil: "commit" });
        await until("the restore", async () => notUsed
          || page.evaluate(() => sessionStorage.getItem("persisted") === "true").catch(() => false));
        if (notUsed) {
          const reasons = notUsed.map((x) => `${x.type} ${x.reason}`).join(", ");
          if (attempt < 3 && notUsed.every((x) => x.type === "Circumstantial")) {
            await page.close();
            continue;
          }
          throw new Error(`not restored from the back/forward cache: ${reasons}`);
        }
        const restored = await page.waitForFunction((old) => window.auth.state.status === "signedIn"
          && window.auth.state.expiresAt > old, expiresAt, { timeout: 5000 }).then(() => true, () => false);
        if (restored) run.recoverMs = now() - t0;
        else {
          run.recoverMs = Infinity;
          run.fail("no refresh within 5 s of the restore (the state kept an expired token)");
        }
        await run.burst([page], 2);
        return run.figures(attempt > 1 ? { note: `restored at attempt ${attempt}` } : {});
      }
    },
  },
  {
    // Waiting on the lock, a tab judges the holder's silence by the monotonic clock: the wall
    // clock jumping (NTP, a user) must not make a live holder look stale. A takeover here
    // would spend the holder's refresh token a second time: a reuse revocation.
    id: "clock-jump-waiting", title: "clock +2 h in a tab waiting on the lock (refresh of 2 s)", maxRefreshes: 1, repeat: 2,
    async run(run) {
      const [holder, waiter] = await run.open(2, {}, { tools: { clock: true } });
      await run.signIn();
      await run.server.expireAccess();
      await run.mark();
      await run.server.faults({ refreshDelayMs: 2000 });
      await holder.evaluate(() => { window.auth.refresh().catch(() => {}); });
      await run.refreshesReached(1);
      await waiter.evaluate(() => { window.__calls = window.__faults.calls(2); });
      await waiter.waitForFunction(async () => (await navigator.locks.query()).pending
        .some((l) => l.name === "tokenrelay"), null, { timeout: WAIT_MS });
      // One wall clock for every tab, as in a real jump.
      for (const page of [holder, waiter]) await page.evaluate(() => { window.__faults.offsetMs = 2 * 3600 * 1000; });
      const statuses = await waiter.evaluate(() => window.__calls);
      run.lost += statuses.filter((s) => s !== 200).length;
      await run.server.faults({});
      return run.figures();
    },
  },
  {
    // The last line of defence, in the browser: a page that forces refreshes in a loop gets 10
    // refresh requests per 10 s, then waits (README "Refresh budget").
    id: "refresh-loop", title: "a page that calls refresh() 11 times in a row", maxRefreshes: 11,
    async run(run) {
      const [page] = await run.open(1);
      await run.signIn();
      await run.mark();
      const doneAt = await page.evaluate(async () => {
        const t0 = performance.now();
        const at = [];
        for (let i = 0; i < 11; i++) {
          await window.auth.refresh();
          at.push(performance.now() - t0);
        }
        return at;
      });
      const { refresh } = await run.delta();
      if (refresh !== 11) run.fail(`${refresh} refresh requests for 11 refresh() calls`);
      // The 11th request can only leave 10 s after the first, which left after t0.
      if (!(doneAt[10] >= 10000)) run.fail(`the 11th refresh ended ${doneAt[10].toFixed(0)} ms after the first call`);
      return run.figures({ note: `10th refresh done at ${(doneAt[9] / 1000).toFixed(2)} s, 11th at ${(doneAt[10] / 1000).toFixed(2)} s` });
    },
  },
];

/** Which targets `figures` of `scenario` miss (empty: all met). */
export function violations(scenario, figures) {
  const v = [...figures.failures];
  const exempt = scenario.graceRequired;
  if (figures.refreshes > scenario.maxRefreshes) v.push(`${figures.refreshes} refreshes (bound ${scenario.maxRefreshes})`);
  if (!exempt && figures.reuse > 0) v.push(`${figures.reuse} reuse revocation(s)`);
  if (!exempt && figures.signOuts > 0) v.push(`${figures.signOuts} tab(s) signed out`);
  if (!exempt && figures.lost > 0) v.push(`${figures.lost} request(s) lost`);
  if (!exempt && figures.recoverMs !== null && !(figures.recoverMs < RECOVERY_TARGET_MS)) {
    v.push(Number.isFinite(figures.recoverMs) ? `recovered in ${figures.recoverMs.toFixed(0)} ms` : "never recovered");
  }
  if (exempt && figures.signOuts < figures.tabs) v.push("expected a clean sign-out of every tab");
  if (figures.errors?.length) v.push(...figures.errors);
  return v;
}

/** Reference servers by configuration, started on first use. */
export class Servers {
  constructor() { this.running = new Map(); }
  async get(options = {}) {
    const key = JSON.stringify(options);
    if (!this.running.has(key)) this.running.set(key, startServer(options));
    return this.running.get(key);
  }
  async stopAll() {
    for (const s of this.running.values()) await (await s.catch(() => null))?.stop();
    this.running.clear();
  }
}

/** Runs `scenario` once in a fresh context of `browser`: its figures (and page errors). */
export async function runScenario(scenario, browser, servers) {
  const server = await servers.get(scenario.server);
  await server.reset();
  const context = await browser.newContext();
  const errors = [];
  let timer;
  try {
    const run = new Run(server, context, errors);
    const bound = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${scenario.id}: no result in ${SCENARIO_MS / 1000} s`)), SCENARIO_MS);
    });
    const figures = await Promise.race([scenario.run(run), bound]);
    return { ...figures, errors };
  } finally {
    clearTimeout(timer);
    await context.close();
  }
}
