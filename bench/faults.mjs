// tokenrelay fault suite: every scenario of tests/e2e/lib/faults.mjs once, in headless
// Chromium against the reference server, and one table of figures.
// Usage: node bench/faults.mjs [--smoke] [--only id,id] [--json file] [--markdown]
import { writeFileSync } from "node:fs";
import os from "node:os";
import { launch } from "../tests/e2e/lib/browser.mjs";
import { SCENARIOS, Servers, runScenario, violations, RECOVERY_TARGET_MS } from "../tests/e2e/lib/faults.mjs";

const args = process.argv.slice(2);
const smoke = args.includes("--smoke");
const only = args.includes("--only") ? args[args.indexOf("--only") + 1].split(",") : null;
const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : null;
const markdown = args.includes("--markdown");
const chosen = SCENARIOS.filter((s) => (only ? only.includes(s.id) : !smoke || s.smoke));
if (only && chosen.length !== only.length) {
  console.error(`unknown scenario; known: ${SCENARIOS.map((s) => s.id).join(", ")}`);
  process.exit(2);
}

const started = Date.now();
const servers = new Servers();
const browser = await launch({ bfcache: true });
const rows = [];
const broken = [];
try {
  for (const scenario of chosen) {
    process.stderr.write(`[faults] ${scenario.id} ... `);
    const t = Date.now();
    try {
      const figures = await runScenario(scenario, browser, servers);
      const missed = violations(scenario, figures);
      rows.push({ scenario, figures, missed });
      process.stderr.write(`${missed.length ? "target missed" : "ok"} (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
    } catch (e) {
      broken.push(`${scenario.id}: ${e.message}`);
      rows.push({ scenario, error: e.message });
      process.stderr.write(`broken: ${e.message}\n`);
    }
  }
} finally {
  await browser.close();
  await servers.stopAll();
}

const ms = (x) => (x === null || x === undefined ? "-" : Number.isFinite(x) ? (x < 0 ? "0" : x.toFixed(0)) : "never");
const header = ["scenario", "tabs", "refreshes (bound)", "reuse revocations", "wrong sign-outs", "requests lost",
  "recovery ms", "targets"];
const table = rows.map(({ scenario, figures: f, missed, error }) => (error
  ? [scenario.title, "-", "-", "-", "-", "-", "-", "BROKEN"]
  : [scenario.title + (scenario.graceRequired ? " *" : ""), f.tabs,
    `${f.refreshes} (${scenario.maxRefreshes})`, f.reuse,
    scenario.graceRequired ? `(${f.signOuts})` : f.signOuts, f.lost, ms(f.recoverMs), missed.length ? "MISSED" : "met"]));
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => String(r[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ").trimEnd();
console.log(`\nFault suite: ${rows.length} scenarios, ${os.cpus().length} x ${os.cpus()[0]?.model}, ${new Date().toISOString()}`);
console.log(`targets: 0 reuse revocations, 0 wrong sign-outs, 0 requests lost, refreshes within the bound, recovery < ${RECOVERY_TARGET_MS} ms after the fault ends`);
if (markdown) {
  const md = (cells) => `| ${cells.map((c) => String(c).replace(/\*/g, "\\*")).join(" | ")} |`;
  console.log(`\n${md(header)}\n|${header.map(() => "---").join("|")}|`);
  for (const r of table) console.log(md(r));
} else {
  console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const r of table) console.log(line(r));
}
console.log("\n* the scenario itself requires the server's grace window: revocation and sign-out are its expected outcome");
const notes = rows.filter((r) => r.figures?.note || r.missed?.length || r.error);
if (notes.length) console.log("");
for (const { scenario, figures, missed, error } of notes) {
  const parts = [figures?.note, ...(missed ?? []), error].filter(Boolean);
  console.log(`- ${scenario.id}: ${parts.join("; ")}`);
}
const met = rows.filter((r) => r.missed && !r.missed.length).length;
console.log(`\n${met} of ${rows.length} scenarios meet their targets (${((Date.now() - started) / 1000).toFixed(0)} s)`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(rows.map(({ scenario, ...r }) => ({ id: scenario.id, ...r })),
  (_, v) => (v === Infinity ? "never" : v), 2));
// A scenario that could not run is a broken suite; missed targets are figures, not failures.
if (broken.length) {
  console.error(`\nbroken:\n${broken.join("\n")}`);
  process.exit(1);
}
