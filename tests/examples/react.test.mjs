// The Vite 8 React example (StrictMode on) with the packed package, then hot updates on its
// dev server: a component (Fast Refresh) and the module that makes the client, each twice; and
// TanStack Query: a query unmounted while its call waits for a refresh.
import { test } from "node:test";
import path from "node:path";
import { readFileSync } from "node:fs";
import { root } from "../e2e/lib/server.mjs";
import { withStack } from "../e2e/lib/examples.mjs";
import { appPage, signIn, checkHotUpdates } from "../e2e/lib/app-scenarios.mjs";
import { TANSTACK_TITLE, tanstackAbort } from "./tanstack.mjs";
import { viteExample, viteDev } from "../e2e/lib/vite-example.mjs";

const env = viteExample("react", "StrictMode's double effects make 1 refresh; unmounted, no lock is held",
  { guardFollowsSignOut: true });
const dir = path.join(root, "www/examples/react");

test("dev server, hot updates of App.jsx (Fast Refresh) and auth.js, twice each: signed in, no reload, no second client", async () => {
  await withStack(env, await viteDev(dir), async () => {
    const page = await appPage(env);
    await signIn(env, page);
    await page.click('a[href="/account"]');
    const app = path.join(dir, "src/App.jsx");
    const auth = path.join(dir, "src/auth.js");
    const [appText, authText] = [app, auth].map((f) => readFileSync(f, "utf8"));
    await checkHotUpdates(env, page, [1, 2].map((n) => ({
      label: `App.jsx edit ${n}`, file: app, text: appText.replace("<p>Status: ", `<p>Status (edit ${n}): `),
      applied: `document.querySelector("main p")?.textContent.startsWith("Status (edit ${n}): ")`,
    })).concat([1, 2].map((n) => ({
      label: `auth.js edit ${n}`, file: auth, text: `${authText}window.authEdit = ${n};\n`, applied: `window.authEdit === ${n}`,
    }))));
  });
});

test(TANSTACK_TITLE, (t) => tanstackAbort(env, t));
