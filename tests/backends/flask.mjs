// flask-jwt-extended (PyPI, installed by scripts/backends/setup) for tests: www/backends/flask/app.py
// with the refresh token in an HttpOnly cookie, double-submit CSRF, rotation and reuse detection.
//
//   const fl = await startFlask({ corsOrigin: 'http://127.0.0.1:3000', accessTtl: '3s' });
//   try { ... } finally { await fl.stop(); }
//
// Log in with { username: FLASK_USERNAME, password: FLASK_PASSWORD } at /auth/login.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const python = join(root, 'www/backends/flask/.venv/bin/python');
const app = join(root, 'www/backends/flask/app.py');

/** The one user of the app. */
export const FLASK_USERNAME = 'admin';
/** Its password. */
export const FLASK_PASSWORD = 'tokenrelay-admin-pw';
/** The signing secret of the servers started here. */
export const FLASK_SECRET = 'tokenrelay-test-secret-flask-4b6d8f0a2c4e6a8b0d2f4a6c8e0b2d4f';
/** flask-jwt-extended's cookie names (its defaults). */
export const FLASK_REFRESH_COOKIE = 'refresh_token_cookie';
export const FLASK_CSRF_COOKIE = 'csrf_refresh_token';
export const FLASK_CSRF_HEADER = 'X-CSRF-TOKEN';

const READY_TIMEOUT_MS = 20_000;

// Servers still running when the process ends (a test that threw before stop()) are killed.
const live = new Set();
process.once('exit', () => { for (const child of live) child.kill('SIGKILL'); });
const STOP_TIMEOUT_MS = 5_000;

/** Seconds from a number of seconds or a duration like '5s', '15m', '2h', '7d'. */
function seconds(ttl) {
  if (typeof ttl === 'number') return ttl;
  const m = /^(\d+)([smhd])$/.exec(ttl);
  if (!m) throw new Error(`not a duration: ${ttl}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2]];
}

/**
 * Starts the flask-jwt-extended app on 127.0.0.1 and waits until it answers. `corsOrigin`: the page
 * origin allowed with credentials (CORS off when omitted). `accessTtl`/`refreshTtl`: seconds or
 * '5s'/'15m'/'7d' (defaults 15m and 7d). Returns { url, port, stop(), counters(), expireAccess() };
 * counters() reads the server's own counts (login, refresh, refresh_ok, reuse_detected, logout);
 * expireAccess() makes the app refuse every access token issued so far (401), not the refresh
 * tokens.
 */
export async function startFlask({ port, corsOrigin, accessTtl = '15m', refreshTtl = '7d' } = {}) {
  try {
    await access(python);
  } catch {
    throw new Error('flask-jwt-extended is not installed: run scripts/backends/setup flask');
  }
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(python, [app], {
    env: {
      PATH: process.env.PATH,
      PYTHONUNBUFFERED: '1',
      PORT: String(port),
      CORS_ORIGIN: corsOrigin ?? '',
      ACCESS_TTL_S: String(seconds(accessTtl)),
      REFRESH_TTL_S: String(seconds(refreshTtl)),
      JWT_SECRET: FLASK_SECRET,
      USERNAME: FLASK_USERNAME,
      PASSWORD: FLASK_PASSWORD,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks = [];
  child.stdout.on('data', (b) => chunks.push(b));
  child.stderr.on('data', (b) => chunks.push(b));
  const output = () => Buffer.concat(chunks).toString('utf8');
  let exited = false;
  live.add(child);
  child.once('exit', () => { exited = true; live.delete(child); });

  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await once(child, 'exit').catch(() => {});
    clearTimeout(timer);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`the flask app exited before it was ready:\n${output()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the flask app was not ready within ${READY_TIMEOUT_MS} ms:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const counters = async () => (await fetch(`${url}/counters`)).json();
  const expireAccess = async () => { await fetch(`${url}/__expire-access`, { method: 'POST' }); };
  return { url, port, stop, counters, expireAccess, log: output };
}
