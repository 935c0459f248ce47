// Each fault scenario of the fault suite (tests/e2e/lib/faults.mjs, printed by scripts/faults)
// as an end-to-end test of its targets: no reuse revocation, no wrong sign-out, no request
// lost, refreshes bounded, recovery under 2 s after the fault ends. Racy scenarios run
// several times.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch } from "./lib/browser.mjs";
import { SCENARIOS, Servers, runScenario, violations } from "./lib/faults.mjs";

const servers = new Servers();
let browser;
before(async () => { browser = await launch({ bfcache: true }); });
after(async () => {
  await browser?.close();
  await servers.stopAll();
});

for (const scenario of SCENARIOS) {
  const runs = scenario.repeat ?? 1;
  test(`${scenario.title}${runs > 1 ? ` (x${runs})` : ""}`, { timeout: 120000 * runs }, async () => {
    for (let i = 0; i < runs; i++) {
      const figures = await runScenario(scenario, browser, servers);
      assert.deepEqual(violations(scenario, figures), [], `run ${i + 1}: ${JSON.stringify(figures)}`);
    }
  });
}
