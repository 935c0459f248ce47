// The peer ranges of the packed package match what the tests run: each range starts at the
// oldest version tested (tested-peers.mjs), and a plain `npm install` of the tarball resolves
// with each tested version, by its real package name (no alias, no --legacy-peer-deps): into
// each example's own project (its package.json and lockfile), with each oldest version that no
// lockfile pins (into the example that runs it), and with each tested axios. Every tested version
// is run somewhere. Only the lockfile is written (--package-lock-only); oldest-peers.test.mjs and
// the axios test install and run them.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { root } from "../e2e/lib/server.mjs";
import { packPackage } from "../e2e/lib/pack.mjs";
import { run } from "../e2e/lib/examples.mjs";
import { TESTED, EXAMPLES, OLDEST_RUNS, oldest, versionIn } from "./tested-peers.mjs";

const work = path.join(root, "target", "peers");
let tarball, manifest;

before(() => {
  tarball = packPackage();
  manifest = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }));
});

/** An empty directory `target/peers/<name>`, with the files of `from` copied in. */
function project(name, files = {}) {
  const dir = path.join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, from] of Object.entries(files)) copyFileSync(from, path.join(dir, file));
  return dir;
}

/** `npm install --package-lock-only` of the tarball and `specs` in `dir`; resolves with the lock's packages. */
async function resolveInstall(dir, specs = []) {
  await run("npm", ["install", "--package-lock-only", "--no-audit", "--no-fund", "--loglevel=error", tarball, ...specs],
    { cwd: dir, env: { NUXT_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1" } });
  return JSON.parse(readFileSync(path.join(dir, "package-lock.json"), "utf8")).packages;
}

test("every peer range is `>=` the oldest version tested, and every peer is optional", () => {
  assert.deepEqual(Object.keys(manifest.peerDependencies).sort(), Object.keys(TESTED).sort());
  for (const [name, range] of Object.entries(manifest.peerDependencies)) {
    assert.equal(range, `>=${oldest(name)}`, `the peer range of ${name}`);
    assert.deepEqual(manifest.peerDependenciesMeta[name], { optional: true }, `${name} is optional`);
  }
});

for (const example of EXAMPLES) {
  test(`npm install of the tarball into www/examples/${example} (its lockfile) resolves with its peers`, async () => {
    const source = path.join(root, "www/examples", example);
    const dir = project(example, { "package.json": path.join(source, "package.json"),
      "package-lock.json": path.join(source, "package-lock.json") });
    const packages = await resolveInstall(dir);
    assert.equal(packages["node_modules/tokenrelay"]?.version, manifest.version, "tokenrelay installed from the tarball");
    const peers = Object.keys(TESTED).filter((name) => packages[`node_modules/${name}`]);
    assert.ok(peers.length > 0, `${example} holds a peer of tokenrelay`);
    for (const name of peers) {
      const { version } = packages[`node_modules/${name}`];
      assert.ok(TESTED[name].includes(version), `${example}: ${name}@${version} is not listed in tests/examples/tested-peers.mjs`);
    }
  });
}

/** Copies www/examples/`example`'s package.json and lockfile into target/peers/`name`. */
const exampleProject = (name, example) => project(name, Object.fromEntries(["package.json", "package-lock.json"]
  .map((file) => [file, path.join(root, "www/examples", example, file)])));

for (const [peer, { example, install }] of Object.entries(OLDEST_RUNS)) {
  test(`npm install of the tarball with ${install.join(" ")} into www/examples/${example} resolves`, async () => {
    assert.equal(versionIn(install, peer), oldest(peer), `OLDEST_RUNS installs the oldest tested ${peer}`);
    const packages = await resolveInstall(exampleProject(`oldest-${peer}`, example), install);
    assert.equal(packages["node_modules/tokenrelay"]?.version, manifest.version, "tokenrelay installed from the tarball");
    for (const spec of install) {
      const name = spec.slice(0, spec.lastIndexOf("@"));
      assert.equal(packages[`node_modules/${name}`]?.version, versionIn(install, name), `${example}: ${spec}`);
    }
  });
}

test("every tested version is run: pinned by an example's lockfile, installed by OLDEST_RUNS, or axios's", () => {
  const run = new Set(TESTED.axios.map((version) => `axios@${version}`));
  for (const example of EXAMPLES) {
    const { packages } = JSON.parse(readFileSync(path.join(root, "www/examples", example, "package-lock.json"), "utf8"));
    for (const name of Object.keys(TESTED)) {
      if (packages[`node_modules/${name}`]) run.add(`${name}@${packages[`node_modules/${name}`].version}`);
    }
  }
  for (const { install } of Object.values(OLDEST_RUNS)) for (const spec of install) run.add(spec);
  for (const [name, versions] of Object.entries(TESTED)) {
    for (const version of versions) assert.ok(run.has(`${name}@${version}`), `${name}@${version} is listed but no test runs it`);
  }
});

for (const version of TESTED.axios) {
  test(`npm install of the tarball with axios@${version} resolves`, async () => {
    const dir = project(`axios-${version}`);
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "peers-axios", private: true }) + "\n");
    const packages = await resolveInstall(dir, [`axios@${version}`]);
    assert.equal(packages["node_modules/axios"]?.version, version);
    assert.equal(packages["node_modules/tokenrelay"]?.version, manifest.version);
  });
}
