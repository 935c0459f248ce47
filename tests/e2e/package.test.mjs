// The package's entries as apps meet them: the lazy AuthClient (no init(), wasm on first use),
// the default (inlined wasm) and slim (separate .wasm) entries, config errors that are never
// lost, inert clients outside a browser, and a strict Content-Security-Policy.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { watchErrors, DEMO } from "./lib/browser.mjs";
import { suite } from "./lib/suite.mjs";
import { root } from "./lib/server.mjs";

const entryUrl = (name) => pathToFileURL(path.join(root, "pkg", `${name}.js`)).href;

test("under Node every core entry imports, stays inert, loads no wasm and makes no request", async () => {
  const calls = [];
  const realFetch = globalThis.fetch;
  const wasmApi = ["instantiate", "instantiateStreaming", "compile", "compileStreaming"];
  const realWasm = Object.fromEntries(wasmApi.map((k) => [k, WebAssembly[k]]));
  globalThis.fetch = (...args) => { calls.push(["fetch", String(args[0])]); return realFetch(...args); };
  for (const k of wasmApi) WebAssembly[k] = (...args) => { calls.push([k]); return realWasm[k](...args); };
  try {
    for (const name of ["index", "slim"]) {
      const mod = await import(entryUrl(name));
      assert.equal(typeof mod.default, "function", `${name}: default export init`);
      assert.equal(mod.init, mod.default);
      // No options are checked on the server: there is nothing to run them with.
      const auth = new mod.AuthClient({ apiBase: "http://127.0.0.1:1" });
      assert.equal(auth.state.status, "unknown");
      assert.equal(auth.state, auth.state, "the same frozen object");
      assert.ok(Object.isFrozen(auth.state));
      let heard = 0;
      const off = auth.subscribe(() => heard++);
      assert.equal(typeof off, "function");
      off();
      off();
      const started = await auth.start();
      assert.deepEqual(started, { status: "unknown", user: null, expiresAt: null, error: null });
      for (const call of [() => auth.login(DEMO), () => auth.logout(), () => auth.refresh(),
        () => auth.accessToken(), () => auth.fetch("/api/me")]) {
        const error = await call().then(() => null, (e) => e);
        assert.ok(error instanceof Error, `${name}: ${call} rejects with an Error`);
        assert.equal(error.name, "TokenRelayError");
        assert.equal(error.code, "no_browser");
        assert.ok(mod.isTokenRelayError(error));
      }
      assert.equal(mod.isTokenRelayError(new Error("x")), false);
      assert.equal(mod.isTokenRelayError({ name: "TokenRelayError", code: "config" }), false, "not an Error");
      auth.dispose();
      auth.dispose();
      assert.equal(auth.state.status, "unknown");
      await mod.default();
      assert.equal(heard, 0);
    }
  } finally {
    globalThis.fetch = realFetch;
    Object.assign(WebAssembly, realWasm);
  }
  assert.deepEqual(calls, [], "no request and no wasm under Node");
});

const env = suite({ extraArgs: ["--web-root", "tests/e2e/pages"] });

/** A blank page of the web origin that records every request it makes. */
async function blankPage() {
  const page = await env.context.newPage();
  watchErrors(page, env.errors);
  page.requests = [];
  page.on("request", (r) => page.requests.push(new URL(r.url()).pathname));
  await page.goto(`${env.server.web}/blank.html`);
  await page.evaluate(async () => { window.apiBase = (await (await fetch("/config.json")).json()).apiBase; });
  return page;
}

const wasmRequests = (page) => page.requests.filter((p) => /\/pkg\/(lib\/(driver|inline)\.js|tokenrelay_bg\.wasm)$/.test(p));

/**
 * Waits until the page's request for `marker` (a path it fetched after the code under test
 * ran) has reached Node: request events arrive in order, so any request the page made before
 * the marker has been recorded by then.
 */
async function requestsUpTo(page, marker) {
  const deadline = Date.now() + 10_000;
  while (!page.requests.includes(marker)) {
    assert.ok(Date.now() < deadline, `the page's request for ${marker} was seen`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

for (const entry of ["index", "slim"]) {
  test(`${entry}: new AuthClient at once, wasm loaded on first use, then a full session`, async () => {
    const page = await blankPage();
    const before = await page.evaluate(async (entry) => {
      window.tr = await import(`/pkg/${entry}.js`);
      window.auth = new window.tr.AuthClient({ apiBase: window.apiBase });
      window.seen = [];
      window.auth.subscribe((s) => window.seen.push(s.status));
      // A marker request, after the constructor and its microtasks had their chance to load.
      await new Promise((resolve) => setTimeout(resolve, 0));
      await fetch("/pkg/package.json");
      return { status: window.auth.state.status, frozen: Object.isFrozen(window.auth.state) };
    }, entry);
    assert.deepEqual(before, { status: "unknown", frozen: true });
    await requestsUpTo(page, "/pkg/package.json");
    assert.deepEqual(wasmRequests(page), [], "nothing of the wasm is fetched before first use");
    const started = await page.evaluate(() => window.auth.start());
    assert.equal(started.status, "signedOut");
    assert.deepEqual(wasmRequests(page).sort(), (entry === "index"
      ? ["/pkg/lib/driver.js", "/pkg/lib/inline.js"]
      : ["/pkg/lib/driver.js", "/pkg/tokenrelay_bg.wasm"]).sort());
    const result = await page.evaluate(async (demo) => {
      const state = await window.auth.login(demo);
      const statuses = await Promise.all(Array.from({ length: 5 }, () => window.auth.fetch("/api/me").then((r) => r.status)));
      return { status: state.status, statuses, seen: window.seen, same: window.auth.state === window.auth.state };
    }, DEMO);
    assert.equal(result.status, "signedIn");
    assert.deepEqual(result.statuses, [200, 200, 200, 200, 200]);
    assert.ok(result.seen.includes("signedIn"), `a listener subscribed before the wasm loaded hears changes: ${result.seen}`);
    assert.ok(result.same);
    const stats = await env.server.stats();
    assert.equal(stats.login, 1);
    assert.equal(stats.refresh, 1, "start() asked the refresh cookie once");
    // A second client of the page is created with the wasm in place: no new wasm request.
    await page.evaluate(async () => {
      await new window.tr.AuthClient({ apiBase: window.apiBase }).start();
      await fetch("/pkg/README.md");
    });
    await requestsUpTo(page, "/pkg/README.md");
    assert.equal(wasmRequests(page).length, 2);
  });

  test(`${entry}: a bad option is never lost: every call rejects with the same config error`, async () => {
    const page = await blankPage();
    const out = await page.evaluate(async (entry) => {
      const tr = await import(`/pkg/${entry}.js`);
      const auth = new tr.AuthClient({ apiBase: "ftp://nope" }); // wasm not loaded: no throw
      const seen = [];
      for (const call of [() => auth.start(), () => auth.login({}), () => auth.fetch("/x"), () => auth.refresh(),
        () => auth.accessToken(), () => auth.logout()]) {
        seen.push(await call().then(() => null, (e) => ({ ours: tr.isTokenRelayError(e), code: e.code, message: e.message })));
      }
      // Once the wasm is loaded, the constructor checks at once.
      await tr.init();
      let thrown = null;
      try { new tr.AuthClient({ apiBase: "ftp://nope" }); } catch (e) { thrown = { code: e.code, message: e.message, ours: tr.isTokenRelayError(e) }; }
      return { seen, thrown, state: auth.state.status };
    }, entry);
    assert.ok(out.seen[0].ours);
    assert.equal(out.seen[0].code, "config");
    assert.match(out.seen[0].message, /apiBase/);
    for (const s of out.seen) assert.deepEqual(s, out.seen[0]);
    assert.deepEqual(out.thrown, out.seen[0], "the synchronous throw is the same error");
    assert.equal(out.state, "unknown");
    assert.equal((await env.server.stats()).refresh, 0);
  });
}

test("the await init() path: the constructor throws config errors synchronously", async () => {
  const page = await blankPage();
  const out = await page.evaluate(async () => {
    const { default: init, AuthClient, isTokenRelayError } = await import("/pkg/index.js");
    await init();
    const codes = [];
    for (const options of [{}, { apiBase: "http://x", bogus: 1 }, null, { apiBase: "http://x", cooldownMs: -1 }]) {
      try { new AuthClient(options); codes.push("no throw"); } catch (e) { codes.push(isTokenRelayError(e) && e.code); }
    }
    const auth = new AuthClient({ apiBase: window.apiBase });
    return { codes, state: (await auth.start()).status };
  });
  assert.deepEqual(out.codes, ["config", "config", "config", "config"]);
  assert.equal(out.state, "signedOut");
});

test("slim: init() takes a URL, a Response or the bytes", async () => {
  for (const kind of ["url", "response", "bytes"]) {
    const page = await blankPage();
    const status = await page.evaluate(async (kind) => {
      const tr = await import("/pkg/slim.js");
      const url = new URL("/pkg/tokenrelay_bg.wasm", location.href);
      const input = kind === "url" ? url : kind === "response" ? await fetch(url)
        : new Uint8Array(await (await fetch(url)).arrayBuffer());
      await tr.init(input);
      const auth = new tr.AuthClient({ apiBase: window.apiBase }); // loaded: checked at once
      return (await auth.start()).status;
    }, kind);
    assert.equal(status, "signedOut", kind);
    await page.close();
  }
});

test("subscriptions and dispose before the wasm is there", async () => {
  const page = await blankPage();
  const out = await page.evaluate(async (demo) => {
    const tr = await import("/pkg/index.js");
    const gone = new tr.AuthClient({ apiBase: window.apiBase });
    gone.dispose();
    const disposed = await gone.start().then(() => null, (e) => e.code);
    const auth = new tr.AuthClient({ apiBase: window.apiBase });
    const kept = [];
    const dropped = [];
    auth.subscribe((s) => kept.push(s.status));
    const off = auth.subscribe((s) => dropped.push(s.status));
    off();
    off();
    await auth.start();
    await auth.login(demo);
    auth.dispose();
    const after = await auth.fetch("/api/me").then(() => null, (e) => e.code);
    return { disposed, kept, dropped, after };
  }, DEMO);
  assert.equal(out.disposed, "disposed");
  assert.ok(out.kept.includes("signedOut") && out.kept.includes("signedIn"), String(out.kept));
  assert.deepEqual(out.dropped, []);
  assert.equal(out.after, "disposed");
});

test("works under script-src 'self' 'wasm-unsafe-eval', and the policy is what makes it work", async () => {
  for (const entry of ["index", "slim"]) {
    for (const variant of ["strict", "nowasm"]) {
      const page = await env.context.newPage();
      const violations = [];
      page.on("console", (m) => { if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) violations.push(m.text()); });
      await page.goto(`${env.server.web}/csp-${variant}.html?entry=${entry}`);
      await page.waitForFunction(() => window.result, null, { timeout: 20000 });
      const result = await page.evaluate(() => window.result);
      if (variant === "strict") {
        assert.deepEqual(result, { status: "signedIn", me: 200 }, `${entry} under the strict policy`);
        assert.deepEqual(violations, []);
      } else {
        // The wasm's compilation is what the policy refused (not a missing file or a script).
        assert.match(String(result.error), /WebAssembly|wasm-unsafe-eval|Content Security Policy/i,
          `${entry}: without 'wasm-unsafe-eval' the wasm cannot compile`);
      }
      await page.close();
      await page.context().clearCookies();
    }
  }
});

test("a wasm that fails to load rejects that call with the loader's error; the next call tries again", async () => {
  const page = await blankPage();
  const out = await page.evaluate(async () => {
    const tr = await import("/pkg/slim.js");
    const failed = await tr.init(new URL("/pkg/missing.wasm", location.href)).then(() => null, (e) => ({ name: e.name, message: e.message, ours: tr.isTokenRelayError(e) }));
    const auth = new tr.AuthClient({ apiBase: window.apiBase });
    return { failed, status: (await auth.start()).status };
  });
  assert.equal(out.failed.ours, false, "not a TokenRelayError: the environment failed");
  assert.match(out.failed.message, /404/);
  assert.equal(out.status, "signedOut", "the default source loaded on the next use");
});

test("default entry without DecompressionStream: a clear error naming the slim entry, no request lost", async () => {
  const page = await blankPage();
  const out = await page.evaluate(async () => {
    delete window.DecompressionStream;
    const tr = await import("/pkg/index.js");
    const auth = new tr.AuthClient({ apiBase: window.apiBase });
    const settle = (p) => p.then(() => null, (e) => ({ message: e.message, ours: tr.isTokenRelayError(e) }));
    return { start: await settle(auth.start()), fetch: await settle(auth.fetch("/api/me")) };
  });
  for (const failure of [out.start, out.fetch]) {
    assert.equal(failure.ours, false, "not a TokenRelayError: the environment failed");
    assert.match(failure.message, /DecompressionStream.*tokenrelay\/slim/);
  }
  const stats = await env.server.stats();
  assert.deepEqual([stats.refresh, stats.apiOk + stats.api401], [0, 0], "nothing reached the API");
});
