// Presence locks: a tab that starts alone skips the question to other tabs; a tab beside a
// live one still asks and makes no request; the lock does not cost the page its bfcache.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openHarness, makeClient, DEMO } from "./lib/browser.mjs";
import { suite } from "./lib/suite.mjs";

const env = suite({}, { bfcache: true });

/** A page of the origin without a client that records the channel's message kinds. */
async function listener() {
  const page = await openHarness(env.context, env.server.web, env.errors);
  await page.evaluate(() => {
    window.kinds = [];
    new BroadcastChannel("tokenrelay").onmessage = (e) => window.kinds.push(e.data?.kind);
  });
  return page;
}

test("a reload with no other tab alive restores without asking; beside a live tab, asks and makes no request (x3)", async () => {
  const ear = await listener();
  const a = await openHarness(env.context, env.server.web, env.errors);
  await makeClient(a);
  await a.evaluate((demo) => window.auth.login(demo), DEMO);
  for (let round = 0; round < 3; round++) {
    const refreshesBefore = (await env.server.stats()).refresh;
    await a.reload();
    await a.waitForFunction(() => window.trReady);
    await ear.evaluate(() => { window.kinds = []; });
    await makeClient(a);
    assert.equal((await a.evaluate(() => window.auth.start())).status, "signedIn");
    assert.equal((await env.server.stats()).refresh - refreshesBefore, 1, "one refresh");
    assert.ok(!(await ear.evaluate(() => window.kinds)).includes("ask"), "alone: no question to the tabs");

    const b = await openHarness(env.context, env.server.web, env.errors);
    await makeClient(b);
    assert.equal((await b.evaluate(() => window.auth.start())).status, "signedIn");
    assert.equal((await env.server.stats()).refresh - refreshesBefore, 1, "beside a live tab: no request");
    assert.ok((await ear.evaluate(() => window.kinds)).includes("ask"), "beside a live tab: it asked");
    await b.close();
  }
});

test("a page with a started client still enters the back/forward cache", async () => {
  const page = await openHarness(env.context, env.server.web, env.errors);
  await makeClient(page);
  await page.evaluate((demo) => window.auth.login(demo), DEMO);
  await page.evaluate(() => {
    sessionStorage.setItem("persisted", "none");
    window.addEventListener("pageshow", (e) => sessionStorage.setItem("persisted", String(e.persisted)));
  });
  // A page without a client: a message on the channel would (rightly) evict the cached page.
  await page.goto(`${env.server.web}/config.json`);
  await page.goBack({ waitUntil: "commit" });
  await page.waitForFunction(() => sessionStorage.getItem("persisted") !== "none");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("persisted")), "true", "restored from bfcache");
  // Back from the cache: the client still works and holds its presence lock again.
  await page.waitForFunction(() => navigator.locks.query().then((q) => q.held.some((l) => l.name.startsWith("tokenrelay:presence:"))));
  assert.equal(await page.evaluate(() => window.auth.fetch("/api/me").then((r) => r.status)), 200);
});
