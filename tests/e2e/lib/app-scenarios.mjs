// The scenarios every example app passes in headless Chromium against the reference server.
// The apps share their markup: #status, #user, #login-form / #login, #logout, #burst and
// #burst-result on /account (a guarded page), #unmount.
import assert from "node:assert/strict";
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
export function appScenarios(test, env, { guardFollowsSignOut = false } = {}) {
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
    await inside.goto(`${env.origin}/account`);
    await inside.waitForSelector("#user");
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
