// Shipped size of pkg/: the total, each entry point (its JS, the JS it imports and the wasm it
// loads, gzip -9 each), and where the wasm bytes go (by crate and the largest functions, from
// the name section of the same release build). `node bench/size.mjs` prints it alone (after
// `scripts/bench` or `scripts/build-pkg` and the names build); `bench/run.mjs` includes it.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { transformSync } from "esbuild";
import { byCrate, crateOf, functionSizes } from "./wasm-sizes.mjs";

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const pkg = path.join(root, "pkg");
const named = path.join(root, "target/pkg-names/named.wasm");

export const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
export const kb = (bytes) => (bytes / 1024).toFixed(1);

/** Prints `rows` under `title` as an aligned table. */
export function table(title, header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
  console.log(`\n${title}\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const r of rows) console.log(line(r));
}

/** The JS entry points of pkg/package.json (`exports`, else `main`) as `[name, file]`. */
function entryPoints() {
  const manifest = JSON.parse(readFileSync(path.join(pkg, "package.json"), "utf8"));
  const target = (t) => (typeof t === "string" ? t : t?.import ?? t?.default);
  const exportsField = manifest.exports;
  if (!exportsField || typeof exportsField === "string") return [[".", exportsField ?? manifest.main]];
  return Object.entries(exportsField).map(([name, t]) => [name, target(t)])
    .filter(([, file]) => file?.endsWith(".js") || file?.endsWith(".mjs"));
}

/** The files an entry loads: its JS, the JS it imports (relative specifiers) and any .wasm
 *  a loaded file names. */
function closure(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    if (!/\.m?js$/.test(file)) return;
    const text = readFileSync(file, "utf8");
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      visit(path.resolve(path.dirname(file), spec));
    }
    for (const [wasm] of text.matchAll(/[\w.-]+\.wasm\b/g)) visit(path.join(path.dirname(file), wasm));
  };
  visit(path.resolve(pkg, entry));
  return [...seen];
}

/** Prints the size tables and returns their figures. */
export function reportSize() {
  const results = {};
  const entries = entryPoints().map(([name, file]) => {
    const files = closure(file).map((f) => {
      const bytes = readFileSync(f);
      // What an app's bundler makes of the JS (the published figures below are minified too).
      const minified = f.endsWith(".wasm") ? bytes : Buffer.from(transformSync(bytes.toString(), { minify: true, format: "esm" }).code);
      return { file: path.relative(pkg, f), raw: bytes.length, gzip: gz(bytes), minifiedGzip: gz(minified) };
    });
    const sum = (k) => files.reduce((a, f) => a + f[k], 0);
    return { name, files, gzip: sum("gzip"), minifiedGzip: sum("minifiedGzip") };
  });
  results.entries = entries;
  const main = entries[0];
  results.totalGzip = main.gzip;
  results.bundledGzip = main.minifiedGzip;
  const rows = [];
  for (const e of entries) {
    for (const f of e.files) rows.push([`${e.name}: ${f.file}`, kb(f.raw), kb(f.gzip), f.file.endsWith(".wasm") ? "-" : kb(f.minifiedGzip)]);
    rows.push([`${e.name}: total`, "", kb(e.gzip), kb(e.minifiedGzip)]);
  }
  rows.push(["target: total of the main entry", "", "<= 35 (stretch 22)", ""]);
  for (const [lib, size] of [["auth0-spa-js", "59.6"], ["msal-browser", "81"], ["Firebase Auth", "34.8"],
    ["supabase auth-js", "23.4"], ["SuperTokens website", "22.2"]]) rows.push([`${lib} (published)`, "", "", size]);
  table("Shipped size per entry point (wasm-opt -Oz; gzip -9 of each file; JS also as an app's bundler minifies it, esbuild)",
    ["entry: file", "raw KB", "gzip KB", "minified gzip KB"], rows);

  if (existsSync(named)) {
    const { rows: crates, total } = byCrate(named);
    results.sizeByCrate = Object.fromEntries(crates);
    table("Where the wasm bytes go, by crate (raw, before gzip; code inlined into a caller counts for the caller)",
      ["crate", "KB", "share"], crates.map(([crate, bytes]) => [crate, kb(bytes), `${((100 * bytes) / total).toFixed(0)} %`]));
    const largest = functionSizes(named).functions.sort((a, b) => b.size - a.size).slice(0, 15);
    results.largestFunctions = largest.map(({ name, size }) => ({ name, size }));
    table("The largest wasm functions (raw bytes)", ["bytes", "crate", "function"],
      largest.map(({ name, size }) => [size, crateOf(name), name.length > 110 ? `${name.slice(0, 107)}...` : name]));
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) reportSize();
