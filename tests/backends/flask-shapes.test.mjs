// What flask-jwt-extended answers (www/backends/flask/app.py: refresh cookie, double-submit CSRF,
// rotation with reuse detection), call by call: the facts behind www/backends/README.md. Plain
// fetch from node, cookies kept by hand; each assertion is an observed answer of
// Flask-JWT-Extended 4.7.4 (run scripts/backends/setup first).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { parseSetCookie } from './cookies.mjs';
import {
  FLASK_CSRF_COOKIE as CSRF_COOKIE,
  FLASK_CSRF_HEADER as CSRF_HEADER,
  FLASK_PASSWORD,
  FLASK_REFRESH_COOKIE as REFRESH_COOKIE,
  FLASK_USERNAME,
  startFlask,
} from './flask.mjs';

const PAGE_ORIGIN = 'http://127.0.0.1:3000';
const ACCESS_TTL_S = 3;
const REFRESH_TTL_S = 7 * 24 * 3600;

describe('flask-jwt-extended answers (refresh cookie + double-submit CSRF)', () => {
  let fl;
  before(async () => {
    fl = await startFlask({ corsOrigin: PAGE_ORIGIN, accessTtl: ACCESS_TTL_S, refreshTtl: REFRESH_TTL_S });
  });
  after(async () => {
    await fl?.stop();
  });

  /** A request as the page sends it; `session` = { refresh, csrf } values sent as the browser would. */
  async function call(path, { method = 'POST', body, session, csrf, token, headers = {} } = {}) {
    const h = { Origin: PAGE_ORIGIN, ...headers };
    if (session) h.Cookie = `${REFRESH_COOKIE}=${session.refresh}; ${CSRF_COOKIE}=${session.csrf}`;
    if (csrf !== undefined) h[CSRF_HEADER] = csrf;
    if (token !== undefined) h.Authorization = `Bearer ${token}`;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const res = await fetch(`${fl.url}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    const cookies = Object.fromEntries(res.headers.getSetCookie().map(parseSetCookie).map((c) => [c.name, c]));
    return { status: res.status, headers: res.headers, cookies, text, json };
  }

  const sessionOf = (res) => ({ refresh: res.cookies[REFRESH_COOKIE].value, csrf: res.cookies[CSRF_COOKIE].value });

  async function login() {
    const res = await call('/auth/login', { body: { username: FLASK_USERNAME, password: FLASK_PASSWORD } });
    assert.equal(res.status, 200, res.text);
    return { res, token: res.json.access_token, session: sessionOf(res) };
  }

  /** A refresh as tokenrelay will send it: the cookie, and the CSRF cookie's value in the header. */
  const refresh = (session) => call('/auth/refresh', { session, csrf: session.csrf });

  test('login: a top-level access_token; an HttpOnly refresh cookie on /auth and a readable CSRF cookie on /', async (t) => {
    const { res } = await login();
    assert.deepEqual(Object.keys(res.json), ['access_token']);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(Object.keys(res.cookies).sort(), [CSRF_COOKIE, REFRESH_COOKIE]);
    const r = res.cookies[REFRESH_COOKIE];
    assert.match(r.value, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/, 'the refresh token is a JWT too');
    assert.deepEqual(r.attrs, { expires: r.attrs.expires, 'max-age': String(REFRESH_TTL_S), httponly: true, path: '/auth', samesite: 'Lax' });
    const c = res.cookies[CSRF_COOKIE];
    assert.match(c.value, /^[0-9a-f-]{36}$/, 'a UUID, also inside the refresh JWT as its csrf claim');
    assert.deepEqual(c.attrs, { expires: c.attrs.expires, 'max-age': String(REFRESH_TTL_S), path: '/', samesite: 'Lax' });
    const claims = JSON.parse(Buffer.from(r.value.split('.')[1], 'base64url').toString());
    assert.equal(claims.csrf, c.value);
    t.diagnostic(`login 200 {"access_token":"<jwt>"}; Set-Cookie: ${REFRESH_COOKIE}=<jwt>; ${Object.keys(r.attrs).join('; ')} and ${CSRF_COOKIE}=<uuid>; ${Object.keys(c.attrs).join('; ')}`);
  });

  test('wrong password: 401', async () => {
    const res = await call('/auth/login', { body: { username: FLASK_USERNAME, password: 'wrong' } });
    assert.equal(res.status, 401);
    assert.deepEqual(res.cookies, {});
  });

  test('refresh without the CSRF header, or with another value: 401, whatever the cookie', async (t) => {
    const { session } = await login();
    const none = await call('/auth/refresh', { session });
    assert.equal(none.status, 401);
    assert.deepEqual(none.json, { msg: 'Missing CSRF token' });
    const wrong = await call('/auth/refresh', { session, csrf: 'not-the-cookie' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.json, { msg: 'CSRF double submit tokens do not match' });
    // Neither used the refresh token up: it still refreshes.
    assert.equal((await refresh(session)).status, 200);
    t.diagnostic('no X-CSRF-TOKEN: 401 {"msg":"Missing CSRF token"}; wrong: 401 {"msg":"CSRF double submit tokens do not match"}');
  });

  test('refresh: 200, both cookies rotated; the old refresh cookie again is 401 and revokes the family', async (t) => {
    const { session: first } = await login();
    const res = await refresh(first);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.json), ['access_token']);
    const second = sessionOf(res);
    assert.notEqual(second.refresh, first.refresh);
    assert.notEqual(second.csrf, first.csrf, 'the CSRF value changes with each refresh token');

    const replay = await refresh(first);
    assert.equal(replay.status, 401);
    assert.deepEqual(replay.json, { msg: 'Token has been revoked' });
    const after = await refresh(second);
    assert.equal(after.status, 401, 'reuse detection: the rotated token is revoked with its family');
    const me = await call('/api/me', { method: 'GET', token: res.json.access_token });
    assert.equal(me.status, 401, 'and so are the family\'s access tokens');
    assert.deepEqual(me.json, { msg: 'Token has been revoked' });
    assert.equal((await fl.counters()).reuse_detected >= 1, true);
    t.diagnostic(`old refresh cookie again: ${replay.status} ${replay.text.trim()}; then the new one: ${after.status}`);
  });

  test('refresh with no cookie: 401 Missing cookie', async (t) => {
    const res = await call('/auth/refresh', { csrf: 'x' });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json, { msg: `Missing cookie "${REFRESH_COOKIE}"` });
    t.diagnostic(`no cookie: ${res.status} ${res.text.trim()}`);
  });

  test('logout: 200 and every cookie expired (Expires 1970); then the cookie is revoked', async (t) => {
    const { session, token } = await login();
    const noCsrf = await call('/auth/logout', { session });
    assert.equal(noCsrf.status, 401, 'logout with the cookie needs the CSRF header too');
    const res = await call('/auth/logout', { session, csrf: session.csrf });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { msg: 'logged out' });
    for (const name of [REFRESH_COOKIE, CSRF_COOKIE, 'access_token_cookie', 'csrf_access_token']) {
      const c = res.cookies[name];
      assert.equal(c.value, '', name);
      assert.equal(c.attrs.expires, 'Thu, 01 Jan 1970 00:00:00 GMT', name);
      assert.equal(c.attrs['max-age'], undefined, name);
    }
    assert.equal(res.cookies[REFRESH_COOKIE].attrs.path, '/auth', 'cleared on the path it was set on');
    t.diagnostic(`logout 200 Set-Cookie: ${res.headers.getSetCookie().join(' | ')}`);

    assert.equal((await refresh(session)).status, 401, 'refresh with the logged-out cookie');
    const me = await call('/api/me', { method: 'GET', token });
    assert.equal(me.status, 401, 'the family\'s access token is revoked at once');
    const again = await call('/auth/logout', { session, csrf: session.csrf });
    assert.equal(again.status, 401, 'logout with a revoked cookie');
    const none = await call('/auth/logout');
    assert.equal(none.status, 200, 'logout with no cookie (optional JWT) clears the cookies anyway');
  });

  test('access: none 401, expired 401 "Token has expired", another secret 422 (not 401/403), for refresh too', async (t) => {
    const { token } = await login();
    const me = await call('/api/me', { method: 'GET', token });
    assert.equal(me.status, 200);
    assert.deepEqual(me.json, { user: FLASK_USERNAME });
    const none = await call('/api/me', { method: 'GET' });
    assert.equal(none.status, 401);
    assert.deepEqual(none.json, { msg: 'Missing Authorization Header' });
    const [header, payload] = token.split('.');
    const signature = createHmac('sha256', 'the-secret-before-a-rotation').update(`${header}.${payload}`).digest('base64url');
    const foreign = await call('/api/me', { method: 'GET', token: `${header}.${payload}.${signature}` });
    assert.equal(foreign.status, 422);
    assert.deepEqual(foreign.json, { msg: 'Signature verification failed' });
    const garbage = await call('/api/me', { method: 'GET', token: 'not-a-jwt' });
    assert.equal(garbage.status, 422);
    // The refresh cookie of a server whose secret has changed: 422 as well.
    const { session } = await login();
    const [rh, rp] = session.refresh.split('.');
    const rs = createHmac('sha256', 'the-secret-before-a-rotation').update(`${rh}.${rp}`).digest('base64url');
    const oldRefresh = await refresh({ refresh: `${rh}.${rp}.${rs}`, csrf: session.csrf });
    assert.equal(oldRefresh.status, 422);
    assert.deepEqual(oldRefresh.json, { msg: 'Signature verification failed' });

    const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString());
    await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 100));
    const expired = await call('/api/me', { method: 'GET', token });
    assert.equal(expired.status, 401);
    assert.deepEqual(expired.json, { msg: 'Token has expired' });
    t.diagnostic(`expired: 401 ${expired.text.trim()}; other secret: 422 ${foreign.text.trim()}`);
  });

  test('CORS (flask-cors with an allow list): the preflight echoes only the allowed headers asked for', async () => {
    for (const [asked, allowed] of [
      ['content-type', 'content-type'],
      ['content-type,x-csrf-token', 'content-type, x-csrf-token'],
      ['content-type,x-requested-with', 'content-type'],
    ]) {
      const res = await call('/auth/refresh', {
        method: 'OPTIONS',
        headers: { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': asked },
      });
      assert.equal(res.status, 200, asked);
      assert.equal(res.headers.get('access-control-allow-headers'), allowed, asked);
      assert.equal(res.headers.get('access-control-allow-origin'), PAGE_ORIGIN);
      assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    }
    const other = await fetch(`${fl.url}/auth/refresh`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(other.headers.get('access-control-allow-origin'), null, 'another origin gets no CORS headers');
  });

  test('concurrent refreshes of one cookie: one 200, the rest 401, and the reuse revokes the winner too', async (t) => {
    const { session } = await login();
    const answers = await Promise.all(Array.from({ length: 5 }, () => refresh(session)));
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 1, String(statuses));
    assert.equal(statuses.filter((s) => s === 401).length, 4, String(statuses));
    const winner = answers.find((r) => r.status === 200);
    const next = await refresh(sessionOf(winner));
    assert.equal(next.status, 401, 'the session is over: no grace window');
    t.diagnostic(`5 concurrent refreshes: ${statuses.join(' ')}; the winner's new cookie then: ${next.status}`);
  });
});
