// tokenrelay/axios in headless Chromium: the Vite example www/examples/axios (axios 1.21, and
// 1.11, 1.7 and 1.6 for the interceptor path; the packed package) built and served apart from
// the reference server, driven through its axios instances. The server's counters are the judge.
import { test, before, after, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { root } from "../e2e/lib/server.mjs";
import { launch, watchErrors } from "../e2e/lib/browser.mjs";
import { prepareConsumer } from "../e2e/lib/pack.mjs";
import { staticServer, apiFor, run } from "../e2e/lib/examples.mjs";

const dir = path.join(root, "www/examples/axios");
let web, server, browser, context, errors;

before(async () => {
  prepareConsumer(dir);
  web = await staticServer(path.join(dir, "dist"));
  server = await apiFor(web.origin);
  await run(path.join(dir, "node_modules/.bin/vite"), ["build", "--logLevel", "warn"],
    { cwd: dir, env: { VITE_API_BASE: server.api } });
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

/** The example page, signed in; counts the requests it sends to each API path. */
async function signedIn() {
  const page = await context.newPage();
  watchErrors(page, errors);
  page.sent = {};
  page.on("request", (req) => {
    const { pathname } = new URL(req.url());
    if (req.method() !== "OPTIONS") page.sent[pathname] = (page.sent[pathname] ?? 0) + 1;
  });
  await page.goto(web.origin);
  await page.waitForFunction(() => /^signed(In|Out)$/.test(document.querySelector("#status").textContent));
  if (await page.textContent("#status") === "signedOut") await page.click("#login");
  await page.waitForFunction(() => document.querySelector("#status").textContent === "signedIn");
  return page;
}

/**
 * The two paths of withAuth, each tested with the same scenarios: axios 1.21 through the fetch
 * adapter (`env.fetch` = auth.fetch) and axios 1.11 (no `env.fetch`) through interceptors.
 */
const PATHS = [
  { name: "axios 1.21, fetch adapter", api: "api", axios: "axios" },
  { name: "axios 1.11, interceptors", api: "apiOld", axios: "axiosOld" },
];

for (const variant of PATHS) {
  test(`${variant.name}: token refused, 50 concurrent calls make 1 refresh and all answer 200`, async () => {
    for (let round = 0; round < 3; round++) {
      const page = await signedIn();
      await server.expireAccess();
      const before = await server.stats();
      const statuses = await page.evaluate(async (name) => {
        const calls = Array.from({ length: 50 }, () => window.example[name].get("/api/me"));
        return (await Promise.all(calls)).map((r) => `${r.status} ${r.data.email}`);
      }, variant.api);
      assert.deepEqual(statuses, Array(50).fill("200 demo@example.com"));
      const stats = await server.stats();
      assert.equal(stats.refresh - before.refresh, 1, "one refresh for the 50 calls");
      assert.equal(stats.refreshReuse, 0);
      assert.equal(stats.apiOk - before.apiOk, 50);
      assert.ok(stats.api401 - before.api401 <= 50, "at most one 401 per call");
      await page.close();
    }
  });

  test(`${variant.name}: a POST body survives the retry after a 401`, async () => {
    const page = await signedIn();
    await server.expireAccess();
    const before = await server.stats();
    const answer = await page.evaluate(async (name) => {
      const res = await window.example[name].post("/api/echo", { note: "kept", n: [1, 2, 3] });
      return { status: res.status, data: res.data };
    }, variant.api);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.data.body, { note: "kept", n: [1, 2, 3] });
    assert.match(answer.data.contentType, /^application\/json/);
    const stats = await server.stats();
    assert.equal(stats.api401 - before.api401, 1, "the first attempt was refused");
    assert.equal(stats.refresh - before.refresh, 1);
    assert.equal(page.sent["/api/echo"], 2, "sent once, retried once");
  });

  test(`${variant.name}: a call to a foreign origin carries no token; the API's own origin does`, async () => {
    const page = await signedIn();
    const foreign = server.api.replace("127.0.0.1", "localhost"); // same server, another origin
    const seen = await page.evaluate(async ([name, foreign]) => {
      const api = window.example[name];
      document.cookie = "probe=1; Path=/"; // the page's origin; cookies ignore ports
      const own = (await api.get("/api/headers")).data;
      const other = (await api.get(`${foreign}/api/headers`)).data;
      const pick = (h) => ({ authorization: h.authorization ?? null, cookie: h.cookie ?? null });
      return { own: pick(own), other: pick(other) };
    }, [variant.api, foreign]);
    assert.match(seen.own.authorization, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/, "the API gets the token");
    assert.match(seen.own.cookie ?? "", /probe=1/, "and the cookies (credentials included)");
    assert.equal(seen.other.authorization, null, "the foreign origin gets no token");
    assert.equal(seen.other.cookie, null, "and no cookie");
  });

  test(`${variant.name}: a revoked session gives one 401 per call as an AxiosError, no loop`, async () => {
    const page = await signedIn();
    // Revoke the session behind the client's back: the family ends on the server, and the
    // access token the client holds is refused.
    await page.evaluate(async (api) => {
      await fetch(`${api}/auth/logout`, { method: "POST", credentials: "include",
        headers: { "X-Requested-With": "test" } });
    }, server.api);
    await server.expireAccess();
    const before = await server.stats();
    const failures = await page.evaluate(async ([name, axiosName]) => {
      const api = window.example[name];
      const axios = window.example[axiosName];
      const calls = Array.from({ length: 5 }, () => api.get("/api/me").then(
        (r) => ({ resolved: r.status }),
        (e) => ({ isAxiosError: axios.isAxiosError(e), instance: e instanceof axios.AxiosError,
          status: e.response?.status, code: e.code })));
      return Promise.all(calls);
    }, [variant.api, variant.axios]);
    assert.deepEqual(failures, Array(5).fill({ isAxiosError: true, instance: true, status: 401, code: "ERR_BAD_REQUEST" }));
    let stats = await server.stats();
    assert.equal(stats.api401 - before.api401, 5, "one 401 per call: no retry without a new token");
    assert.equal(stats.refresh - before.refresh, 1, "one refresh attempt, refused");
    assert.equal(await page.textContent("#status"), "signedOut");
    // Signed out now: a later call is one request, one 401, no refresh.
    const later = await page.evaluate((name) => window.example[name].get("/api/me").catch((e) => e.response.status), variant.api);
    assert.equal(later, 401);
    stats = await server.stats();
    assert.equal(stats.api401 - before.api401, 6);
    assert.equal(stats.refresh - before.refresh, 1);
    assert.equal(page.sent["/api/me"], 6);
  });

  test(`${variant.name}: a call refused again after its retry rejects with that 401, no loop`, async () => {
    const page = await signedIn();
    // The API's answers to this one URL become 401 on the way (its real answer is 200), so the
    // refresh works and the retry is refused too.
    await page.route(`${server.api}/api/me?refused=1`, async (route) => {
      if (route.request().method() === "OPTIONS") return route.continue();
      return route.fulfill({ response: await route.fetch(), status: 401 });
    });
    const before = await server.stats();
    const outcome = await page.evaluate(([name, axiosName]) => window.example[name].get("/api/me?refused=1").then(
      (r) => `resolved ${r.status}`,
      (e) => `${window.example[axiosName].isAxiosError(e)} ${e.response?.status} ${e.code}`), [variant.api, variant.axios]);
    assert.equal(outcome, "true 401 ERR_BAD_REQUEST");
    const stats = await server.stats();
    assert.equal(stats.refresh - before.refresh, 1, "one refresh");
    assert.equal(page.sent["/api/me"], 2, "sent once, retried once");
  });
}

test("both paths in two tabs at once: 40 calls after the token was refused make 1 refresh", async () => {
  for (let round = 0; round < 3; round++) {
    const pages = [await signedIn(), await signedIn()];
    await server.expireAccess();
    const before = await server.stats();
    const fire = (page) => page.evaluate(async () => {
      const { api, apiOld } = window.example;
      const calls = Array.from({ length: 20 }, (_, i) => (i % 2 ? api : apiOld).get("/api/me"));
      return (await Promise.all(calls)).map((r) => r.status);
    });
    const statuses = (await Promise.all(pages.map(fire))).flat();
    assert.deepEqual(statuses, Array(40).fill(200));
    const stats = await server.stats();
    assert.equal(stats.refresh - before.refresh, 1, "one refresh for the app and its tabs");
    assert.equal(stats.refreshReuse, 0);
    for (const page of pages) await page.close();
  }
});

test("axios 1.7 (fetch adapter without env.fetch) and 1.6 (no fetch adapter) take the interceptors too", async () => {
  for (const name of ["api17", "api16"]) {
    const page = await signedIn();
    await server.expireAccess();
    const before = await server.stats();
    const seen = await page.evaluate(async (name) => {
      const api = window.example[name];
      const calls = Array.from({ length: 20 }, () => api.get("/api/me"));
      const statuses = (await Promise.all(calls)).map((r) => r.status);
      const posted = await api.post("/api/echo", { note: "kept" });
      return { statuses, body: posted.data.body, header: Boolean(posted.config.headers.Authorization),
        restored: api.defaults.adapter !== "fetch" && !api.defaults.env?.fetch };
    }, name);
    assert.deepEqual(seen, { statuses: Array(20).fill(200), body: { note: "kept" }, header: true, restored: true }, name);
    const stats = await server.stats();
    assert.equal(stats.refresh - before.refresh, 1, `${name}: one refresh`);
    assert.equal(page.sent["/api/me"] - (stats.api401 - before.api401), 20, `${name}: a retry only after a 401`);
    await page.close();
  }
});

test("withAuth configures the instance it is given, never axios itself, and refuses non-instances", async () => {
  const page = await signedIn();
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

test("the path each axios takes: the token stays out of the request config with the fetch adapter only", async () => {
  const page = await signedIn();
  const checks = await page.evaluate(async () => {
    const { api, apiOld, axiosOld, auth, withAuth } = window.example;
    const [current, old] = [await api.get("/api/me"), await apiOld.get("/api/me")]; // each learns its path
    const authorization = (r) => Boolean(r.config.headers.Authorization);
    return {
      currentRouted: api.defaults.adapter === "fetch" && typeof api.defaults.env.fetch === "function",
      currentHeader: authorization(current),
      oldRestored: apiOld.defaults.adapter !== "fetch" && !apiOld.defaults.env?.fetch,
      oldHeader: authorization(old),
      same: withAuth(apiOld, auth) === apiOld,
      globalUntouched: axiosOld.defaults.adapter !== "fetch" && !axiosOld.defaults.env?.fetch,
      again: (await apiOld.get("/api/me")).status,
    };
  });
  assert.deepEqual(checks, { currentRouted: true, currentHeader: false, oldRestored: true, oldHeader: true,
    same: true, globalUntouched: true, again: 200 });
  assert.equal(page.sent["/api/me"], 3, "learning the path sends nothing to the API");
});
