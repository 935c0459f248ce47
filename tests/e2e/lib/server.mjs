// Starts the reference server on free loopback ports and talks to its test hooks.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** Starts `tokenrelay-server`; resolves with its addresses and hook helpers. */
export async function startServer({ accessTtlSecs = 60, reuseGraceSecs = 0, extraArgs = [] } = {}) {
  const bin = process.env.TOKENRELAY_SERVER || path.join(root, "target/debug/tokenrelay-server");
  const args = ["--api-addr", "127.0.0.1:0", "--web-addr", "127.0.0.1:0",
    "--access-ttl-secs", String(accessTtlSecs), "--reuse-grace-secs", String(reuseGraceSecs), ...extraArgs];
  const child = spawn(bin, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const { api, web } = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s: ${stderr}`)), 20000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening api=(\S+) web=(\S+)/);
      if (m) { clearTimeout(timer); resolve({ api: m[1], web: m[2] }); }
    });
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  const hook = async (route, body) => {
    const res = await fetch(api + route, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${route}: HTTP ${res.status}`);
    return res.json();
  };
  return {
    api, web,
    stats: () => hook("/__stats"),
    reset: () => hook("/__reset", {}),
    faults: (f) => hook("/__faults", f),
    expireAccess: () => hook("/__expire-access", {}),
    async stop() { child.kill("SIGTERM"); await exited; },
  };
}
