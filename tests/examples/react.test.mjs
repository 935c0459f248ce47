// The Vite 8 React example (StrictMode on) with the packed package, then hot updates on its
// dev server: a component (Fast Refresh) and the module that makes the client, each twice.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { root } from "../e2e/lib/server.mjs";
import { apiFor, serve, freePort } from "../e2e/lib/examples.mjs";
import { appPage, signIn, waitStatus } from "../e2e/lib/app-scenarios.mjs";
import { viteExample } from "../e2e/lib/vite-example.mjs";

const env = viteExample("react", "StrictMode's double effects make 1 refresh; unmounted, no lock is held",
  { guardFollowsSignOut: true });
const dir = path.join(root, "www/examples/react");
const vite = path.join(dir, "node_modules/.bin/vite");

/** The Web Locks the page holds and waits for: a client holds its presence lock while it runs. */
const locks = (page) => page.evaluate(async () => {
  const { held, pending } = await navigator.locks.query();
  return { held: held.length, pending: pending.length };
});

test("dev server, hot updates of App.jsx (Fast Refresh) and auth.js, twice each: signed in, no reload, no second client", async () => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const api = await apiFor(origin);
  const dev = await serve(vite, ["--host", "127.0.0.1", "--port", String(port), "--strictPort"],
    { cwd: dir, env: { VITE_API_BASE: api.api }, url: origin });
  const saved = { origin: env.origin, server: env.server };
  const files = ["src/App.jsx", "src/auth.js"].map((f) => path.join(dir, f));
  const originals = files.map((f) => readFileSync(f));
  try {
    Object.assign(env, { origin, server: api });
    const page = await appPage(env);
    const updates = [];
    page.on("console", (m) => { if (/\[vite\] (hot updated|page reload)/.test(m.text())) updates.push(m.text()); });
    let loads = 0;
    page.on("load", () => { loads += 1; });
    await signIn(env, page);
    await page.click('a[href="/account"]');
    await page.waitForSelector("#burst");
    await page.evaluate(() => { window.sameDocument = true; });
    const loaded = loads;
    const running = await locks(page);
    assert.deepEqual(running, { held: 1, pending: 0 }, "one client: its presence lock");
    const start = await api.stats();

    /** Writes `text` to `file`, waits until `applied` holds in the page, then checks the session. */
    const hotUpdate = async (label, file, text, applied) => {
      const seen = updates.length;
      writeFileSync(file, text);
      await page.waitForFunction(applied, null, { timeout: 15000 });
      await waitStatus(page, "signedIn");
      assert.deepEqual(updates.slice(seen).filter((u) => !u.includes("hot updated")), [], `${label}: no page reload`);
      assert.equal(await page.evaluate(() => window.sameDocument), true, `${label}: the same document`);
      assert.equal(loads, loaded, `${label}: no page load`);
      assert.equal(new URL(page.url()).pathname, "/account", `${label}: still on the guarded page`);
      assert.equal(await page.textContent("#user"), "demo@example.com", `${label}: signed in`);
      assert.deepEqual(await locks(page), running, `${label}: no second client (one presence lock)`);
      const before = await api.stats();
      await page.click("#burst");
      await page.waitForFunction(() => document.querySelector("#burst-result")?.textContent !== "");
      await waitFor(async () => (await api.stats()).apiOk - before.apiOk >= 20);
      const after = await api.stats();
      assert.equal(await page.textContent("#burst-result"), Array(20).fill("200").join(","), `${label}: 20 x 200`);
      assert.equal(after.apiOk - before.apiOk, 20, `${label}: 20 calls answered 200`);
      assert.equal(after.api401 - before.api401, 0, `${label}: no call refused`);
      assert.equal(after.refresh - start.refresh, 0, `${label}: no refresh since sign-in`);
      assert.equal(after.refreshReuse, 0, `${label}: no reuse revocation`);
    };

    const app = originals[0].toString();
    for (const n of [1, 2]) {
      await hotUpdate(`App.jsx edit ${n}`, files[0], app.replace("<p>Status: ", `<p>Status (edit ${n}): `),
        `document.querySelector("main p")?.textContent.startsWith("Status (edit ${n}): ")`);
    }
    const auth = originals[1].toString();
    for (const n of [1, 2]) {
      await hotUpdate(`auth.js edit ${n}`, files[1], `${auth}window.authEdit = ${n};\n`, `window.authEdit === ${n}`);
    }
  } finally {
    files.forEach((f, i) => writeFileSync(f, originals[i]));
    Object.assign(env, saved);
    await dev.stop();
    await api.stop();
  }
});

/** Resolves once `check()` does, polling the server (10 s at most). */
async function waitFor(check, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
