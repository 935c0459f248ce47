// The reference server's answer to a race (the README's recipe states it): 5 refreshes of one
// refresh cookie sent at once, without tokenrelay's single flight, then one more with the cookie
// a browser would keep (the last one set). Plain fetch from node with a hand-kept cookie jar.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../e2e/lib/server.mjs';
import { parseSetCookie } from './cookies.mjs';

const CSRF = { 'X-Requested-With': 'tokenrelay' };

async function race(reuseGraceSecs) {
  const server = await startServer({ reuseGraceSecs });
  try {
    const login = await fetch(`${server.api}/auth/login`, {
      method: 'POST', headers: { ...CSRF, 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'demo@example.com', password: 'demo' }),
    });
    assert.equal(login.status, 200);
    const cookieOf = (res) => res.headers.getSetCookie().map(parseSetCookie).find((c) => c.name === 'refreshToken');
    const first = cookieOf(login).value;
    const refresh = (value) => fetch(`${server.api}/auth/refresh`, { method: 'POST', headers: { ...CSRF, Cookie: `refreshToken=${value}` } });
    const answers = await Promise.all(Array.from({ length: 5 }, () => refresh(first)));
    const statuses = answers.map((r) => r.status);
    const kept = answers.map(cookieOf).filter(Boolean).at(-1); // the last Set-Cookie wins
    const after = kept ? (await refresh(kept.value)).status : null;
    return { statuses, after, stats: await server.stats() };
  } finally {
    await server.stop();
  }
}

test('reference server, no grace window: one 200, four 401 refresh_reuse, and the family is revoked', async (t) => {
  const out = await race(0);
  t.diagnostic(JSON.stringify(out));
  assert.deepEqual([...out.statuses].sort(), [200, 401, 401, 401, 401]);
  assert.equal(out.after, 401, 'the winner\'s cookie is revoked with its family');
});

test('reference server, 5 s grace window: all five get the same successor, the session lives', async (t) => {
  const out = await race(5);
  t.diagnostic(JSON.stringify(out));
  assert.deepEqual(out.statuses, [200, 200, 200, 200, 200]);
  assert.equal(out.after, 200);
});
