// The Leptos example (www/examples/leptos: tokenrelay-leptos over the Rust driver), built by its
// own build script, against the reference server in headless Chromium: the scenarios every
// example app passes, then one session across languages: Leptos tabs and tabs of the React
// example (the npm package's JS driver) on one origin and one API, and the frozen-holder fault
// with either side frozen. The reference server's counters are the judge.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import path from "node:path";
import { readFile } from "node:fs/promises";
import { root } from "../e2e/lib/server.mjs";
import { launch } from "../e2e/lib/browser.mjs";
import { freshContextPerTest } from "../e2e/lib/suite.mjs";
import { prepareConsumer } from "../e2e/lib/pack.mjs";
import { apiFor, run } from "../e2e/lib/examples.mjs";
import { appScenarios, appPage, signIn, waitStatus } from "../e2e/lib/app-scenarios.mjs";

const leptosDir = path.join(root, "www/examples/leptos");
const reactDir = path.join(root, "www/examples/react");
const env = { origin: null, server: null, browser: null, context: null, errors: [] };
let web = null;

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };

/**
 * One origin for both apps: the Leptos build's files and the React build's `/assets/`; a page
 * is the Leptos app, or the React app with `?app=react` (both route on the client). The Leptos
 * page's `<meta name="api-base">` is written with the API's address.
 */
async function bothApps(apiBase) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    const send = async (file, type) => {
      try {
        res.writeHead(200, { "content-type": type }).end(await readFile(file));
      } catch {
        res.writeHead(404).end();
      }
    };
    const ext = path.extname(url.pathname);
    if (url.pathname.startsWith("/assets/")) {
      await send(path.join(reactDir, "dist", path.normalize(url.pathname)), TYPES[ext] ?? "application/octet-stream");
    } else if (url.pathname.startsWith("/leptos_example")) {
      await send(path.join(leptosDir, "dist", path.basename(url.pathname)), TYPES[ext]);
    } else if (ext) {
      res.writeHead(404).end();
    } else if (url.searchParams.get("app") === "react") {
      await send(path.join(reactDir, "dist/index.html"), "text/html");
    } else {
      const html = await readFile(path.join(leptosDir, "dist/index.html"), "utf8");
      const page = html.replace(/(<meta name="api-base" content=")[^"]*/, `$1${apiBase}`);
      res.writeHead(200, { "content-type": "text/html" }).end(page);
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

before(async () => {
  await run(path.join(leptosDir, "build"), [], { cwd: leptosDir });
  prepareConsumer(reactDir);
  // The API needs the origin, the Leptos page the API: the server starts first, answers later.
  let apiBase = null;
  web = await bothApps({ toString: () => apiBase });
  env.origin = web.origin;
  env.server = await apiFor(web.origin);
  apiBase = env.server.api;
  await run(path.join(reactDir, "node_modules/.bin/vite"), ["build", "--logLevel", "warn"],
    { cwd: reactDir, env: { VITE_API_BASE: env.server.api } });
  env.browser = await launch();
});
after(async () => {
  await env.browser?.close();
  await env.server?.stop();
  await new Promise((resolve) => web?.server.close(resolve) ?? resolve());
});
freshContextPerTest(env, "no page error, no wasm panic, no unexpected 4xx");

appScenarios(test, env, { shot: "leptos", guardFollowsSignOut: true });

/** Opens the React example's guarded page on the shared origin. */
async function reactPage(route = "/account") {
  return appPage(env, `${route}?app=react`);
}

/** The refreshes and reuse detections at the server since `from` (a `stats()`). */
async function since(from) {
  const now = await env.server.stats();
  return { refresh: now.refresh - from.refresh, reuse: now.refreshReuse };
}

/** Clicks `#burst` on the account page of `page`; resolves with the 20 statuses of that click
 *  (the app empties `#burst-result` at the click and writes the answers once all came). */
async function burst(page) {
  await page.waitForSelector("#burst");
  await page.evaluate(() => {
    const out = document.querySelector("#burst-result");
    const watch = { armed: out.textContent === "", done: null };
    window.burstDone = watch;
    new MutationObserver((_, observer) => {
      const text = out.textContent;
      if (text === "") watch.armed = true;
      else if (watch.armed) { watch.done = text; observer.disconnect(); }
    }).observe(out, { childList: true, characterData: true, subtree: true });
  });
  await page.click("#burst");
  await page.waitForFunction(() => window.burstDone.done !== null, null, { timeout: 30000 });
  return (await page.evaluate(() => window.burstDone.done)).split(",");
}

const ALL_200 = Array(20).fill("200");

/** Two Leptos tabs and two React tabs on their account pages, signed in by the first. */
async function fourTabs() {
  const leptos = [await appPage(env)];
  await signIn(env, leptos[0]);
  await leptos[0].goto(`${env.origin}/account`);
  leptos.push(await appPage(env, "/account"));
  const react = [await reactPage(), await reactPage()];
  for (const page of [...leptos, ...react]) {
    await waitStatus(page, "signedIn");
    await page.waitForSelector("#user");
  }
  return { leptos, react };
}

test("one session across languages: a refresh in either hands the token to the other with no request", async () => {
  const { leptos: [rust], react: [js] } = await fourTabs();
  assert.equal(await rust.textContent("#user"), "demo@example.com");
  for (const [refresher, other] of [[rust, js], [js, rust]]) {
    await env.server.expireAccess();
    const from = await env.server.stats();
    assert.deepEqual(await burst(refresher), ALL_200);
    assert.deepEqual(await since(from), { refresh: 1, reuse: 0 });
    // The other tab already holds the new token: its calls go out with it, no refresh.
    assert.deepEqual(await burst(other), ALL_200);
    assert.deepEqual(await since(from), { refresh: 1, reuse: 0 }, "the other language's tab made no request");
  }
});

test("one session across languages: 2 Leptos and 2 React tabs x 20 calls after expiry make exactly 1 refresh", async () => {
  const { leptos, react } = await fourTabs();
  await env.server.expireAccess();
  const from = await env.server.stats();
  const answers = await Promise.all([...leptos, ...react].map(burst));
  for (const statuses of answers) assert.deepEqual(statuses, ALL_200);
  assert.deepEqual(await since(from), { refresh: 1, reuse: 0 });
});

test("one session across languages: logout in a Leptos tab signs out all four, in a React tab likewise", async () => {
  for (const side of ["leptos", "react"]) {
    const tabs = await fourTabs();
    await tabs[side][0].click("#logout");
    for (const page of [...tabs.leptos, ...tabs.react]) await waitStatus(page, "signedOut");
    assert.equal((await env.server.stats()).logout >= 1, true);
    for (const page of [...tabs.leptos, ...tabs.react]) await page.close();
  }
});

/**
 * The frozen-holder fault across languages: `holder` refreshes (its request held 500 ms at
 * the server) and freezes (CDP Debugger.pause) before the answer; the `waiters` of the other
 * language need a token meanwhile. They take over once the holder is provably stale (its
 * request timeout and more): 1 takeover, no reuse detection, every call 200; the thawed
 * holder's next calls too.
 */
async function frozenHolder(holder, waiters) {
  await env.server.expireAccess();
  const from = await env.server.stats();
  await env.server.faults({ refreshDelayMs: 500 });
  const held = burst(holder);
  const deadline = Date.now() + 10000;
  while ((await since(from)).refresh < 1) {
    assert.ok(Date.now() < deadline, "the holder's refresh never reached the server");
    await new Promise((r) => setTimeout(r, 10));
  }
  const cdp = await env.context.newCDPSession(holder);
  await cdp.send("Debugger.enable");
  await cdp.send("Debugger.pause");
  const answers = await Promise.all(waiters.map(burst));
  for (const statuses of answers) assert.deepEqual(statuses, ALL_200);
  const frozen = await since(from);
  assert.ok(frozen.refresh <= 2, `${frozen.refresh} refreshes while the holder was frozen (1 takeover expected)`);
  await cdp.send("Debugger.resume");
  await cdp.detach();
  await env.server.faults({});
  // The calls that waited in the frozen tab settle with the answers they had (their refresh
  // timed out while frozen: the original 401s, no loop); the tab's next calls use the token
  // the waiters got, with no refresh of its own.
  await held;
  assert.deepEqual(await burst(holder), ALL_200, "the thawed holder's next calls");
  const after = await since(from);
  assert.ok(after.refresh <= 2, `${after.refresh} refreshes in all`);
  assert.equal(after.reuse, 0, "no refresh token presented twice");
}

test("frozen holder: a Leptos tab frozen mid-refresh, React tabs waiting: taken over, 0 reuse", async () => {
  const { leptos, react } = await fourTabs();
  await frozenHolder(leptos[0], react);
});

test("frozen holder: a React tab frozen mid-refresh, Leptos tabs waiting: taken over, 0 reuse", async () => {
  const { leptos, react } = await fourTabs();
  await frozenHolder(react[0], leptos);
});
