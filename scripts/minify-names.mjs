// Renames the glue's side of the wasm's imports and exports after
// `wasm-opt --minify-imports-and-exports-and-modules` shortened them in the module. Each import
// of wasm-bindgen carries a long name with a hash (`__wbg_set_name_822e3903f3184979`) in both
// files, and gzip cannot compress the hashes: about 3 KB gzip in all.
// Usage: node scripts/minify-names.mjs <mapping.json> <minified.wasm> <glue.js>   (glue rewritten)
// The mapping is what wasm-opt prints. Every name must be found where wasm-bindgen's glue puts
// it (import object keys, `wasm.<export>` accesses), and none may be left: a newer wasm-bindgen
// that writes its glue differently fails the build here instead of shipping a broken package.
import { readFileSync, writeFileSync } from "node:fs";

const [mappingPath, wasmPath, gluePath] = process.argv.slice(2);
const mapping = JSON.parse(readFileSync(mappingPath, "utf8"));
let glue = readFileSync(gluePath, "utf8");

function fail(message) {
  console.error(`[minify-names] ${message}`);
  process.exit(1);
}

const identifier = /^[A-Za-z_$][\w$]*$/;
for (const short of [...mapping.imports.map(([, , s]) => s), ...mapping.exports.map(([, s]) => s)]) {
  if (!identifier.test(short)) fail(`minified name ${JSON.stringify(short)} is not an identifier`);
}

// The module name: one for every import after minification.
const modules = new Set(
  WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasmPath))).map((i) => i.module),
);
if (modules.size !== 1) fail(`expected one import module, found ${[...modules].join(", ")}`);
const [moduleName] = modules;
const originalModules = new Set(mapping.imports.map(([module]) => module));
for (const original of originalModules) {
  const key = `${JSON.stringify(original)}: import0,`;
  if (!glue.includes(key)) fail(`import module ${original} not found in the glue`);
  glue = glue.replace(key, `${JSON.stringify(moduleName)}: import0,`);
}

// Imports: the keys of the glue's import object, written `        <name>: function(`.
for (const [, name, short] of mapping.imports) {
  const key = new RegExp(`^(\\s+)${name.replace(/\$/g, "\\$")}(: function\\()`, "m");
  if (!key.test(glue)) fail(`import ${name} not found in the glue`);
  glue = glue.replace(key, (_, indent, rest) => `${indent}${short}${rest}`);
}

// Exports: every `wasm.<name>` access.
const exports = new Map(mapping.exports);
glue = glue.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (whole, name) => {
  const short = exports.get(name);
  if (short === undefined) fail(`the glue uses wasm.${name}, which the module does not export`);
  return `wasm.${short}`;
});
for (const [, name] of mapping.imports) {
  if (glue.includes(name)) fail(`import ${name} is still named in the glue`);
}
writeFileSync(gluePath, glue);
