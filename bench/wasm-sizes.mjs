// Where the bytes of a wasm module go, by crate: reads the code section and the function
// names of a module built with names kept (`wasm-bindgen --keep-debug`, `wasm-opt -g`).
import { readFileSync } from "node:fs";

function reader(bytes) {
  let pos = 0;
  const r = {
    get pos() { return pos; },
    set pos(p) { pos = p; },
    byte: () => bytes[pos++],
    u32() {
      let result = 0, shift = 0, b;
      do { b = bytes[pos++]; result += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
      return result;
    },
    name() { const n = r.u32(); const s = new TextDecoder().decode(bytes.subarray(pos, pos + n)); pos += n; return s; },
    limits() { const flags = r.byte(); r.u32(); if (flags & 1) r.u32(); },
  };
  return r;
}

/** `{ functions: [{ name, size }], data, total }` of the module at `path`. */
export function functionSizes(path) {
  const bytes = readFileSync(path);
  const r = reader(bytes);
  r.pos = 8;
  let imported = 0;
  let bodies = [];
  let data = 0;
  const names = new Map();
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 2) { // imports: count the imported functions, which come first in the index space
      for (let i = r.u32(); i > 0; i--) {
        r.name(); r.name();
        const kind = r.byte();
        if (kind === 0) { r.u32(); imported++; }
        else if (kind === 1) { r.byte(); r.limits(); }
        else if (kind === 2) r.limits();
        else if (kind === 3) { r.byte(); r.byte(); }
        else if (kind === 4) { r.byte(); r.u32(); }
      }
    } else if (id === 10) {
      for (let i = r.u32(); i > 0; i--) { const n = r.u32(); bodies.push(n); r.pos += n; }
    } else if (id === 11) {
      data = size;
    } else if (id === 0 && r.name() === "name") {
      while (r.pos < end) {
        const sub = r.byte();
        const subSize = r.u32();
        const subEnd = r.pos + subSize;
        if (sub === 1) for (let i = r.u32(); i > 0; i--) { const idx = r.u32(); names.set(idx, r.name()); }
        r.pos = subEnd;
      }
    }
    r.pos = end;
  }
  const functions = bodies.map((size, i) => ({ name: names.get(imported + i) ?? `func${imported + i}`, size }));
  return { functions, data, total: functions.reduce((a, f) => a + f.size, 0) + data };
}

/** The crate a (demangled) function name belongs to. */
export function crateOf(name) {
  const impl = name.match(/^<(?:&|&mut )?(?:[a-z0-9]+|T|str|char|\[u8\]) as ([a-z_][a-z0-9_]*)/);
  if (impl) return impl[1];
  if (/^(authclient_|istokenrelayerror)/.test(name)) return "tokenrelay";
  const m = name.match(/^<*&?(?:mut )?(?:dyn )?([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::/);
  if (m) return m[1];
  if (/externref shim|Closure\(|-> Externref|^__wbindgen|^__externref|wasm_bindgen/.test(name)) return "wasm_bindgen";
  return "other";
}

/** Code bytes per crate, largest first, plus the data segments. */
export function byCrate(path) {
  const { functions, data, total } = functionSizes(path);
  const sums = new Map();
  for (const f of functions) sums.set(crateOf(f.name), (sums.get(crateOf(f.name)) ?? 0) + f.size);
  const rows = [...sums.entries()].sort((a, b) => b[1] - a[1]);
  rows.push(["(data segments: strings, tables)", data]);
  return { rows, total };
}
