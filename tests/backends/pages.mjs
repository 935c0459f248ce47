// The built package (pkg/) in real pages against a third-party backend: a loopback server for the
// harness page (www/harness.html: window.tr, window.apiBase) and pkg/, and helpers that drive
// clients in several tabs of one browser context and count what the tabs sent.
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.map': 'application/json' };

/**
 * Serves the harness on 127.0.0.1 (a free port): `/harness.html` and `/harness.js` from www/,
 * `/pkg/*` from pkg/ (scripts/build-pkg), `/config.json` with the `apiBase` set later by
 * `setApiBase`. Returns { origin, setApiBase(url), close() }.
 */
export async function startPages() {
  const port = await freePort();
  let apiBase = '';
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/config.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ apiBase }));
      return;
    }
    const file = path.startsWith('/pkg/') ? join(root, normalize(path)) : join(root, 'www', normalize(path));
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { origin: `http://127.0.0.1:${port}`, setApiBase: (url) => { apiBase = url; }, close: () => server.close() };
}

/**
 * Counts the requests the pages of `context` send, by method and path (`POST /auth/refresh`),
 * and the statuses of their answers, from the browser's side. Returns { count(key),
 * statuses(key) }.
 */
export function countRequests(context) {
  const counts = new Map();
  const answers = new Map();
  const keyOf = (req) => `${req.method()} ${new URL(req.url()).pathname}`;
  context.on('request', (req) => {
    const key = keyOf(req);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  context.on('response', (res) => {
    const key = keyOf(res.request());
    answers.set(key, [...(answers.get(key) ?? []), res.status()]);
  });
  return { count: (key) => counts.get(key) ?? 0, statuses: (key) => answers.get(key) ?? [] };
}

/** What `auth.refresh()` in `page` came to: null, or the error's { code, status, message }. */
export const refreshOutcome = (page) => page.evaluate(() => window.auth.refresh().then(() => null,
  (e) => ({ code: e.code, status: e.status, message: e.message })));

/** `page`'s state: { status, error }. */
export const stateOf = (page) => page.evaluate(() => ({ status: window.auth.state.status, error: window.auth.state.error }));

/** Opens `n` tabs of `context` on the harness with a client made with `options`. */
export async function openTabs(context, origin, n, options, errors) {
  const { openHarness, makeClient } = await import('../e2e/lib/browser.mjs');
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await openHarness(context, origin, errors);
    await makeClient(page, options);
    pages.push(page);
  }
  return pages;
}

/** Resolves once `page`'s client is in `status` (the condition, not a delay). */
export const waitStatus = (page, status, timeout = 20_000) =>
  page.waitForFunction((s) => window.auth.state.status === s, status, { timeout });

/** Every tab fires `perTab` calls of `auth.fetch(path)` at once; their statuses, flat. */
export async function fireAll(pages, perTab, path) {
  const each = await Promise.all(pages.map((page) => page.evaluate(([n, p]) =>
    Promise.all(Array.from({ length: n }, () => window.auth.fetch(p).then((r) => r.status))), [perTab, path])));
  return each.flat();
}

/**
 * `n` refreshes of the page's one cookie sent at once by plain fetch (no tokenrelay: what the
 * server does on a race), then one more: { statuses, after }.
 */
export async function raceRefreshes(page, url, n, init) {
  return page.evaluate(async ([u, count, extra]) => {
    const send = () => {
      const headers = { ...extra.headers };
      if (extra.csrfCookie) {
        const m = document.cookie.match(new RegExp(`(?:^|; )${extra.csrfCookie}=([^;]*)`));
        headers[extra.csrfHeader] = m ? decodeURIComponent(m[1]) : '';
      }
      return fetch(u, { method: 'POST', credentials: 'include', headers, body: extra.body })
        .then((r) => r.status, (e) => String(e));
    };
    const statuses = await Promise.all(Array.from({ length: count }, send));
    return { statuses, after: await send() };
  }, [url, n, init]);
}
