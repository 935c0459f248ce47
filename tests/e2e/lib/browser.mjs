// Headless Chromium through playwright-core, and helpers to drive the harness page.
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
/** Flags for a root user on a machine with a closed network. */
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
  "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
  "--disable-quic"];

/** Starts headless Chromium; `bfcache: true` keeps the back/forward cache that Playwright
 * turns off by default. */
export async function launch({ bfcache = false } = {}) {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS,
    ignoreDefaultArgs: bfcache ? ["--disable-back-forward-cache"] : [] });
}

/** Collects uncaught page errors and console errors that reveal a wasm panic. */
export function watchErrors(page, sink) {
  page.on("pageerror", (e) => sink.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    const text = m.text();
    if (/panicked|unreachable|RuntimeError/.test(text)) sink.push(`console: ${text}`);
  });
}

/** Opens the harness in a new page of `context`, waits for the library, returns the page. */
export async function openHarness(context, web, errors = []) {
  const page = await context.newPage();
  watchErrors(page, errors);
  await page.goto(`${web}/harness.html`);
  await page.waitForFunction(() => window.trReady || window.trError, null, { timeout: 20000 });
  const failure = await page.evaluate(() => window.trError);
  if (failure) throw new Error(`harness failed: ${failure}`);
  return page;
}

/** Creates `window.auth` in `page` with `options` (apiBase defaults to the server's). */
export async function makeClient(page, options = {}) {
  await page.evaluate((options) => {
    window.auth = new window.tr.AuthClient({ apiBase: window.apiBase, ...options });
    window.changes = [];
    window.auth.subscribe((s) => window.changes.push({ at: Date.now(), status: s.status, s }));
  }, options);
}

export const status = (page) => page.evaluate(() => window.auth.state.status);
export const DEMO = { email: "demo@example.com", password: "demo" };
