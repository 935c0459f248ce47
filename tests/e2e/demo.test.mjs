// The demo page, as a newcomer sees it: log in, burst, log out; screenshots for a human eye.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { startServer, root } from "./lib/server.mjs";
import { launch, watchErrors } from "./lib/browser.mjs";

const artifacts = path.join(root, "tests/e2e/artifacts");
let server, browser;

before(async () => {
  server = await startServer({ accessTtlSecs: 30 });
  browser = await launch();
  mkdirSync(artifacts, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the demo logs in, calls the API 20 times with one session, follows in a second tab, logs out", async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const errors = [];
  const page = await context.newPage();
  watchErrors(page, errors);
  await page.goto(`${server.web}/`);
  await page.waitForSelector('#status[data-status="signedOut"]');
  await page.screenshot({ path: path.join(artifacts, "demo-signed-out.png"), fullPage: true });
  await page.click("#btn-login");
  await page.waitForSelector('#status[data-status="signedIn"]');
  assert.match(await page.textContent("#user"), /demo@example.com/);
  await page.click("#btn-burst");
  await page.waitForSelector('#result[data-ok="20"]');
  await page.waitForFunction(() => document.querySelector('[data-stat="apiOk"] b')?.textContent === "20");
  await page.screenshot({ path: path.join(artifacts, "demo.png"), fullPage: true });
  // A second tab of the demo signs in from the first one, without a request.
  const before = await server.stats();
  const second = await context.newPage();
  watchErrors(second, errors);
  await second.goto(`${server.web}/`);
  await second.waitForSelector('#status[data-status="signedIn"]');
  assert.equal((await server.stats()).refresh, before.refresh, "restored from the other tab");
  await second.screenshot({ path: path.join(artifacts, "demo-second-tab.png"), fullPage: true });
  // Logging out in the first tab signs the second one out too.
  await page.click("#btn-logout");
  await page.waitForSelector('#status[data-status="signedOut"]');
  await second.waitForSelector('#status[data-status="signedOut"]');
  assert.deepEqual(errors, []);
  await context.close();
});
