// Every entry imported under Node as SSR, server components and test runners do: nothing
// throws, no wasm loads, no request goes out, and the adapters render the unknown state.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { root } from "../e2e/lib/server.mjs";
import { prepareConsumer } from "../e2e/lib/pack.mjs";
import { run } from "../e2e/lib/examples.mjs";

/** Runs `code` as an ES module in `example` (its node_modules resolve), with fetch and wasm watched. */
async function inExample(example, code) {
  const dir = path.join(root, "www/examples", example);
  prepareConsumer(dir);
  const watched = `
    const calls = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (...a) => { calls.push("fetch " + a[0]); return realFetch(...a); };
    for (const k of ["instantiate", "instantiateStreaming", "compile", "compileStreaming"]) {
      const real = WebAssembly[k];
      WebAssembly[k] = (...a) => { calls.push("wasm " + k); return real(...a); };
    }
    ${code}
    if (calls.length) throw new Error("requests or wasm under Node: " + calls.join(", "));
    console.log("ok");`;
  const out = await run(process.execPath, ["--input-type=module", "-e", watched], { cwd: dir });
  assert.match(out, /^ok$/m);
}

test("React: every entry imports under Node; AuthProvider, useAuth and RequireAuth render the unknown state", async () => {
  await inExample("react", `
    const { createElement: h } = await import("react");
    const { renderToString } = await import("react-dom/server");
    const { AuthClient } = await import("tokenrelay");
    await import("tokenrelay/slim");
    const { AuthProvider, RequireAuth, useAuth } = await import("tokenrelay/react");
    const auth = new AuthClient({ apiBase: "http://127.0.0.1:1" });
    function Status() { const a = useAuth(); return h("b", null, a.status + " " + a.isLoading + " " + a.isSignedIn); }
    const html = renderToString(h(AuthProvider, { client: auth }, h(Status),
      h(RequireAuth, { fallback: h("i", null, "login") }, h("p", null, "secret"))));
    if (html !== "<b>unknown true false</b>") throw new Error("rendered " + html);
  `);
});

test("Vue: every entry imports under Node; createTokenRelay and useAuth render the unknown state", async () => {
  await inExample("vue", `
    const { createSSRApp, h } = await import("vue");
    const { renderToString } = await import("vue/server-renderer");
    const { AuthClient } = await import("tokenrelay");
    await import("tokenrelay/slim");
    const { createTokenRelay, useAuth, authGuard } = await import("tokenrelay/vue");
    const auth = new AuthClient({ apiBase: "http://127.0.0.1:1" });
    const app = createSSRApp({ setup() { const a = useAuth(); return () => h("b", a.status.value + " " + a.isSignedIn.value); } });
    const plugin = createTokenRelay({ client: auth });
    app.use(plugin);
    const html = await renderToString(app);
    if (html !== "<b>unknown false</b>") throw new Error("rendered " + html);
    await plugin.ready;
    if (typeof authGuard({ loginRoute: "/login" }) !== "function") throw new Error("authGuard");
  `);
});

test("Nuxt: the module imports under Node", async () => {
  await inExample("nuxt", `
    const { default: module } = await import("tokenrelay/nuxt");
    if (typeof module !== "function") throw new Error("not a Nuxt module");
    const meta = await module.getMeta();
    if (meta.configKey !== "tokenrelay") throw new Error("configKey " + meta.configKey);
    await import("tokenrelay");
    await import("tokenrelay/vue");
  `);
});
