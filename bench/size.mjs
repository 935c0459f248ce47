// Shipped size of pkg/: the total (the .wasm plus the JS that loads and drives it, gzip -9 of
// each file) and where the wasm bytes go (by crate and the largest functions, from the name
// section of the same release build). Each entry point: bench/entry-sizes.mjs. `node
// bench/size.mjs` prints it alone (after scripts/build-pkg, and the names build of
// scripts/bench for the breakdown); `bench/run.mjs` includes it.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
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

/** Prints the size tables and returns their figures. */
export function reportSize() {
  const results = {};
  const file = (f) => readFileSync(path.join(pkg, f));
  const row = (f) => {
    const bytes = file(f);
    return { file: f, raw: bytes.length, gzip: gz(bytes) };
  };
  // What the target counts: the .wasm plus the JS that loads and drives it, each file
  // gzipped on its own (the slim entry; the default entry carries the wasm as base64 instead,
  // and bench/entry-sizes.mjs prints every entry).
  // lib/driver.js carries the wasm-bindgen glue; lib/client.js carries lib/errors.js.
  const files = ["tokenrelay_bg.wasm", "lib/driver.js", "slim.js", "lib/client.js"]
    .filter((f) => existsSync(path.join(pkg, f))).map(row);
  const total = files.reduce((a, f) => a + f.gzip, 0);
  const wasmAndGlue = files.slice(0, 2).reduce((a, f) => a + f.gzip, 0);
  Object.assign(results, { files, totalGzip: total, wasmAndGlueGzip: wasmAndGlue });
  const rows = files.map((f) => [f.file, kb(f.raw), kb(f.gzip)]);
  rows.push(["wasm + driver (with the glue)", "", kb(wasmAndGlue)]);
  rows.push(["total: wasm + the JS that loads and drives it", "", `${kb(total)} (target <= 35, stretch 22)`]);
  for (const [lib, size] of [["auth0-spa-js", "59.6"], ["msal-browser", "81"], ["Firebase Auth", "34.8"],
    ["supabase auth-js", "23.4"], ["SuperTokens website", "22.2"]]) rows.push([`${lib} (published, minified)`, "", size]);
  table("Shipped size (wasm-opt -Oz; driver with glue, and client, minified by esbuild; gzip -9 of each file)", ["file", "raw KB", "gzip KB"], rows);

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
