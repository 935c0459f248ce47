// Writes pkg/package.json (what wasm-pack would write) from Cargo.toml, plus README and licence.
import { readFileSync, writeFileSync, copyFileSync, existsSync } from "node:fs";

const toml = readFileSync("Cargo.toml", "utf8");
const field = (name) => toml.match(new RegExp(`^${name} = "(.*)"`, "m"))?.[1];
const pkg = {
  name: "tokenrelay",
  version: field("version"),
  description: field("description"),
  license: field("license"),
  repository: { type: "git", url: field("repository") },
  keywords: ["jwt", "auth", "wasm", "refresh-token", "spa"],
  type: "module",
  files: ["tokenrelay_bg.wasm", "tokenrelay.js", "tokenrelay.d.ts", "tokenrelay_bg.wasm.d.ts"],
  main: "tokenrelay.js",
  types: "tokenrelay.d.ts",
  sideEffects: ["./snippets/*"],
};
writeFileSync("pkg/package.json", JSON.stringify(pkg, null, 2) + "\n");
if (existsSync("README.md")) copyFileSync("README.md", "pkg/README.md");
