// The scenarios of the Next example www/examples/next with tokenrelay/next, on the runtimes of
// Next's middleware it is given: proxy.js (Node, Next 16) and middleware.edge.js (the edge
// runtime, built with EDGE=1). Each is a production build served by `next start`, the reference
// server behind it (refresh cookie `__Host-refreshToken; Path=/`, one origin for the browser: the
// auth calls are the app's route handlers and /api/* is forwarded by its proxy), driven in
// headless Chromium. The API's counters are the judge. next.test.mjs runs them on the example
// (Next 16), oldest-peers.test.mjs on a copy with the oldest Next the peer range accepts.
import { test, describe, before, after, beforeEach, afterEach } from "node:test";
import { mkdirSync, readFileSync } from "node:fs";
import assert from "node:assert/strict";
import path from "node:path";
import { root, startServer } from "../e2e/lib/server.mjs";
import { launch, watchErrors } from "../e2e/lib/browser.mjs";
import { run, serve, freePort } from "../e2e/lib/examples.mjs";

const NEXT_ENV = { NEXT_TELEMETRY_DISABLED: "1" };
const AUTH_COOKIES = ["__Host-refreshToken", "tokenrelayAccess", "lastTokenRefresh"];
const EMAIL = "demo@example.com";
/** The two builds of the example: the same proxy function on each runtime. */
export const RUNTIMES = [
  { name: "proxy.js on the Node runtime", env: {}, distDir: ".next" },
  { name: "middleware.js on the edge runtime", env: { EDGE: "1" }, distDir: ".next-edge" },
];

/**
 * Registers the scenarios: `prepare()` resolves with the directory of the example's project
 * (installed), `runtimes` are entries of RUNTIMES, each built and run; `screenshots` saves what
 * a person sees in tests/e2e/artifacts.
 */
export function nextSuite({ prepare, runtimes = RUNTIMES, screenshots = true }) {
  let dir, next, browser, runtime, stack, context, errors;

  /** The reference server and `next start` in front of it, on free ports. */
  async function startStack({ reuseGraceSecs = 0 } = {}) {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const server = await startServer({ reuseGraceSecs, extraArgs: ["--host-cookie", "--allow-origin", origin] });
    try {
      const app = await serve(next, ["start", "-H", "127.0.0.1", "-p", String(port)],
        { cwd: dir, env: { ...NEXT_ENV, ...runtime.env, API_BASE: server.api, PORT: String(port) }, url: `${origin}/login` });
      return { origin, server, async stop() { await app.stop(); await server.stop(); } };
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  before(async () => {
    dir = await prepare();
    next = path.join(dir, "node_modules/.bin/next");
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    await stack.server.reset();
    context = await browser.newContext();
    errors = [];
  });
  afterEach(async () => {
    await context.close();
    assert.deepEqual(errors, [], "no page error, no wasm panic");
  });

  async function newPage(ctx = context) {
    const page = await ctx.newPage();
    watchErrors(page, errors);
    return page;
  }
  const text = (page, id, value) =>
    page.waitForFunction(([id, value]) => document.getElementById(id)?.textContent === value, [id, value], { timeout: 20000 });
  const cookie = async (name, ctx = context) => (await ctx.cookies()).find((c) => c.name === name);

  /** Signs in on /login of `at`; ends on /account rendered by the server for the user. */
  async function signIn(page, at = stack) {
    await page.goto(`${at.origin}/login`);
    await text(page, "status", "signedOut");
    await page.click("#login");
    await text(page, "server-user", EMAIL);
    await text(page, "status", "signedIn");
  }

  /**
   * Makes the server's access token expired as the server counts it: the cookie keeps the
   * token, minted (by the cookie's own stamp) ten minutes ago; no refresh stamp is left.
   */
  async function expireServerToken(ctx = context) {
    const access = await cookie("tokenrelayAccess", ctx);
    assert.ok(access, "the server keeps an access cookie");
    assert.equal(access.httpOnly, true, "page scripts cannot read it");
    const token = access.value.slice(access.value.indexOf(".") + 1);
    await ctx.clearCookies({ name: "lastTokenRefresh" });
    await ctx.addCookies([{ ...access, value: `${Date.now() - 600000}.${token}` }]);
  }

  /** The scenarios, run against each build. */
  function scenarios() {
    test("an expired server token: the protected page renders signed in after 1 refresh; a reload costs none", { timeout: 120000 }, async () => {
      const page = await newPage();
      await signIn(page);
      await expireServerToken();
      const refreshBefore = (await cookie("__Host-refreshToken")).value;
      const before = await stack.server.stats();
      const startedAt = Date.now();
      await page.goto(`${stack.origin}/account`);
      await text(page, "server-user", EMAIL); // the server components used the new token
      await text(page, "status", "signedIn"); // and the browser client restored
      let stats = await stack.server.stats();
      assert.equal(stats.refresh - before.refresh, 1, "one refresh, in the proxy, before render");
      assert.equal(stats.refreshRotated - before.refreshRotated, 1);
      assert.equal(stats.refreshReuse, 0);
      const rotated = await cookie("__Host-refreshToken");
      assert.notEqual(rotated.value, refreshBefore, "the rotated refresh cookie reached the browser");
      assert.equal(rotated.httpOnly, true);
      const stamp = Number((await cookie("lastTokenRefresh")).value);
      assert.ok(stamp >= startedAt - 1000 && stamp <= Date.now(), "the cooldown cookie is stamped");

      await page.reload();
      await text(page, "server-user", EMAIL);
      await text(page, "status", "signedIn");
      stats = await stack.server.stats();
      assert.equal(stats.refresh - before.refresh, 1, "the reload within the cooldown made no second rotation");
      assert.equal(stats.refreshReuse, 0);
      // What a person sees: tests/e2e/artifacts/example-next-<node|edge>.png, to open and read.
      if (!screenshots) return;
      const shots = path.join(root, "tests/e2e/artifacts");
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: path.join(shots, `example-next-${runtime.env.EDGE ? "edge" : "node"}.png`), fullPage: true });
    });

    test("prefetches never refresh: the home page prefetches /account with an expired server token", { timeout: 120000 }, async () => {
      const page = await newPage();
      await signIn(page);
      await expireServerToken();
      // The page's own client may not refresh here: only the proxy could.
      await page.route("**/auth/refresh", (route) => route.abort());
      const before = await stack.server.stats();
      // Once its answer's headers arrive, whatever the proxy would do for the prefetch is done.
      const prefetched = page.waitForEvent("response", { timeout: 20000,
        predicate: (res) => new URL(res.url()).pathname === "/account" && res.request().headers()["next-router-prefetch"] === "1" });
      await page.goto(stack.origin);
      assert.ok((await prefetched).status() < 300);
      const direct = await context.request.get(`${stack.origin}/account`,
        { headers: { "Next-Router-Prefetch": "1", RSC: "1" } }); // Next itself adds `_rsc` (a 307)
      assert.equal(direct.status(), 200);
      assert.equal(new URL(direct.url()).pathname, "/account", "a prefetch is not sent to the login page");
      const stats = await stack.server.stats();
      assert.equal(stats.refresh - before.refresh, 0, "no refresh for a prefetch");
      assert.ok(!(direct.headers()["set-cookie"] ?? "").includes("refreshToken"));
    });

    test("a refresh refused by the API ends on the login page after one redirect, and stays there", { timeout: 120000 }, async () => {
      const page = await newPage();
      await signIn(page);
      await expireServerToken();
      await stack.server.faults({ refreshStatus: 401 });
      const before = await stack.server.stats();
      const response = await page.goto(`${stack.origin}/account`);
      let hops = 0;
      for (let r = response.request().redirectedFrom(); r; r = r.redirectedFrom()) hops++;
      assert.equal(hops, 1, "one redirect");
      const url = new URL(page.url());
      assert.equal(url.pathname, "/login");
      assert.equal(url.searchParams.get("redirect"), "/account");
      await text(page, "status", "signedOut");
      await page.waitForFunction(() => document.readyState === "complete");
      assert.equal(new URL(page.url()).pathname, "/login", "no loop");
      const stats = await stack.server.stats();
      assert.equal(stats.refresh - before.refresh, 1, "the proxy's one refresh; the client finds no session");
      for (const name of AUTH_COOKIES) assert.equal(await cookie(name), undefined, `${name} cleared`);
    });

    /** 5 tabs of one browser navigate to /account at once with an expired server token. */
    async function fiveTabs(at) {
      const ctx = await browser.newContext();
      try {
        const first = await newPage(ctx);
        await signIn(first, at);
        await expireServerToken(ctx);
        await first.close();
        const before = await at.server.stats();
        const tabs = await Promise.all(Array.from({ length: 5 }, () => newPage(ctx)));
        await Promise.all(tabs.map((tab) => tab.goto(`${at.origin}/account`)));
        for (const tab of tabs) {
          await text(tab, "server-user", EMAIL);
          await text(tab, "status", "signedIn");
        }
        const stats = await at.server.stats();
        return { refresh: stats.refresh - before.refresh, rotated: stats.refreshRotated - before.refreshRotated,
          reuse: stats.refreshReuse - before.refreshReuse, graceReplay: stats.refreshGraceReplay - before.refreshGraceReplay };
      } finally {
        await ctx.close();
      }
    }

    test("5 tabs navigating at once: 0 reuse revocations, with a grace window of 5 s and without one", { timeout: 240000 }, async (t) => {
      const graced = await startStack({ reuseGraceSecs: 5 });
      try {
        for (let round = 0; round < 3; round++) {
          for (const [name, at] of [["grace 0 s", stack], ["grace 5 s", graced]]) {
            const figures = await fiveTabs(at);
            t.diagnostic(`${name}, round ${round + 1}: ${JSON.stringify(figures)}`);
            assert.equal(figures.reuse, 0, `${name}: no reuse revocation`);
            assert.equal(figures.rotated, 1, `${name}: one rotation for the 5 tabs`);
          }
        }
      } finally {
        await graced.stop();
      }
    });

    /**
     * One browser at `at`: a navigation (the proxy refreshes) and the page's own refresh (the
     * route handler) at the same moment, presenting the same refresh token, `rounds` times.
     */
    async function collisions(at, rounds) {
      const ctx = await browser.newContext();
      try {
        const page = await newPage(ctx);
        await signIn(page, at);
        const figures = [];
        for (let round = 0; round < rounds; round++) {
          await text(page, "status", "signedIn"); // restored after the last navigation
          await expireServerToken(ctx);
          const aged = (await cookie("tokenrelayAccess", ctx)).value;
          const other = await newPage(ctx);
          await other.goto(`${at.origin}/login`);
          await text(other, "status", "signedIn"); // from the first tab, without a refresh
          assert.equal((await cookie("tokenrelayAccess", ctx)).value, aged, "the server's token is still expired");
          const before = await at.server.stats();
          const [, status] = await Promise.all([
            page.goto(`${at.origin}/account`),
            other.evaluate(() => fetch("/auth/refresh", { method: "POST", headers: { "X-Requested-With": "tokenrelay" } })
              .then((r) => r.status)),
          ]);
          // Counted once the navigated page has hydrated and settled (signed in, or out after a
          // revocation): a rotation or a reuse its own restore causes belongs to this round.
          await page.waitForFunction(() => ["signedIn", "signedOut"].includes(document.getElementById("status")?.textContent),
            null, { timeout: 20000 });
          const stats = await at.server.stats();
          figures.push({ status, serverUser: await page.textContent("#server-user"),
            rotated: stats.refreshRotated - before.refreshRotated, reuse: stats.refreshReuse - before.refreshReuse,
            graceReplay: stats.refreshGraceReplay - before.refreshGraceReplay });
          await other.close();
        }
        return figures;
      } finally {
        await ctx.close();
      }
    }

    test("a navigation's proxy refresh and the page's own refresh at once spend the refresh token once", { timeout: 120000 }, async (t) => {
      // On Node the proxy and the route handlers share one process, so one API call. On the
      // edge runtime they share no memory: both reach the API, and its grace window (README)
      // is what keeps the second presentation from being a reuse.
      const edge = Boolean(runtime.env.EDGE);
      const graced = edge ? await startStack({ reuseGraceSecs: 5 }) : null;
      try {
        const figures = await collisions(graced ?? stack, 3);
        t.diagnostic(`${edge ? "grace 5 s" : "grace 0 s"}: ${JSON.stringify(figures)}`);
        for (const [round, f] of figures.entries()) {
          assert.deepEqual({ status: f.status, serverUser: f.serverUser, rotated: f.rotated, reuse: f.reuse },
            { status: 200, serverUser: EMAIL, rotated: 1, reuse: 0 }, `round ${round + 1}`);
        }
        if (edge) t.diagnostic(`grace 0 s: ${JSON.stringify(await collisions(stack, 1))}`);
      } finally {
        await graced?.stop();
      }
    });

    test("logout: the API's logout is called and no auth cookie is left", { timeout: 120000 }, async () => {
      const page = await newPage();
      await signIn(page);
      assert.ok(await cookie("__Host-refreshToken"));
      const before = await stack.server.stats();
      // The client signs out at once, then posts the logout: its answer is the condition.
      const answered = page.waitForResponse((res) => new URL(res.url()).pathname === "/auth/logout");
      await page.click("#logout");
      await text(page, "status", "signedOut");
      assert.equal((await answered).status(), 200);
      const stats = await stack.server.stats();
      assert.equal(stats.logout - before.logout, 1);
      assert.deepEqual((await context.cookies()).filter((c) => AUTH_COOKIES.includes(c.name)), []);
      await page.goto(`${stack.origin}/account`);
      assert.equal(new URL(page.url()).pathname, "/login");
    });
  }


  for (const variant of runtimes) {
    describe(variant.name, () => {
      before(async () => {
        runtime = variant;
        await run(next, ["build"], { cwd: dir, env: { ...NEXT_ENV, ...variant.env } });
        stack = await startStack();
      });
      after(async () => {
        await stack?.stop();
        stack = null;
      });
      test("the build runs the proxy function on this runtime", () => {
        const server = path.join(dir, variant.distDir, "server");
        const edge = JSON.parse(readFileSync(path.join(server, "middleware-manifest.json"), "utf8")).middleware;
        const node = JSON.parse(readFileSync(path.join(server, "functions-config-manifest.json"), "utf8")).functions;
        const onEdge = Object.keys(edge).length > 0;
        const onNode = node["/_middleware"]?.runtime === "nodejs";
        assert.deepEqual({ onEdge, onNode }, variant.env.EDGE ? { onEdge: true, onNode: false } : { onEdge: false, onNode: true });
      });
      scenarios();
    });
  }
}
