// A probe page in headless Chromium: a loopback server serves a page whose module script runs,
// writes a JSON result into the DOM, and `chromium --dump-dom` hands it back. No driver needed.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.mjs';

const CHROMIUM = '/usr/bin/chromium';

/** Whether headless Chromium is installed (scripts/setup installs it). */
export const hasChromium = await access(CHROMIUM).then(() => true, () => false);

/**
 * Serves a page on 127.0.0.1 (a free port). Its script, set later with `run(script)`, is a module
 * whose `probe()` (async) returns a JSON-able result. `/echo-cookie` answers the Cookie header the
 * page server received (cookies do not tell ports apart: it sees a backend's cookies on 127.0.0.1).
 * Returns { origin, run(script) -> result, close() }.
 */
export async function startProbePage() {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let script = '';
  const server = createServer((req, res) => {
    if (req.url === '/echo-cookie') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(req.headers.cookie ?? '(none)');
    } else if (req.url === '/app.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(`${script}
probe().then(
  (out) => { document.body.textContent = 'RESULT' + JSON.stringify(out) + 'END'; },
  (e) => { document.body.textContent = 'RESULT' + JSON.stringify({ probeError: String(e) }) + 'END'; },
);`);
    } else {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>probe</title><body>pending</body><script type="module" src="/app.js"></script>');
    }
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');

  async function run(source) {
    script = source;
    const profile = await mkdtemp(join(tmpdir(), 'tokenrelay-chromium-'));
    try {
      const { stdout } = await promisify(execFile)(CHROMIUM, [
        `--user-data-dir=${profile}`, '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
        '--disable-background-networking', '--disable-component-update', '--no-first-run',
        '--disable-sync', '--disable-quic', '--virtual-time-budget=15000', '--dump-dom', `${origin}/`,
      ], { timeout: 60_000 });
      const m = /RESULT(.*)END/s.exec(stdout);
      if (!m) throw new Error(`the page wrote no result:\n${stdout}`);
      // --dump-dom gives HTML: text content has &, <, > escaped.
      return JSON.parse(m[1].replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&'));
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  }
  return { origin, run, close: () => server.close() };
}

/** Page-side helper source: `step(url, init)` -> the status, or the error fetch rejected with. */
export const STEP_SOURCE = `
async function step(url, init) {
  try {
    const res = await fetch(url, { method: 'POST', credentials: 'include', ...init });
    return res.status;
  } catch (e) {
    return e.name + ': ' + e.message;
  }
}
const echoCookie = async () => (await fetch('/echo-cookie')).text();
`;
