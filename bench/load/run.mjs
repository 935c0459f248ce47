// The reference server under load: N refresh families rotating at once for S seconds on
// loopback, driven by wrk (bench/load/refresh.lua explains why wrk and how each family
// rotates for real). Prints latency, errors and the rotation checks; exits 1 when a check of
// correctness fails (never for a timing figure).
//
//   node bench/load/run.mjs [--families 1000] [--seconds 10] [--replay K] [--smoke]
//
// --replay K plants K thefts: the first K families' tokens are handed to a second connection
// too, so two clients hold the same token. The server must detect exactly K reuses (one per
// planted copy: the loser revokes the family, later presentations are refusals), and the
// other families must rotate untouched. It shows that the detector the checks rely on is
// live under load, not only that it stays at zero.
//
// TOKENRELAY_SERVER names the server binary (scripts/load passes the release build).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

function options(argv) {
  const o = { families: 1000, seconds: 10, replay: 0, smoke: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--smoke") Object.assign(o, { smoke: true, families: 50, seconds: 1 });
    else if (a === "--families") o.families = Number(argv[++i]);
    else if (a === "--seconds") o.seconds = Number(argv[++i]);
    else if (a === "--replay") o.replay = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  // Bounded: at most 10,000 families and 60 s.
  if (!(o.families >= 2 && o.families <= 10000)) throw new Error("--families: 2..10000");
  if (!(o.seconds >= 1 && o.seconds <= 60)) throw new Error("--seconds: 1..60");
  if (!(Number.isInteger(o.replay) && o.replay >= 0 && o.replay <= o.families)) {
    throw new Error("--replay: 0..families");
  }
  return o;
}

/** Starts the server on free loopback ports; resolves with its API base URL. */
function startServer(bin) {
  const child = spawn(bin, ["--api-addr", "127.0.0.1:0", "--web-addr", "127.0.0.1:0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("server did not start in 10 s")), 10000);
    child.on("exit", (code) => reject(new Error(`server exited (${code})`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/listening api=(\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return { child, ready };
}

/** Runs wrk; resolves with its stdout. Killed if it outlives the run by 30 s. */
function runWrk(args, env, limitMs) {
  return new Promise((resolve, reject) => {
    const child = spawn("wrk", args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      code === 0 ? resolve(out) : reject(new Error(`wrk exited (${code}):\n${out}`));
    });
  });
}

/** CPU seconds (user + system) a process has used so far (Linux; clock ticks of 100 Hz). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Peak resident memory of a process, in MB (Linux). */
function peakRssMb(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmHWM:\s+(\d+) kB/);
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

async function main() {
  const o = options(process.argv.slice(2));
  const bin = process.env.TOKENRELAY_SERVER ?? join(root, "target", "release", "tokenrelay-server");
  const threads = Math.max(1, Math.min(2, cpus().length));
  // wrk gives each thread connections / threads; each thread's pool must match its share.
  const connections = o.families + o.replay;
  if (connections % threads) throw new Error(`families + replay must be a multiple of ${threads}`);
  const dir = mkdtempSync(join(tmpdir(), "tokenrelay-load-"));
  const server = startServer(bin);
  try {
    const api = await server.ready;
    const seeded = await fetch(`${api}/__seed-families`, {
      method: "POST",
      body: JSON.stringify({ count: o.families }),
    });
    if (!seeded.ok) throw new Error(`seeding: ${seeded.status}`);
    const tokensFile = join(dir, "tokens.txt");
    const load = loadavg()[0];
    const cpuBefore = cpuSeconds(server.child.pid);
    const tokens = (await seeded.text()).trim().split("\n");
    writeFileSync(tokensFile, [...tokens, ...tokens.slice(0, o.replay)].join("\n") + "\n");
    // One connection per token: every family has a refresh in flight all the time.
    const out = await runWrk(
      ["-t", String(threads), "-c", String(connections), "-d", `${o.seconds}s`, "--timeout", "5s",
        "-s", join(here, "refresh.lua"), `${api}/auth/refresh`],
      { TOKENRELAY_LOAD_TOKENS: tokensFile, TOKENRELAY_LOAD_THREADS: String(threads) },
      (o.seconds + 30) * 1000,
    );
    const line = out.split("\n").find((l) => l.startsWith("TOKENRELAY_LOAD "));
    if (!line) throw new Error(`no figures from wrk:\n${out}`);
    const w = JSON.parse(line.slice("TOKENRELAY_LOAD ".length));
    const serverCores = (cpuSeconds(server.child.pid) - cpuBefore) / (w.durationUs / 1e6);
    const stats = await (await fetch(`${api}/__stats`)).json();
    report(o, threads, w, stats, { rssMb: peakRssMb(server.child.pid), load, serverCores });
  } finally {
    server.child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(o, threads, w, s, { rssMb, load, serverCores }) {
  const ms = (us) => (us / 1000).toFixed(1);
  const socketErrors = w.connectErrors + w.readErrors + w.writeErrors + w.timeouts;
  const errors = socketErrors + w.statusErrors;
  const inFlight = s.refreshRotated - w.ok;
  const rows = [
    ["families (one connection each)", o.families],
    ...(o.replay ? [["planted copies (second connection, same token)", o.replay]] : []),
    ["duration", `${(w.durationUs / 1e6).toFixed(1)} s (wrk ${threads} threads)`],
    ["refreshes answered", w.requests],
    ["throughput", `${Math.round(w.requests / (w.durationUs / 1e6))} /s`],
    ["latency p50", `${ms(w.p50Us)} ms`],
    ["latency p90", `${ms(w.p90Us)} ms`],
    ["latency p99", `${ms(w.p99Us)} ms`],
    ["latency max", `${ms(w.maxUs)} ms`],
    ["errors (socket, timeout, non-2xx)", errors],
    ["server rotations (refreshRotated)", s.refreshRotated],
    ["  of which unanswered at stop", inFlight],
    ["tokens with two successors (refreshSecondSuccessor)", s.refreshSecondSuccessor],
    ["successors received twice (client side)", w.duplicates],
    ["reuse detected (refreshReuse)", s.refreshReuse],
    ["refused (refreshRejected)", s.refreshRejected],
    ["requests without a token (pool dry)", w.starved],
    ["server CPU during the run", `${serverCores.toFixed(2)} cores, ${Math.round((serverCores * w.durationUs) / w.requests)} us per refresh`],
    ["server peak RSS", rssMb == null ? "?" : `${rssMb} MB`],
    ["machine load before the run (1 min)", `${load.toFixed(1)} on ${cpus().length} cores`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const mode = o.smoke ? " (smoke)" : o.replay ? ` (${o.replay} planted thefts)` : "";
  console.log(`\nload: ${o.families} refresh families for ${o.seconds} s on loopback${mode}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  const common = [
    [w.seeded === o.families + o.replay, "every seeded token was loaded"],
    [s.refreshSecondSuccessor === 0, "no token got two successors"],
    [w.duplicates === 0, "no successor received twice"],
    [inFlight >= 0 && inFlight <= o.families, "every answered refresh was one server rotation"],
  ];
  const checks = o.replay
    ? [
        [socketErrors === 0, "no socket errors"],
        [s.refreshReuse === o.replay, `exactly ${o.replay} reuses detected`],
        [w.ok > 0, "the other families kept rotating"],
      ]
    : [
        [errors === 0, "errors"],
        [w.starved === 0, "no request without a token"],
        [s.refreshReuse === 0 && s.refreshRejected === 0, "no reuse, no refusal"],
        [w.ok === w.requests, "every answer was a rotation"],
      ];
  const failures = [...common, ...checks].filter(([ok]) => !ok);
  for (const [, what] of failures) console.log(`FAILED: ${what}`);
  if (failures.length) process.exitCode = 1;
  else if (o.replay) console.log(`  checks: ${o.replay} planted thefts, ${o.replay} reuses detected, no token with two successors`);
  else console.log("  checks: 0 errors, every answer a rotation, no token with two successors");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
