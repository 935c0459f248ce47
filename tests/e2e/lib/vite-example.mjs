// The test frame of a Vite example app with the packed package: its production build served
// apart from the API with every app scenario, then its dev server with an empty pre-bundle cache.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { rmSync } from "node:fs";
import { root } from "./server.mjs";
import { freshContextPerTest } from "./suite.mjs";
import { launch } from "./browser.mjs";
import { prepareConsumer } from "./pack.mjs";
import { staticServer, apiFor, appWithApi, run, serve, withStack } from "./examples.mjs";
import { appScenarios, appPage, signIn, waitStatus } from "./app-scenarios.mjs";

/**
 * Registers the tests of www/examples/`name`; `devTitle` names its dev-server test, `scenarios`
 * are options of appScenarios. Returns the test environment (`browser`, `context`, `errors`)
 * for tests of the example's own.
 */
export function viteExample(name, devTitle, scenarios = {}) {
  const dir = path.join(root, "www/examples", name);
  const vite = path.join(dir, "node_modules/.bin/vite");
  const env = { origin: null, server: null, browser: null, context: null, errors: [] };
  let web = null;

  before(async () => {
    prepareConsumer(dir);
    web = await staticServer(path.join(dir, "dist"));
    env.origin = web.origin;
    env.server = await apiFor(web.origin);
    await run(vite, ["build", "--logLevel", "warn"], { cwd: dir, env: { VITE_API_BASE: env.server.api } });
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
    await web?.stop();
  });
  freshContextPerTest(env, "no page error, no wasm panic, no unexpected 4xx");

  appScenarios(test, env, { shot: name, ...scenarios });

  test(`dev server, empty pre-bundle cache: ${devTitle}`, async () => {
    rmSync(path.join(dir, "node_modules/.vite"), { recursive: true, force: true });
    await withStack(env, await viteDev(dir), async () => {
      const page = await appPage(env);
      await signIn(env, page);
      const before = (await env.server.stats()).refresh;
      await page.reload();
      await waitStatus(page, "signedIn");
      assert.equal((await env.server.stats()).refresh - before, 1, "start() makes one refresh");
      const locks = () => page.evaluate(async () => {
        const { held, pending } = await navigator.locks.query();
        return { held: held.length, pending: pending.length };
      });
      const mounted = await locks();
      assert.ok(mounted.held >= 1, "while mounted, the tab holds its presence lock");
      await page.click("#unmount");
      // The lock manager releases asynchronously: wait for it, for at most 10 s.
      await page.waitForFunction(async () => {
        const { held, pending } = await navigator.locks.query();
        return held.length + pending.length === 0;
      }, null, { timeout: 10000 }).catch(() => {});
      assert.deepEqual(await locks(), { held: 0, pending: 0 },
        `unmounted and disposed: no lock held (${mounted.held} held while mounted)`);
    });
  });
  return env;
}

/** The Vite dev server of the example in `dir` beside its own API: `{ origin, api, server }`. */
export function viteDev(dir) {
  const vite = path.join(dir, "node_modules/.bin/vite");
  return appWithApi(({ api, port, origin }) => serve(vite, ["--host", "127.0.0.1", "--port", String(port), "--strictPort"],
    { cwd: dir, env: { VITE_API_BASE: api.api }, url: origin }));
}
