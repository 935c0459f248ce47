// Plain webpack 5 with both entries and no configuration for the wasm: the default entry's
// inline module becomes a lazy chunk, the slim entry's `.wasm` an emitted asset.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { copyFileSync, readdirSync } from "node:fs";
import { root } from "../e2e/lib/server.mjs";
import { launch, watchErrors } from "../e2e/lib/browser.mjs";
import { prepareConsumer } from "../e2e/lib/pack.mjs";
import { staticServer, apiFor, run } from "../e2e/lib/examples.mjs";

const dir = path.join(root, "tests/bundlers/webpack");
let web = null;
let api = null;
let browser = null;

before(async () => {
  prepareConsumer(dir);
  await run(path.join(dir, "node_modules/.bin/webpack"), ["--no-stats"], { cwd: dir });
  for (const page of ["default.html", "slim.html"]) copyFileSync(path.join(dir, "src", page), path.join(dir, "dist", page));
  web = await staticServer(path.join(dir, "dist"));
  api = await apiFor(web.origin);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await api?.stop();
  await web?.stop();
});

for (const entry of ["default", "slim"]) {
  test(`webpack 5, ${entry} entry: built with no wasm configuration, signs in`, async () => {
    await api.reset();
    const context = await browser.newContext();
    const errors = [];
    try {
      const page = await context.newPage();
      watchErrors(page, errors);
      const wasm = [];
      page.on("request", (r) => { if (r.url().endsWith(".wasm")) wasm.push(r.url()); });
      await page.goto(`${web.origin}/${entry}.html?api=${encodeURIComponent(api.api)}`);
      await page.waitForFunction(() => window.result, null, { timeout: 20000 });
      assert.deepEqual(await page.evaluate(() => window.result),
        { before: "unknown", restored: "signedOut", status: "signedIn", me: 200 });
      assert.equal(wasm.length, entry === "slim" ? 1 : 0, `wasm files fetched: ${wasm}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test("webpack 5 emitted the slim entry's .wasm as an asset and the inline module as its own chunk", () => {
  const files = readdirSync(path.join(dir, "dist"));
  assert.ok(files.some((f) => f.endsWith(".wasm")), files.join(", "));
  assert.ok(files.filter((f) => f.endsWith(".js")).length >= 4, `lazy chunks: ${files.join(", ")}`);
});
