// The Vite 7 Vue example with vue-router and authGuard, with the packed package (Vite 7's dev
// pre-bundling is where a `new URL("x.wasm", import.meta.url)` breaks: the default entry has none),
// then hot updates on its dev server. The client is made in main.js, the entry: an edit there
// reloads the page by design, so only components are edited.
import { test } from "node:test";
import path from "node:path";
import { readFileSync } from "node:fs";
import { root } from "../e2e/lib/server.mjs";
import { withStack } from "../e2e/lib/examples.mjs";
import { appPage, signIn, checkHotUpdates } from "../e2e/lib/app-scenarios.mjs";
import { viteExample, viteDev } from "../e2e/lib/vite-example.mjs";

const env = viteExample("vue", "sign in, reload: 1 refresh; unmounted, no lock is held");
const dir = path.join(root, "www/examples/vue");

test("dev server, hot updates of App.vue (template) and Account.vue (script), twice each: signed in, no reload, no second client", async () => {
  await withStack(env, await viteDev(dir), async () => {
    const page = await appPage(env);
    await signIn(env, page);
    await page.click('a[href="/account"]');
    const app = path.join(dir, "src/App.vue");
    const account = path.join(dir, "src/Account.vue");
    const [appText, accountText] = [app, account].map((f) => readFileSync(f, "utf8"));
    // A template edit re-renders App.vue; a script edit re-runs Account.vue's setup (useAuth again).
    await checkHotUpdates(env, page, [1, 2].map((n) => ({
      label: `App.vue edit ${n}`, file: app, text: appText.replace("<p>Status: ", `<p>Status (edit ${n}): `),
      applied: `document.querySelector("main > p")?.textContent.startsWith("Status (edit ${n}): ")`,
    })).concat([1, 2].map((n) => ({
      label: `Account.vue edit ${n}`, file: account,
      text: accountText.replace('const result = ref("");', `const result = ref("");\nconst edit = ${n};`)
        .replace("<p>Signed in as ", "<p>Signed in (edit {{ edit }}) as "),
      applied: `document.querySelector("#account p")?.textContent.startsWith("Signed in (edit ${n}) as ")`,
    }))));
  });
});
