// The oldest version of each peer range that no example pins (tested-peers.mjs, OLDEST_RUNS),
// run in its example app as a user on that version gets it: a copy of the example (its files,
// package.json and lockfile) in target/examples-oldest/, a plain `npm install <tarball>
// react@18.3.1 react-dom@18.3.1` (real package names, no alias, no --legacy-peer-deps) that must
// resolve and leave a valid tree (`npm ls --all`), a production build, and the example's
// scenarios in headless Chromium against the reference server, whose counters are the judge:
// React 18 in the Vite React example (with its TanStack Query test), Vue 3.3 in the Vite Vue
// example, Next 15 in the next-client example and, for tokenrelay/next, the Next example's edge
// middleware (Next 15 has no proxy.js).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { root } from "../e2e/lib/server.mjs";
import { launch } from "../e2e/lib/browser.mjs";
import { freshContextPerTest } from "../e2e/lib/suite.mjs";
import { packPackage } from "../e2e/lib/pack.mjs";
import { staticServer, apiFor, appWithApi, run, serve } from "../e2e/lib/examples.mjs";
import { appScenarios, appPage, checkSubmitBeforeHydration } from "../e2e/lib/app-scenarios.mjs";
import { OLDEST_RUNS, versionIn } from "./tested-peers.mjs";
import { TANSTACK_TITLE, tanstackAbort } from "./tanstack.mjs";
import { nextSuite, RUNTIMES } from "./next-suite.mjs";

const work = path.join(root, "target", "examples-oldest");
const quiet = { NUXT_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1" };
let tarball = null;

/**
 * target/examples-oldest/`example`: the example's `files` copied, then the packed tarball and
 * `install` added by a plain `npm install`; each named version, and the tarball's tokenrelay,
 * must be what node_modules holds, and `npm ls --all` must find no invalid peer. Returns the
 * directory.
 */
async function oldestProject(example, files, install) {
  tarball ??= packPackage();
  const source = path.join(root, "www/examples", example);
  const dir = path.join(work, example);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const file of ["package.json", "package-lock.json", ...files]) {
    cpSync(path.join(source, file), path.join(dir, file), { recursive: true });
  }
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball, ...install], { cwd: dir, env: quiet });
  const installed = (name) => JSON.parse(readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8")).version;
  for (const spec of install) {
    const name = spec.slice(0, spec.lastIndexOf("@"));
    assert.equal(installed(name), versionIn(install, name), `the ${name} the app builds with`);
  }
  assert.equal(installed("tokenrelay"), JSON.parse(readFileSync(path.join(root, "pkg/package.json"), "utf8")).version);
  await run("npm", ["ls", "--all", "--loglevel=error"], { cwd: dir }); // exit 1 on an invalid or missing peer
  return dir;
}

/**
 * The production build in `dir`/dist bundles `name` at the version `install` names, as a string
 * literal (React and Vue keep their version in their code), and not the version the example's
 * lockfile pins.
 */
function assertBundled(dir, example, name, install) {
  const assets = path.join(dir, "dist/assets");
  const js = readdirSync(assets).filter((f) => f.endsWith(".js")).map((f) => readFileSync(path.join(assets, f), "utf8")).join("\n");
  const literal = (version) => new RegExp(`["'\`]${version.replaceAll(".", "\\.")}["'\`]`);
  const pinned = JSON.parse(readFileSync(path.join(root, "www/examples", example, "package-lock.json"), "utf8"))
    .packages[`node_modules/${name}`].version;
  assert.match(js, literal(versionIn(install, name)), `the build bundles ${name} ${versionIn(install, name)}`);
  assert.doesNotMatch(js, literal(pinned), `and not the ${name} ${pinned} the example pins`);
}

/** A fresh test environment, as appScenarios takes it. */
const newEnv = (watch) => ({ origin: null, server: null, browser: null, context: null, errors: [], watch });

/**
 * The Vite example `example` with the peer `peer` at its oldest (OLDEST_RUNS): built once,
 * served apart from the API, every app scenario; `more(env)` registers the example's own.
 */
function viteOldest(peer, scenarios, more = () => {}) {
  const { example, install } = OLDEST_RUNS[peer];
  describe(`www/examples/${example} with ${install.join(" ")}`, () => {
    const env = newEnv();
    let web = null;
    before(async () => {
      const dir = await oldestProject(example, ["index.html", "src", "vite.config.js"], install);
      web = await staticServer(path.join(dir, "dist"));
      env.origin = web.origin;
      env.server = await apiFor(web.origin);
      await run(path.join(dir, "node_modules/.bin/vite"), ["build", "--logLevel", "warn"],
        { cwd: dir, env: { VITE_API_BASE: env.server.api } });
      assertBundled(dir, example, peer, install);
      env.browser = await launch();
    });
    after(async () => {
      await env.browser?.close();
      await env.server?.stop();
      await web?.stop();
    });
    freshContextPerTest(env, "no page error, no wasm panic, no unexpected 4xx");
    appScenarios(test, env, scenarios);
    more(env);
  });
}

viteOldest("react", { guardFollowsSignOut: true }, (env) => {
  test(TANSTACK_TITLE, (t) => tanstackAbort(env, t));
});

viteOldest("vue", {});

{
  const { example, install } = OLDEST_RUNS.next;
  describe(`www/examples/${example} with ${install.join(" ")}`, () => {
    /** React reports a hydration mismatch on the console (minified in production: errors 418, 423, 425). */
    const env = newEnv((page) => page.on("console", (m) => {
      if (m.type() === "error" && /hydrat|#418|#423|#425/i.test(m.text())) env.errors.push(`console: ${m.text()}`);
    }));
    let stack = null;
    before(async () => {
      const dir = await oldestProject(example, ["app", "next.config.mjs"], install);
      const next = path.join(dir, "node_modules/.bin/next");
      stack = await appWithApi(async ({ api, port, origin }) => {
        const vars = { ...quiet, NEXT_PUBLIC_API_BASE: api.api };
        await run(next, ["build"], { cwd: dir, env: vars });
        return serve(next, ["start", "-p", String(port), "-H", "127.0.0.1"], { cwd: dir, env: vars, url: `${origin}/`, timeoutMs: 180000 });
      });
      Object.assign(env, { origin: stack.origin, server: stack.api });
      env.browser = await launch();
    });
    after(async () => {
      await env.browser?.close();
      await stack?.server.stop();
      await stack?.api.stop();
    });
    freshContextPerTest(env, "no page error, no wasm panic, no hydration mismatch, no unexpected 4xx");
    appScenarios(test, env, { guardFollowsSignOut: true });

    test(`the app runs Next ${versionIn(install, "next")} (window.next.version)`, async () => {
      const page = await appPage(env, "/");
      await page.waitForFunction(() => window.next?.version);
      assert.equal(await page.evaluate(() => window.next.version), versionIn(install, "next"));
    });

    test("the server-rendered login form posts when submitted before hydration: no password in the URL", () =>
      checkSubmitBeforeHydration(env));

    test("a server component imports tokenrelay and renders its inert state; the page hydrates", async () => {
      const text = "on the server: state unknown, start() unknown, fetch() no_browser";
      const res = await fetch(`${env.origin}/server`);
      assert.equal(res.status, 200);
      assert.ok((await res.text()).includes(`<p id="server-render">${text}</p>`), "server-rendered text");
      const page = await appPage(env, "/server");
      await page.waitForFunction(() => /^signed(In|Out)$/.test(document.querySelector("#status")?.textContent),
        null, { timeout: 60000 });
      assert.equal(await page.textContent("#server-render"), text);
    });
  });
}

// tokenrelay/next: the Next example's scenarios (next-suite.mjs) on a copy with the oldest Next.
// Next 15 runs middleware.js on the edge runtime (proxy.js, on Node, came with Next 16), so the
// edge build is the one.
describe(`www/examples/next with ${OLDEST_RUNS.next.install.join(" ")} (tokenrelay/next)`, () => {
  nextSuite({
    prepare: () => oldestProject("next", ["app", "lib", "middleware.edge.js", "proxy.js", "next.config.mjs"], OLDEST_RUNS.next.install),
    runtimes: RUNTIMES.filter((runtime) => runtime.env.EDGE),
    screenshots: false,
  });
});
