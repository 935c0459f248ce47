// The package as users get it: `npm pack` of pkg/, and that tarball installed into a consumer
// project (an example app, the types check) whose own dependencies come from its lockfile.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { root } from "./server.mjs";

const packDir = path.join(root, "target", "pack");

/** Packs pkg/ (built beforehand by scripts/build-pkg); returns the tarball's path. */
export function packPackage() {
  mkdirSync(packDir, { recursive: true });
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", packDir, "--loglevel=error"],
    { cwd: path.join(root, "pkg"), encoding: "utf8" });
  return path.join(packDir, JSON.parse(out)[0].filename);
}

/** `npm ci` in `dir` when node_modules is missing or older than the lockfile (idempotent). */
export function installDependencies(dir) {
  const marker = path.join(dir, "node_modules", ".package-lock.json");
  const lock = path.join(dir, "package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return false;
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"],
    { cwd: dir, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, NUXT_TELEMETRY_DISABLED: "1" } });
  return true;
}

/**
 * Puts the tarball's files in `dir`/node_modules/tokenrelay, as npm lays out a dependency-free
 * package: a real directory, so bundlers treat it as a dependency (pre-bundling included). The
 * lockfile stays untouched, since the tarball changes with every build.
 */
export function installTarball(dir, tarball) {
  const target = path.join(dir, "node_modules", "tokenrelay");
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"]);
}

/** Packs once per process and installs the package with the dependencies of `dir`. */
let packed = null;
export function prepareConsumer(dir) {
  packed ??= packPackage();
  installDependencies(dir);
  installTarball(dir, packed);
  return packed;
}
