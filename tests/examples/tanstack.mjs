// The TanStack Query scenario of the React example (www/examples/react/src/queries.js and its
// profiles on /account), shared by its test on the pinned React (react.test.mjs) and on the
// oldest React the peer range accepts (oldest-peers.test.mjs).
import assert from "node:assert/strict";
import { appPage, signIn, waitStatus } from "../e2e/lib/app-scenarios.mjs";

export const TANSTACK_TITLE = "TanStack Query: a query unmounted while its call waits for a slow refresh is aborted at once and shows no error; the mounted one gets 200; 1 refresh (3 rounds)";

/** The query log's entry of the profile `name` (`{ outcome, at }`), once there is one. */
const settled = (page, name) => page.waitForFunction((name) => {
  const li = document.querySelector(`#query-log li[data-name="${name}"]`);
  return li && { outcome: li.dataset.outcome, at: Number(li.dataset.at) };
}, name, { timeout: 15000 }).then((handle) => handle.jsonValue());

/**
 * A query unmounted while its call waits for a slow refresh: `env` as appScenarios takes it,
 * `t` the test context (for diagnostics).
 */
export async function tanstackAbort(env, t) {
  const page = await appPage(env, null);
  // Any error state a profile renders, however briefly.
  await page.addInitScript(() => {
    window.sawQueryError = false;
    new MutationObserver(() => { if (document.querySelector(".query-error")) window.sawQueryError = true; })
      .observe(document, { childList: true, subtree: true });
  });
  const reported = []; // the query cache's onError (the app logs it to the console)
  page.on("console", (m) => { if (m.type() === "error" && m.text().startsWith("query ")) reported.push(m.text()); });
  const answers = []; // statuses of /api/me, in order
  page.on("response", (res) => { if (new URL(res.url()).pathname === "/api/me") answers.push(res.status()); });
  await signIn(env, page);
  await page.click('a[href="/account"]');
  await page.waitForSelector("#profiles-load");

  for (const round of [1, 2, 3]) {
    const label = `round ${round}`;
    await env.server.expireAccess();
    await env.server.faults({ refreshDelayMs: 4000, refreshTimes: 1 });
    const before = await env.server.stats();
    const seen = answers.length;
    await page.click("#profiles-load");
    await page.waitForSelector("#profile-closed");
    await new Promise((r) => setTimeout(r, 300)); // the scenario: unmount while the refresh runs
    const closedAt = await page.evaluate(() => {
      const at = performance.now();
      document.querySelector("#profiles-close-one").click();
      return at;
    });
    const during = await env.server.stats();
    assert.equal(during.refresh - before.refresh, 1, `${label}: the refresh had started at the unmount`);
    assert.equal(during.refreshRotated - before.refreshRotated, 0, `${label}: and had not ended`);

    const closed = await settled(page, "closed");
    const late = Math.round(closed.at - closedAt);
    t.diagnostic(`${label}: the unmounted query's call settled (${closed.outcome}) ${late} ms after the unmount`);
    assert.equal(closed.outcome, "AbortError", `${label}: the unmounted query's call rejected with an AbortError`);
    assert.ok(late < 100, `${label}: the call rejected ${late} ms after the unmount (at most 100 ms)`);

    const kept = await settled(page, "kept");
    assert.equal(kept.outcome, "ok", `${label}: the mounted query's call answered`);
    await page.waitForFunction(() => document.querySelector("#profile-kept")?.textContent === "demo@example.com");
    const after = await env.server.stats();
    assert.equal(after.refresh - before.refresh, 1, `${label}: exactly 1 refresh`);
    assert.equal(after.refreshRotated - before.refreshRotated, 1, `${label}: the refresh rotated`);
    assert.equal(after.refreshReuse, 0, `${label}: no reuse revocation`);
    assert.equal(after.api401 - before.api401, 2, `${label}: both calls went out with the refused token`);
    assert.equal(after.apiOk - before.apiOk, 1, `${label}: only the mounted query's call was sent again`);
    assert.deepEqual(answers.slice(seen), [401, 401, 200], `${label}: /api/me answers`);

    await page.click("#profiles-close-all");
    await page.waitForSelector("#profile-kept", { state: "detached" });
    await waitStatus(page, "signedIn");
    assert.equal(await page.evaluate(() => window.sawQueryError), false, `${label}: no query error shown`);
    assert.deepEqual(reported, [], `${label}: no error reported to the query cache`);
  }
}
