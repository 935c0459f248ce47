// The Vite 8 React example (StrictMode on) with the packed package, then hot updates on its
// dev server: a component (Fast Refresh) and the module that makes the client, each twice.
import { test } from "node:test";
import path from "node:path";
import { readFileSync } from "node:fs";
import { root } from "../e2e/lib/server.mjs";
import { apiFor, serve, freePort } from "../e2e/lib/examples.mjs";
import { appPage, signIn, checkHotUpdates } from "../e2e/lib/app-scenarios.mjs";
import { viteExample } from "../e2e/lib/vite-example.mjs";

const env = viteExample("react", "StrictMode's double effects make 1 refresh; unmounted, no lock is held",
  { guardFollowsSignOut: true });
const dir = path.join(root, "www/examples/react");
const vite = path.join(dir, "node_modules/.bin/vite");

test("dev server, hot updates of App.jsx (Fast Refresh) and auth.js, twice each: signed in, no reload, no second client", async () => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const api = await apiFor(origin);
  const dev = await serve(vite, ["--host", "127.0.0.1", "--port", String(port), "--strictPort"],
    { cwd: dir, env: { VITE_API_BASE: api.api }, url: origin });
  const saved = { origin: env.origin, server: env.server };
  try {
    Object.assign(env, { origin, server: api });
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
  } finally {
    Object.assign(env, saved);
    await dev.stop();
    await api.stop();
  }
});
