// tokenrelay/axios in headless Chromium: the Vite example www/examples/axios built once per
// tested axios (tested-peers.mjs: 1.21 on the fetch path; 1.11, 1.7 and 1.6 on the interceptor
// path), each in its own project where a plain `npm install` puts the packed tarball beside
// `axios@<version>`, by its real name, as a user's install does (the peer range must accept
// it). The builds are served from one origin, apart from the reference server, and driven
// through their axios instance. The server's counters are the judge.
import { test, describe, before, after, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { root } from "../e2e/lib/server.mjs";
import { launch, watchErrors } from "../e2e/lib/browser.mjs";
import { packPackage } from "../e2e/lib/pack.mjs";
import { staticServer, apiFor, run } from "../e2e/lib/examples.mjs";
import { TESTED, compareVersions } from "./tested-peers.mjs";

const example = path.join(root, "www/examples/axios");
const work = path.join(root, "target", "examples-axios");
const served = path.join(work, "www"); // one build per version, in axios-<version>/
let tarball, web, server, browser, context, errors;

before(async () => {
  tarball = packPackage();
  rmSync(served, { recursive: true, force: true });
  mkdirSync(served, { recursive: true });
  web = await staticServer(served);
  server = await apiFor(web.origin);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await web?.stop();
});
beforeEach(async () => {
  await server.reset();
  context = await browser.newContext();
  errors = [];
});
afterEach(async () => {
  await context.close();
  assert.deepEqual(errors, [], "no page error, no wasm panic");
});

/**
 * The example in its own project with `axios@<version>`: its package.json and lockfile, then
 * `npm install <tarball> axios@<version>` (plain: no alias, no --legacy-peer-deps), then a Vite
 * build served at /axios-<version>/. Memoised per version.
 */
const builds = new Map();
function built(version) {
  if (!builds.has(version)) builds.set(version, (async () => {
    const dir = path.join(work, `axios-${version}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const file of ["package.json", "package-lock.json", "index.html", "src"]) {
      cpSync(path.join(example, file), path.join(dir, file), { recursive: true });
    }
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball, `axios@${version}`], { cwd: dir });
    const installed = (name) => JSON.parse(readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8")).version;
    assert.equal(installed("axios"), version, "the axios the app bundles");
    assert.equal(installed("tokenrelay"), JSON.parse(readFileSync(path.join(root, "pkg/package.json"), "utf8")).version);
    await run(path.join(dir, "node_modules/.bin/vite"), ["build", "--logLevel", "warn", "--base", `/axios-${version}/`,
      "--outDir", path.join(served, `axios-${version}`), "--emptyOutDir"], { cwd: dir, env: { VITE_API_BASE: server.api } });
  })());
  return builds.get(version);
}

/** The example page built with `version` (built first if need be), signed in; counts the requests it sends to each API path. */
async function signedIn(version) {
  await built(version);
  const page = await context.newPage();
  watchErrors(page, errors);
  page.sent = {};
  page.on("request", (req) => {
    const { pathname } = new URL(req.url());
    if (req.method() !== "OPTIONS") page.sent[pathname] = (page.sent[pathname] ?? 0) + 1;
  });
  await page.goto(`${web.origin}/axios-${version}/`);
  await page.waitForFunction(() => /^signed(In|Out)$/.test(document.querySelector("#status").textContent));
  if (await page.textContent("#status") === "signedOut") await page.click("#login");
  await page.waitForFunction(() => document.querySelector("#status").textContent === "signedIn");
  return page;
}

// The same scenarios on every tested axios: the newest through the fetch adapter (`env.fetch` =
// auth.fetch), the older ones (no `env.fetch` before 1.12) through interceptors.
for (const version of TESTED.axios) {
  const fetchPath = compareVersions(version, "1.12.0") >= 0;
  const name = `axios ${version} (${fetchPath ? "fetch adapter" : "interceptors"})`;

  describe(name, () => {
    test(`${name}: npm install of the packed tarball with axios@${version}, by its real name, resolves and the app builds`, () =>
      built(version));

    test(`${name}: token refused, 50 concurrent calls make 1 refresh and all answer 200`, async () => {
      for (let round = 0; round < 3; round++) {
        const page = await signedIn(version);
        await server.expireAccess();
        const before = await server.stats();
        const statuses = await page.evaluate(async () => {
          const calls = Array.from({ length: 50 }, () => window.example.api.get("/api/me"));
          return (await Promise.all(calls)).map((r) => `${r.status} ${r.data.email}`);
        });
        assert.deepEqual(statuses, Array(50).fill("200 demo@example.com"));
        const stats = await server.stats();
        assert.equal(stats.refresh - before.refresh, 1, "one refresh for the 50 calls");
        assert.equal(stats.refreshReuse, 0);
        assert.equal(stats.apiOk - before.apiOk, 50);
        assert.ok(stats.api401 - before.api401 <= 50, "at most one 401 per call");
        assert.equal(page.sent["/api/me"] - (stats.api401 - before.api401), 50, "a retry only after a 401");
        await page.close();
      }
    });

    test(`${name}: a POST body survives the retry after a 401`, async () => {
      const page = await signedIn(version);
      await server.expireAccess();
      const before = await server.stats();
      const answer = await page.evaluate(async () => {
        const res = await window.example.api.post("/api/echo", { note: "kept", n: [1, 2, 3] });
        return { status: res.status, data: res.data };
      });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.data.body, { note: "kept", n: [1, 2, 3] });
      assert.match(answer.data.contentType, /^application\/json/);
      const stats = await server.stats();
      assert.equal(stats.api401 - before.api401, 1, "the first attempt was refused");
      assert.equal(stats.refresh - before.refresh, 1);
      assert.equal(page.sent["/api/echo"], 2, "sent once, retried once");
    });

    test(`${name}: a call to a foreign origin carries no token; the API's own origin does`, async () => {
      const page = await signedIn(version);
      const foreign = server.api.replace("127.0.0.1", "localhost"); // same server, another origin
      const seen = await page.evaluate(async (foreign) => {
        const { api } = window.example;
        document.cookie = "probe=1; Path=/"; // the page's origin; cookies ignore ports
        const own = (await api.get("/api/headers")).data;
        const other = (await api.get(`${foreign}/api/headers`)).data;
        const pick = (h) => ({ authorization: h.authorization ?? null, cookie: h.cookie ?? null });
        return { own: pick(own), other: pick(other) };
      }, foreign);
      assert.match(seen.own.authorization, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/, "the API gets the token");
      assert.match(seen.own.cookie ?? "", /probe=1/, "and the cookies (credentials included)");
      assert.equal(seen.other.authorization, null, "the foreign origin gets no token");
      assert.equal(seen.other.cookie, null, "and no cookie");
    });

    test(`${name}: a revoked session gives one 401 per call as an AxiosError, no loop`, async () => {
      const page = await signedIn(version);
      // Revoke the session behind the client's back: the family ends on the server, and the
      // access token the client holds is refused.
      await page.evaluate(async (api) => {
        await fetch(`${api}/auth/logout`, { method: "POST", credentials: "include",
          headers: { "X-Requested-With": "test" } });
      }, server.api);
      await server.expireAccess();
      const before = await server.stats();
      const failures = await page.evaluate(async () => {
        const { api, axios } = window.example;
        const calls = Array.from({ length: 5 }, () => api.get("/api/me").then(
          (r) => ({ resolved: r.status }),
          (e) => ({ isAxiosError: axios.isAxiosError(e), instance: e instanceof axios.AxiosError,
            status: e.response?.status, code: e.code })));
        return Promise.all(calls);
      });
      assert.deepEqual(failures, Array(5).fill({ isAxiosError: true, instance: true, status: 401, code: "ERR_BAD_REQUEST" }));
      let stats = await server.stats();
      assert.equal(stats.api401 - before.api401, 5, "one 401 per call: no retry without a new token");
      assert.equal(stats.refresh - before.refresh, 1, "one refresh attempt, refused");
      assert.equal(await page.textContent("#status"), "signedOut");
      // Signed out now: a later call is one request, one 401, no refresh.
      const later = await page.evaluate(() => window.example.api.get("/api/me").catch((e) => e.response.status));
      assert.equal(later, 401);
      stats = await server.stats();
      assert.equal(stats.api401 - before.api401, 6);
      assert.equal(stats.refresh - before.refresh, 1);
      assert.equal(page.sent["/api/me"], 6);
    });

    test(`${name}: a call refused again after its retry rejects with that 401, no loop`, async () => {
      const page = await signedIn(version);
      // The API's answers to this one URL become 401 on the way (its real answer is 200), so the
      // refresh works and the retry is refused too.
      await page.route(`${server.api}/api/me?refused=1`, async (route) => {
        if (route.request().method() === "OPTIONS") return route.continue();
        return route.fulfill({ response: await route.fetch(), status: 401 });
      });
      const before = await server.stats();
      const outcome = await page.evaluate(() => window.example.api.get("/api/me?refused=1").then(
        (r) => `resolved ${r.status}`,
        (e) => `${window.example.axios.isAxiosError(e)} ${e.response?.status} ${e.code}`));
      assert.equal(outcome, "true 401 ERR_BAD_REQUEST");
      const stats = await server.stats();
      assert.equal(stats.refresh - before.refresh, 1, "one refresh");
      assert.equal(page.sent["/api/me"], 2, "sent once, retried once");
    });

    test(`${name}: withAuth configures the instance it is given, never axios itself, and refuses non-instances`, async () => {
      const page = await signedIn(version);
      const checks = await page.evaluate(() => {
        const { api, axios, auth, withAuth } = window.example;
        const code = (f) => { try { f(); return "none"; } catch (e) { return `${e.name} ${e.code}`; } };
        return {
          same: withAuth(api, auth) === api,
          routed: api.defaults.adapter === "fetch" && typeof api.defaults.env.fetch === "function",
          globalUntouched: axios.defaults.adapter !== "fetch" && !axios.defaults.env?.fetch,
          otherUntouched: axios.create().defaults.adapter !== "fetch",
          noInstance: code(() => withAuth({}, auth)),
          noClient: code(() => withAuth(axios.create(), {})),
        };
      });
      assert.deepEqual(checks, { same: true, routed: true, globalUntouched: true, otherUntouched: true,
        noInstance: "TokenRelayError config", noClient: "TokenRelayError config" });
    });

    test(`${name}: the first call picks this path; the token is in the request config on the interceptor path only`, async () => {
      const page = await signedIn(version);
      const checks = await page.evaluate(async () => {
        const { api, axios, auth, withAuth } = window.example;
        const first = await api.get("/api/me"); // learns its path
        return {
          routed: api.defaults.adapter === "fetch" && typeof api.defaults.env?.fetch === "function",
          header: Boolean(first.config.headers.Authorization),
          same: withAuth(api, auth) === api,
          globalUntouched: axios.defaults.adapter !== "fetch" && !axios.defaults.env?.fetch,
          again: (await api.get("/api/me")).status,
        };
      });
      assert.deepEqual(checks, { routed: fetchPath, header: !fetchPath, same: true, globalUntouched: true, again: 200 });
      assert.equal(page.sent["/api/me"], 2, "learning the path sends nothing to the API");
    });
  });
}

test("one tab per tested axios on one origin: 40 calls after the token was refused make 1 refresh", async () => {
  await Promise.all(TESTED.axios.map(built));
  for (let round = 0; round < 3; round++) {
    const pages = [];
    for (const version of TESTED.axios) pages.push(await signedIn(version));
    await server.expireAccess();
    const before = await server.stats();
    const fire = (page) => page.evaluate(async () => {
      const calls = Array.from({ length: 10 }, () => window.example.api.get("/api/me"));
      return (await Promise.all(calls)).map((r) => r.status);
    });
    const statuses = (await Promise.all(pages.map(fire))).flat();
    assert.deepEqual(statuses, Array(10 * TESTED.axios.length).fill(200));
    const stats = await server.stats();
    assert.equal(stats.refresh - before.refresh, 1, "one refresh for the app and its tabs");
    assert.equal(stats.refreshReuse, 0);
    for (const page of pages) await page.close();
  }
});
