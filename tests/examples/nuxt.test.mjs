// The Nuxt 3.21 example (SSR, the tokenrelay/nuxt module) with the packed package: the
// production build served by its Nitro server apart from the API, then `nuxt dev` (with hot
// updates of a page and of app.vue).
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readFileSync } from "node:fs";
import { root } from "../e2e/lib/server.mjs";
import { freshContextPerTest } from "../e2e/lib/suite.mjs";
import { appWithApi, exampleStack, run, serve, withStack } from "../e2e/lib/examples.mjs";
import { appScenarios, appPage, signIn, waitStatus, checkSubmitBeforeHydration, checkHotUpdates } from "../e2e/lib/app-scenarios.mjs";

const dir = path.join(root, "www/examples/nuxt");
const nuxt = path.join(dir, "node_modules/.bin/nuxt");
const quiet = { NUXT_TELEMETRY_DISABLED: "1" };
const env = { origin: null, server: null, browser: null, context: null, errors: [], watch: watchHydration };

/** Vue reports a hydration mismatch on the console (details in dev, one line in production). */
function watchHydration(page) {
  page.on("console", (m) => {
    if (/hydrat/i.test(m.text()) && ["error", "warning"].includes(m.type())) env.errors.push(`console: ${m.text()}`);
  });
}

/** Starts the API and the Nuxt server (`command`) on a free port. */
function startStack(command, args, extraEnv = {}) {
  return appWithApi(({ api, port, origin }) => serve(command, args(port), {
    cwd: dir, url: `${origin}/`, timeoutMs: 180000,
    env: { ...quiet, ...extraEnv, PORT: String(port), HOST: "127.0.0.1", NUXT_PUBLIC_TOKENRELAY_API_BASE: api.api },
  }));
}

exampleStack(env, dir, async () => {
  await run(nuxt, ["build"], { cwd: dir, env: quiet });
  return startStack("node", () => [".output/server/index.mjs"]);
});
freshContextPerTest(env, "no page error, no wasm panic, no hydration mismatch, no unexpected 4xx");

appScenarios(test, env, { shot: "nuxt" });

test("the server-rendered login form posts when submitted before hydration: no password in the URL", () =>
  checkSubmitBeforeHydration(env));

/** The SSR HTML of /account is served (200), neutral, and made no request to the API. */
async function checkServerRender(origin, api) {
  const before = await api.stats();
  const res = await fetch(`${origin}/account`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<b id="status">unknown<\/b>/, "the server renders the unknown state");
  assert.match(html, /id="pending"/, "a guarded page renders its neutral state on the server");
  assert.doesNotMatch(html, /id="login-form"/);
  assert.deepEqual(await api.stats(), before, "no refresh and no request during SSR");
}

test("SSR: the HTML is served (200), neutral, with no API request; it hydrates without a mismatch", async () => {
  await checkServerRender(env.origin, env.server);
  const page = await appPage(env, "/");
  await waitStatus(page, "signedOut");
  await signIn(env, page);
  // Signed in, a server-rendered page still hydrates from the neutral state, then shows the session.
  const fresh = await appPage(env, "/account");
  await fresh.waitForSelector("#user");
  await waitStatus(fresh, "signedIn");
});

/**
 * Hot updates on `nuxt dev`, with `page` signed in on /account: pages/account.vue (script and
 * template) and app.vue (template), twice each. The client plugin must not run again: a second
 * client would hold a second Web Lock.
 */
async function hotUpdates(page) {
  const account = path.join(dir, "pages/account.vue");
  const app = path.join(dir, "app.vue");
  const [accountText, appText] = [account, app].map((f) => readFileSync(f, "utf8"));
  await checkHotUpdates(env, page, [1, 2].map((n) => ({
    label: `pages/account.vue edit ${n}`, file: account,
    text: accountText.replace('const result = ref("");', `const result = ref("");\nconst edit = ${n};`)
      .replace("<p>Signed in as ", "<p>Signed in (edit {{ edit }}) as "),
    applied: `document.querySelector("#account p")?.textContent.startsWith("Signed in (edit ${n}) as ")`,
  })).concat([1, 2].map((n) => ({
    label: `app.vue edit ${n}`, file: app, text: appText.replace("<p>Status: ", `<p>Status (edit ${n}): `),
    applied: `document.querySelector("main > p")?.textContent.startsWith("Status (edit ${n}): ")`,
  }))));
}

test("nuxt dev: a reload after login stays signed in; a signed-out deep link ends on login, no mismatch; hot updates of a page and app.vue keep the session", async () => {
  const dev = await startStack(nuxt, (port) => ["dev", "--port", String(port), "--host", "127.0.0.1", "--no-fork"]);
  await withStack(env, dev, async () => {
    await checkServerRender(dev.origin, dev.api);
    const page = await appPage(env, "/account");
    await page.waitForSelector("#login-form", { timeout: 60000 });
    assert.equal(new URL(page.url()).pathname, "/login");
    await page.click("#login");
    await page.waitForSelector("#user");
    assert.equal(new URL(page.url()).pathname, "/account", "back where the deep link pointed");
    const before = (await dev.api.stats()).refresh;
    await page.reload();
    await waitStatus(page, "signedIn");
    await page.waitForSelector("#user");
    assert.equal((await dev.api.stats()).refresh - before, 1);
    await hotUpdates(page);
  });
});
