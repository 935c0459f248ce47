// Prints the gzip -9 size of each entry point of pkg/: what an app downloads for it, as
// shipped and as an app's bundler minifies it (esbuild, frameworks left external).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const pkg = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "pkg");
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (n) => (n / 1024).toFixed(1);
const file = (name) => readFileSync(path.join(pkg, name));
const core = ["lib/client.js"];

/** gzip of each file on its own, summed (each is a separate request or chunk). */
const shipped = (files) => files.reduce((sum, f) => sum + gz(file(f)), 0);

/** gzip of each chunk esbuild writes for `entry` (code splitting keeps the lazy chunks apart). */
async function minified(entries) {
  const result = await build({
    entryPoints: entries.map((e) => path.join(pkg, e)), bundle: true, minify: true, format: "esm",
    splitting: true, write: false, outdir: "out", logLevel: "silent",
    external: ["react", "vue", "@nuxt/kit", "#app", "axios", "next", "next/*", "tokenrelay", "tokenrelay/*"],
    loader: { ".wasm": "file" },
  });
  return result.outputFiles.reduce((sum, f) => sum + gz(f.contents), 0);
}

const rows = [
  ["tokenrelay (default: entry + driver and glue + inline wasm module)", shipped(["index.js", ...core, "lib/driver.js", "lib/inline.js"]),
    await minified(["index.js"])],
  ["tokenrelay/slim (entry + driver and glue + tokenrelay_bg.wasm)", shipped(["slim.js", ...core, "lib/driver.js", "tokenrelay_bg.wasm"]),
    await minified(["slim.js"]) + gz(file("tokenrelay_bg.wasm"))],
  ["eager part of either entry (before first use)", shipped(["index.js", ...core]), null],
  ["tokenrelay/react", shipped(["react.js"]), await minified(["react.js"])],
  ["tokenrelay/vue", shipped(["vue.js"]), await minified(["vue.js"])],
  ["tokenrelay/nuxt (module + runtime plugins + middleware)", shipped(["nuxt.js", "nuxt/runtime/plugin.client.js",
    "nuxt/runtime/plugin.server.js", "nuxt/runtime/middleware.js", "nuxt/runtime/options.js"]), null],
  ["tokenrelay/axios (interceptors; + lib/errors.js)", shipped(["axios.js", "lib/errors.js"]), await minified(["axios.js"])],
  ["tokenrelay/next (server side: proxy, route handlers; no wasm)", shipped(["next.js", "lib/server/session.js",
    "lib/server/cookies.js"]), await minified(["next.js"])],
];
const inline = gz(file("lib/inline.js"));
const wasm = gz(file("tokenrelay_bg.wasm"));
console.log("\n## Entry points, gzip -9 (KB)\n");
console.log("| entry | shipped | minified by an app's bundler |\n|---|---|---|");
for (const [name, a, b] of rows) console.log(`| ${name} | ${kb(a)} | ${b === null ? "" : kb(b)} |`);
console.log(`\nInline wasm module ${kb(inline)} KB vs the .wasm ${kb(wasm)} KB: ${(inline / wasm).toFixed(2)}x.`);
