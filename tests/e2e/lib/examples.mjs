// Serving an example app for the example tests: a static server for a production build (port
// 0), a dev server started on a free port, commands run to completion, and the reference
// server started with the app's origin allowed.
import http from "node:http";
import net from "node:net";
import { spawn } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { before, after } from "node:test";
import { startServer } from "./server.mjs";
import { launch } from "./browser.mjs";
import { prepareConsumer } from "./pack.mjs";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml", ".ico": "image/x-icon" };

/** Serves `dir` on a free loopback port; paths without a file get index.html (an SPA). */
export async function staticServer(dir) {
  const server = http.createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = path.join(dir, path.normalize(pathname));
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    try {
      if ((await stat(file)).isDirectory()) file = path.join(file, "index.html");
    } catch {
      if (path.extname(pathname)) { res.writeHead(404).end(); return; }
      file = path.join(dir, "index.html");
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((r) => server.close(r)) };
}

/** A port that was free a moment ago, for servers that cannot report the port they bound. */
export async function freePort() {
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The reference server with `origin` (the app's) allowed for CORS. */
export function apiFor(origin) {
  return startServer({ extraArgs: ["--allow-origin", origin] });
}

/**
 * An app server beside its own reference server: a free port, the API started with that
 * port's origin allowed, then `launch({ api, port, origin })` (which resolves with the app's
 * server). Resolves with `{ origin, api, server }`; the API is stopped if the app fails.
 */
export async function appWithApi(launch) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const api = await apiFor(origin);
  try {
    return { origin, api, server: await launch({ api, port, origin }) };
  } catch (e) {
    await api.stop();
    throw e;
  }
}

/**
 * The frame of a suite on an example served by its own server: before the tests, the
 * example's dependencies (`prepareConsumer`), the app and API that `start()` gives (as
 * `appWithApi` does) and a browser, all in `env`; after them, everything stopped.
 */
export function exampleStack(env, dir, start) {
  let stack = null;
  before(async () => {
    prepareConsumer(dir);
    stack = await start();
    Object.assign(env, { origin: stack.origin, server: stack.api });
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await stack?.server.stop();
    await stack?.api.stop();
  });
}

/**
 * Runs `check` with `env` pointed at `stack` (`{ origin, api, server }`, as `appWithApi`
 * gives), then puts `env` back and stops the stack.
 */
export async function withStack(env, stack, check) {
  const saved = { origin: env.origin, server: env.server };
  try {
    Object.assign(env, { origin: stack.origin, server: stack.api });
    await check();
  } finally {
    Object.assign(env, saved);
    await stack.server.stop();
    await stack.api.stop();
  }
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(command, args, { cwd, env = {} }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { out += d; });
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")}: exit ${code}\n${out}`))));
  });
}

/**
 * Starts a long-running server command and waits until `url` answers; `stop()` ends its
 * process group.
 */
export async function serve(command, args, { cwd, env = {}, url, timeoutMs = 120000 }) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout.on("data", (d) => { out += d; });
  child.stderr.on("data", (d) => { out += d; });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const signal = (name) => {
    try { process.kill(-child.pid, name); } catch { /* already gone */ }
  };
  /** SIGTERM to the group, SIGKILL if it has not exited after 5 s. */
  const stop = async () => {
    signal("SIGTERM");
    const kill = setTimeout(() => signal("SIGKILL"), 5000);
    await exited;
    clearTimeout(kill);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} exited ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10000) });
      if (res.status < 500) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { await stop(); throw new Error(`${url} did not answer in ${timeoutMs} ms:\n${out}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { output: () => out, stop };
}
