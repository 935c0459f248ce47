// tokenrelay/axios in headless Chromium: the Vite example www/examples/axios (axios 1.21, the
// packed package) built and served apart from the reference server, driven through its axios
// instance. The server's counters are the judge.
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

test("token refused: 50 concurrent axios calls make 1 refresh and all answer 200", async () => {
  for (let round = 0; round < 3; round++) {
    const page = await signedIn();
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
    await page.close();
  }
});

test("a POST body survives the retry after a 401", async () => {
  const page = await signedIn();
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

test("a call to a foreign origin carries no token; the API's own origin does", async () => {
  const page = await signedIn();
  const foreign = server.api.replace("127.0.0.1", "localhost"); // same server, another origin
  const seen = await page.evaluate(async (foreign) => {
    const { api } = window.example;
    const own = (await api.get("/api/headers")).data;
    const other = (await api.get(`${foreign}/api/headers`)).data;
    const pick = (h) => ({ authorization: h.authorization ?? null, cookie: h.cookie ?? null });
    return { own: pick(own), other: pick(other) };
  }, foreign);
  assert.match(seen.own.authorization, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/, "the API gets the token");
  assert.equal(seen.other.authorization, null, "the foreign origin gets no token");
  assert.equal(seen.other.cookie, null, "and no cookie");
});

test("a revoked session: one 401 per call as an AxiosError, no loop", async () => {
  const page = await signedIn();
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

test("an axios without env.fetch (1.11) fails loudly with a config error instead of calling without tokenrelay", async () => {
  const page = await signedIn();
  const before = await server.stats();
  const outcome = await page.evaluate(async () => {
    const { axiosOld, withAuth, auth, apiBase } = window.example;
    const old = withAuth(axiosOld.create({ baseURL: apiBase }), auth);
    return old.get("/api/headers").then((r) => `resolved ${r.status}`, (e) => `${e.name} ${e.code}`);
  });
  assert.equal(outcome, "TokenRelayError config");
  const stats = await server.stats();
  assert.equal(stats.refresh - before.refresh, 0);
  // The guard sees each request's mark: the current axios still passes.
  const current = await page.evaluate(() => window.example.api.get("/api/me").then((r) => r.status));
  assert.equal(current, 200);
});
