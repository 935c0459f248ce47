// Blanks (zeroes) the bytes of the shipped wasm's data that no code can read: the texts and
// source locations of Rust panics, and core's decimal digit table when no instruction points
// into it. The shipped module's panic handler traps without reading its message or location
// (src/lib.rs, `tokenrelay_ship`), but the linker keeps them, and wasm-opt cannot drop bytes
// from inside a data segment. Zeroed, they cost next to nothing after gzip (~440 bytes saved);
// addresses do not move. This is what nightly's `-Zlocation-detail=none` would do, on stable.
// Usage: wasm-opt --all-features --print x.wasm >x.wat; node scripts/blank-panic-data.mjs x.wasm <x.wat
// (x.wasm rewritten)
// The printed module (stdin) lists the addresses the code uses: a table with one is kept.
import { readFileSync, writeFileSync } from "node:fs";

const [path] = process.argv.slice(2);
const bytes = readFileSync(path);
const printed = readFileSync(0, "latin1");

// Texts only core and alloc panic with (the message pieces of their `panic!`s).
const PANIC_TEXTS = [
  "memory allocation of ",
  " bytes failed",
  "removal index (is ",
  ") should be < len (is ",
  "Tried to shrink to a larger capacity",
  "capacity overflow",
  "attempt to divide by zero",
  "RefCell already mutably borrowed",
  "RefCell already borrowed",
];
// Panic locations: this crate's and its dependencies' sources (remapped by scripts/build-pkg)
// and the standard library's.
const LOCATION = /(?:\/rustc\/[0-9a-f]{40}\/library|src|crates)\/[\w./-]*?\.rs/g;
// core::fmt's two-digit table, read only by integer formatting.
const DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0")).join("");

// Addresses in instructions (constants and load/store offsets), not in data segment headers.
if (!printed.includes("(func ")) fail("no printed module on stdin");
const used = [];
for (const line of printed.split("\n")) {
  if (line.startsWith(" (data ")) continue;
  for (const m of line.matchAll(/(?:i32\.const |offset=)(\d+)/g)) used.push(Number(m[1]));
}

function fail(message) {
  console.error(`[blank-panic-data] ${message}`);
  process.exit(1);
}

let pos = 8;
const u32 = () => {
  let result = 0;
  let shift = 0;
  let b;
  do {
    b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return result;
};
let blanked = 0;
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = u32();
  const end = pos + size;
  if (id !== 11) {
    pos = end;
    continue;
  }
  for (let n = u32(); n > 0; n--) {
    const flags = u32();
    if (flags === 1) {
      // Passive: not laid out at a known address; left as is.
      const length = u32();
      pos += length;
      continue;
    }
    if (flags !== 0 || bytes[pos] !== 0x41) fail("a data segment that is not active at an i32.const");
    pos++;
    // Signed LEB128, non-negative here (addresses below 2 GB).
    const base = u32();
    if (bytes[pos++] !== 0x0b) fail("a data segment offset that is not one constant");
    const length = u32();
    const start = pos;
    const text = bytes.subarray(start, start + length).toString("latin1");
    const blank = (at, len) => {
      bytes.fill(0, start + at, start + at + len);
      blanked += len;
    };
    for (const t of PANIC_TEXTS) {
      for (let at = text.indexOf(t); at >= 0; at = text.indexOf(t, at + t.length)) blank(at, t.length);
    }
    for (const m of text.matchAll(LOCATION)) blank(m.index, m[0].length);
    const at = text.indexOf(DIGITS);
    if (at >= 0) {
      const from = base + at;
      if (!used.some((a) => a >= from && a < from + DIGITS.length)) blank(at, DIGITS.length);
    }
    pos = start + length;
  }
}
writeFileSync(path, bytes);
console.error(`[blank-panic-data] ${blanked} bytes of panic texts and unused tables zeroed`);
