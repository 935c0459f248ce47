// Type-checks the JS driver (js/lib/driver/, JSDoc types, `checkJs`) against the wasm's own
// API: the TypeScript declarations wasm-bindgen writes for the glue (after scripts/build-pkg).
// A misspelled method of the `Core`, a wrong argument count or a property the client does not
// have fails here, before any browser runs.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dir = path.join(root, "target/driver-types");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
cpSync(path.join(root, "js/lib/driver"), path.join(dir, "driver"), { recursive: true });
// The driver imports the glue as ../glue.js: its declarations sit there.
cpSync(path.join(root, "target/pkg-build/glue/tokenrelay.d.ts"), path.join(dir, "glue.d.ts"));
writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
  compilerOptions: {
    allowJs: true, checkJs: true, noEmit: true, target: "ES2022", lib: ["ES2022", "DOM"],
    module: "ESNext", moduleResolution: "bundler", skipLibCheck: true, strict: false,
  },
  include: ["driver/*.js", "glue.d.ts"],
}));
const tsc = path.join(root, "node_modules/.bin/tsc");
try {
  execFileSync(tsc, ["-p", dir], { stdio: "inherit" });
} catch {
  console.error("[types] the driver: tsc failed");
  process.exit(1);
}
console.log("[types] the driver against the wasm's declarations: ok");
