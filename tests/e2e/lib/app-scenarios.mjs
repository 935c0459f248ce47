// The scenarios every example app passes in headless Chromium against the reference server.
// The apps share their markup: #status, #user, #login-form / #login, #logout, #burst and
// #burst-result on /account (a guarded page), #unmount.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { root } from "./server.mjs";
import { watchErrors } from "./browser.mjs";

/** Requests that may fail in these scenarios: restores without a session, refused tokens. */
const EXPECTED_4XX = [["POST", "/auth/refresh", 401], ["GET", "/api/me", 401], ["GET", "/favicon.ico", 404]];

/** Opens a page that reports page errors, wasm panics and unexpected 4xx answers to `env.errors`. */
export async function appPage(env, route = "/") {
  const page = await env.context.newPage();
  watchErrors(page, env.errors);
  page.on("response", (res) => {
    const status = res.status();
    if (status < 400 || status >= 500) return;
    const { pathname } = new URL(res.url());
    const method = res.request().method();
    if (!EXPECTED_4XX.some(([m, p, s]) => m === method && p === pathname && s === status)) {
      env.errors.push(`unexpected ${status}: ${method} ${res.url()}`);
    }
  });
  env.watch?.(page);
  if (route !== null) await page.goto(env.origin + route);
  return page;
}

export const waitStatus = (page, status, timeout = 20000) =>
  page.waitForFunction((s) => document.querySelector("#status")?.textContent === s, status, { timeout });

/** Signs in through the login page; resolves once the status says so. */
export async function signIn(env, page) {
  await page.goto(`${env.origin}/login`);
  await page.waitForSelector("#login-form");
  // A server-rendered form is there before the app hydrates, and a click then is a native
  // submit: wait until the client has started (the status leaves `unknown`).
  await page.waitForFunction(() => !["unknown", undefined].includes(document.querySelector("#status")?.textContent),
    null, { timeout: 20000 });
  await page.click("#login");
  await waitStatus(page, "signedIn");
}

/** Records every path the page's history moves to (window.paths), from its first load on. */
function recordPaths(page) {
  return page.addInitScript(() => {
    window.paths = [location.pathname];
    for (const name of ["pushState", "replaceState"]) {
      const real = history[name].bind(history);
      history[name] = (...args) => { const r = real(...args); window.paths.push(location.pathname); return r; };
    }
  });
}
const visited = (page) => page.evaluate(() => window.paths.filter((p, i, all) => i === 0 || p !== all[i - 1]));

/**
 * Registers the scenarios with `test`; `env` holds `origin`, `server`, `context`, `errors`
 * and optionally `watch(page)`, called for every page before it loads.
 */
export function appScenarios(test, env, { guardFollowsSignOut = false, shot = null } = {}) {
  test("sign in, reload: signed in with 1 refresh; a second tab: signed in with 0", async () => {
    const page = await appPage(env);
    await signIn(env, page);
    const before = (await env.server.stats()).refresh;
    await page.reload();
    await waitStatus(page, "signedIn");
    const reloaded = (await env.server.stats()).refresh;
    assert.equal(reloaded - before, 1, "one refresh restores the reloaded page");
    const second = await appPage(env);
    await waitStatus(second, "signedIn");
    assert.equal(await second.textContent("#status"), "signedIn");
    const stats = await env.server.stats();
    assert.equal(stats.refresh - reloaded, 0, "the second tab got the token from the first");
    assert.equal(stats.refreshReuse, 0);
  });

  test("token refused: 20 parallel calls from the UI make 1 refresh and all answer 200", async () => {
    const page = await appPage(env);
    await signIn(env, page);
    await page.goto(`${env.origin}/account`);
    await page.waitForSelector("#burst");
    await env.server.expireAccess();
    const before = (await env.server.stats()).refresh;
    await page.click("#burst");
    await page.waitForFunction(() => document.querySelector("#burst-result")?.textContent !== "");
    assert.equal(await page.textContent("#burst-result"), Array(20).fill("200").join(","));
    if (shot) {
      // What a person sees: tests/e2e/artifacts/example-<app>.png, to open and read.
      const dir = path.join(root, "tests/e2e/artifacts");
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: path.join(dir, `example-${shot}.png`), fullPage: true });
    }
    const stats = await env.server.stats();
    assert.equal(stats.refresh - before, 1);
    assert.equal(stats.refreshReuse, 0);
  });

  test("logout in one tab signs the other out; login likewise signs it in", async () => {
    const first = await appPage(env);
    await signIn(env, first);
    const second = await appPage(env);
    await waitStatus(second, "signedIn");
    await first.click("#logout");
    await waitStatus(first, "signedOut");
    await waitStatus(second, "signedOut");
    await signIn(env, first);
    await waitStatus(second, "signedIn");
    assert.equal((await env.server.stats()).refreshReuse, 0);
  });

  test("a signed-out deep link ends on the login page once; a signed-in one never shows it", async () => {
    const out = await appPage(env, null);
    await recordPaths(out);
    await out.goto(`${env.origin}/account`);
    await out.waitForSelector("#login-form");
    await waitStatus(out, "signedOut");
    const url = new URL(out.url());
    assert.equal(url.pathname, "/login");
    assert.equal(url.searchParams.get("redirect"), "/account");
    // Settled: the status is final. The path went from /account to /login once and stayed.
    await out.waitForFunction(() => document.readyState === "complete");
    const paths = await visited(out);
    assert.deepEqual(paths, ["/account", "/login"], "one redirect, no loop");
    assert.equal(new URL(out.url()).pathname, "/login");

    await signIn(env, out);
    const inside = await appPage(env, null);
    await inside.addInitScript(() => {
      window.sawLogin = false;
      new MutationObserver(() => { if (document.querySelector("#login-form, #signed-out")) window.sawLogin = true; })
        .observe(document, { childList: true, subtree: true });
    });
    // Every main-frame navigation, full or in the page (an init script would not see a hard
    // redirect to /login and back).
    const moves = [];
    inside.on("framenavigated", (frame) => {
      const at = new URL(frame.url()).pathname;
      if (frame === inside.mainFrame() && moves.at(-1) !== at) moves.push(at);
    });
    await inside.goto(`${env.origin}/account`);
    await inside.waitForSelector("#user");
    await inside.waitForFunction(() => document.readyState === "complete");
    assert.deepEqual(moves, ["/account"], "never left /account");
    assert.equal(await inside.evaluate(() => window.sawLogin), false, "neither the login page nor signed-out content flashed");
    assert.equal(new URL(inside.url()).pathname, "/account");
    assert.equal(await inside.textContent("#user"), "demo@example.com");
  });

  if (!guardFollowsSignOut) return;
  test("a tab on the guarded page follows a sign-out elsewhere to the login page, once", async () => {
    const first = await appPage(env);
    await signIn(env, first);
    const second = await appPage(env, null);
    await recordPaths(second);
    await second.goto(`${env.origin}/account`);
    await second.waitForSelector("#user");
    await first.click("#logout");
    await second.waitForSelector("#login-form");
    await waitStatus(second, "signedOut");
    assert.deepEqual(await visited(second), ["/account", "/login"]);
    const moves = await second.evaluate(() => window.paths.filter((p) => p === "/login").length);
    assert.equal(moves, 1, "onSignedOut ran once: one history move to the login page");
    assert.equal(new URL(second.url()).searchParams.get("redirect"), "/account");
  });
}

/** The Web Locks of the page's origin, held and waited for: each running client holds one. */
const locks = (page) => page.evaluate(async () => {
  const { held, pending } = await navigator.locks.query();
  return { held: held.length, pending: pending.length };
});

/** Resolves once `check()` does (10 s at most). */
async function until(check, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not met in ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Edits source files of a dev server's app on disk, one `edit` ({ label, file, text, applied })
 * after the other, with `page` signed in on the guarded page. After each, once `applied` (a
 * function source) holds in the page: the same document (no reload), still signed in, as many
 * Web Locks as before (no second client), no refresh since the edits began, no reuse
 * revocation, and 20 calls from the UI answering 200. Every file gets its bytes back.
 */
export async function checkHotUpdates(env, page, edits) {
  const originals = new Map(edits.map(({ file }) => [file, readFileSync(file)]));
  let loads = 0;
  page.on("load", () => { loads += 1; });
  const reloads = [];
  page.on("console", (m) => { if (/page reload|full reload/i.test(m.text())) reloads.push(m.text()); });
  try {
    await page.waitForSelector("#burst");
    await waitStatus(page, "signedIn");
    await page.evaluate(() => { window.sameDocument = true; });
    const running = await locks(page);
    assert.ok(running.held >= 1, "a running client holds its presence lock");
    const start = await env.server.stats();
    for (const { label, file, text, applied } of edits) {
      writeFileSync(file, text);
      await page.waitForFunction(applied, null, { timeout: 30000 });
      await waitStatus(page, "signedIn");
      assert.deepEqual(reloads, [], `${label}: no page reload`);
      assert.equal(loads, 0, `${label}: no page load`);
      assert.equal(await page.evaluate(() => window.sameDocument), true, `${label}: the same document`);
      assert.equal(new URL(page.url()).pathname, "/account", `${label}: still on the guarded page`);
      assert.equal(await page.textContent("#user"), "demo@example.com", `${label}: signed in`);
      assert.deepEqual(await locks(page), running, `${label}: no second client (as many locks as before)`);
      const before = await env.server.stats();
      await page.click("#burst");
      await until(async () => (await env.server.stats()).apiOk - before.apiOk >= 20, `${label}: 20 calls`);
      // The app clears the result when a burst starts, so this is this burst's result.
      await page.waitForFunction(() => document.querySelector("#burst-result")?.textContent !== "");
      const after = await env.server.stats();
      assert.equal(await page.textContent("#burst-result"), Array(20).fill("200").join(","), `${label}: 20 x 200`);
      assert.equal(after.apiOk - before.apiOk, 20, `${label}: 20 calls answered`);
      assert.equal(after.api401 - before.api401, 0, `${label}: no call refused`);
      assert.equal(after.refresh - start.refresh, 0, `${label}: no refresh since the edits began`);
      assert.equal(after.refreshReuse, 0, `${label}: no reuse revocation`);
    }
  } finally {
    for (const [file, bytes] of originals) writeFileSync(file, bytes);
  }
}

/**
 * A submit of the login form before the app has hydrated (here: JavaScript off) is the
 * browser's own: it must post, never put the credentials in the URL (`method="post"`).
 */
export async function checkSubmitBeforeHydration(env) {
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto(`${env.origin}/login`);
    const [request] = await Promise.all([page.waitForEvent("request", (r) => r.isNavigationRequest()), page.click("#login")]);
    const sent = new URL(request.url());
    assert.equal(request.method(), "POST", `the form submit was a ${request.method()} of ${request.url()}`);
    assert.equal(sent.search, "", "no credentials in the URL");
  } finally {
    await context.close();
  }
}
