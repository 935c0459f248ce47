// The Next 16 app router example with the packed package: the Turbopack production build with
// every app scenario, then `next dev` with Turbopack and with webpack, and a `--webpack` build;
// in each, a server component that imports tokenrelay renders on the server and hydrates; in
// `next dev`, hot updates of a component and of the client's module keep the session.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readFileSync, rmSync } from "node:fs";
import { root } from "../e2e/lib/server.mjs";
import { freshContextPerTest } from "../e2e/lib/suite.mjs";
import { appWithApi, exampleStack, run, serve, withStack } from "../e2e/lib/examples.mjs";
import { appScenarios, appPage, signIn, waitStatus, checkSubmitBeforeHydration, checkHotUpdates } from "../e2e/lib/app-scenarios.mjs";

const dir = path.join(root, "www/examples/next-client");
const next = path.join(dir, "node_modules/.bin/next");
const quiet = { NEXT_TELEMETRY_DISABLED: "1" };
const env = { origin: null, server: null, browser: null, context: null, errors: [], watch: watchHydration };

/** React reports a hydration mismatch on the console (minified in production: errors 418, 423, 425). */
function watchHydration(page) {
  page.on("console", (m) => {
    if (m.type() === "error" && /hydrat|#418|#423|#425/i.test(m.text())) env.errors.push(`console: ${m.text()}`);
  });
}

/** Builds (`buildArgs`) against a new API, then serves with `serveArgs(port)`. */
function startStack(buildArgs, serveArgs) {
  return appWithApi(async ({ api, port, origin }) => {
    const vars = { ...quiet, NEXT_PUBLIC_API_BASE: api.api };
    if (buildArgs) {
      rmSync(path.join(dir, ".next"), { recursive: true, force: true });
      await run(next, buildArgs, { cwd: dir, env: vars });
    }
    return serve(next, serveArgs(port), { cwd: dir, env: vars, url: `${origin}/`, timeoutMs: 180000 });
  });
}

const startArgs = (port) => ["start", "-p", String(port), "-H", "127.0.0.1"];

exampleStack(env, dir, () => startStack(["build"], startArgs));
freshContextPerTest(env, "no page error, no wasm panic, no hydration mismatch, no unexpected 4xx");

appScenarios(test, env, { guardFollowsSignOut: true, shot: "next-client" });

test("the server-rendered login form posts when submitted before hydration: no password in the URL", () =>
  checkSubmitBeforeHydration(env));

/** A signed-out deep link ends on login; signed in, a reload restores with 1 refresh. */
async function deepLinkThenReload() {
  const page = await appPage(env, "/account");
  await page.waitForSelector("#login-form", { timeout: 60000 });
  assert.equal(new URL(page.url()).pathname, "/login");
  await page.click("#login");
  await page.waitForSelector("#user", { timeout: 60000 });
  assert.equal(new URL(page.url()).pathname, "/account");
  const before = (await env.server.stats()).refresh;
  await page.reload();
  await waitStatus(page, "signedIn");
  assert.equal((await env.server.stats()).refresh - before, 1);
}

/** What app/server/page.jsx, a server component, renders from tokenrelay under Node. */
const SERVER_TEXT = "on the server: state unknown, start() unknown, fetch() no_browser";

/**
 * The server component that imports tokenrelay: its text in the HTML the server sent and in the
 * hydrated page (the client's provider then starts: the status leaves `unknown`), no console error.
 */
async function serverComponent() {
  const res = await fetch(`${env.origin}/server`);
  assert.equal(res.status, 200);
  assert.ok((await res.text()).includes(`<p id="server-render">${SERVER_TEXT}</p>`), "server-rendered text");
  const page = await appPage(env, null);
  const consoleErrors = [];
  page.on("console", (m) => {
    // A refused restore (401) is logged as a failed resource; appPage checks which 4xx occur.
    if (m.type() === "error" && !/^Failed to load resource: .* 401/.test(m.text())) consoleErrors.push(m.text());
  });
  await page.goto(`${env.origin}/server`);
  await page.waitForFunction(() => /^signed(In|Out)$/.test(document.querySelector("#status")?.textContent),
    null, { timeout: 60000 });
  assert.equal(await page.textContent("#server-render"), SERVER_TEXT);
  assert.deepEqual(consoleErrors, [], "no console error");
}

/**
 * Signed in on the account page of `next dev`: edits of a component (Fast Refresh) and of the
 * module that makes the client, twice each, keep the session and its one client.
 */
async function hotUpdates() {
  const page = await appPage(env, "/account");
  await page.waitForSelector("#user", { timeout: 60000 });
  const account = path.join(dir, "app/account/page.jsx");
  const auth = path.join(dir, "app/auth.js");
  const [accountText, authText] = [account, auth].map((f) => readFileSync(f, "utf8"));
  await checkHotUpdates(env, page, [1, 2].map((n) => ({
    label: `account/page.jsx edit ${n}`, file: account, text: accountText.replace("<p>Signed in as ", `<p>Signed in (edit ${n}) as `),
    applied: `document.querySelector("#account p")?.textContent.startsWith("Signed in (edit ${n}) as ")`,
  })).concat([1, 2].map((n) => ({
    label: `auth.js edit ${n}`, file: auth, text: `${authText}globalThis.authEdit = ${n};\n`, applied: `globalThis.authEdit === ${n}`,
  }))));
}

/** The checks of a dev server. */
async function devChecks() {
  await deepLinkThenReload();
  await serverComponent();
  await hotUpdates();
}

test("a server component imports tokenrelay and renders its inert state; the page hydrates", serverComponent);

test("the server-rendered HTML shows the unknown state; it hydrates without a mismatch", async () => {
  const res = await fetch(`${env.origin}/account`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<b id="status">unknown<\/b>/);
  const page = await appPage(env, "/");
  await signIn(env, page);
  const fresh = await appPage(env, "/account");
  await fresh.waitForSelector("#user");
});

test("next dev (Turbopack): a signed-out deep link ends on login, a reload after login restores, the server component renders, hot updates keep the session", async () => {
  rmSync(path.join(dir, ".next"), { recursive: true, force: true });
  const dev = await startStack(null, (port) => ["dev", "-p", String(port), "-H", "127.0.0.1"]);
  await withStack(env, dev, devChecks);
});

test("next dev --webpack: a signed-out deep link ends on login, a reload after login restores, the server component renders, hot updates keep the session", async () => {
  rmSync(path.join(dir, ".next"), { recursive: true, force: true });
  const dev = await startStack(null, (port) => ["dev", "--webpack", "-p", String(port), "-H", "127.0.0.1"]);
  await withStack(env, dev, devChecks);
});

test("next build --webpack: a signed-out deep link ends on login, a reload after login restores, the server component renders", async () => {
  const built = await startStack(["build", "--webpack"], startArgs);
  await withStack(env, built, async () => { await deepLinkThenReload(); await serverComponent(); });
});
