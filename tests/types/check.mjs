// Type-checks real usage of every entry of the packed package with TypeScript 5.9 (strict,
// skipLibCheck false, lib ES2022 + DOM) under `bundler` and `node16` resolution.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { prepareConsumer } from "../e2e/lib/pack.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
prepareConsumer(here);
const installed = path.join(here, "node_modules", "tokenrelay");
const declarations = (dir) => readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(".d.ts"));
for (const file of declarations(installed)) {
  const text = readFileSync(path.join(installed, file), "utf8");
  if (/Symbol\.dispose|\bany\b/.test(text.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ""))) {
    throw new Error(`${file}: the published types mention Symbol.dispose or any`);
  }
}
const tsc = path.join(here, "node_modules", ".bin", "tsc");
for (const config of ["tsconfig.bundler.json", "tsconfig.node16.json"]) {
  try {
    execFileSync(tsc, ["-p", config], { cwd: here, stdio: "inherit" });
  } catch {
    console.error(`[types] ${config}: tsc failed`);
    process.exit(1);
  }
  console.log(`[types] ${config}: ok (TypeScript ${execFileSync(tsc, ["-v"], { encoding: "utf8" }).trim()})`);
}
