// What a real Directus answers, call by call, as tokenrelay will meet it: the facts behind
// www/backends/README.md. Plain fetch from node with a hand-kept cookie jar; each assertion is an
// observed answer of Directus 12.4.0 (run scripts/backends/setup first).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { parseSetCookie } from './cookies.mjs';
import { ADMIN_EMAIL, ADMIN_PASSWORD, REFRESH_COOKIE, startDirectus } from './directus.mjs';

const PAGE_ORIGIN = 'http://127.0.0.1:3000';
const ACCESS_TTL_S = 3;
const COOKIE_BODY = { mode: 'cookie' };

/** The refresh cookie an answer sets, or undefined. */
function refreshCookieOf(res) {
  return res.setCookies.map(parseSetCookie).find((c) => c.name === REFRESH_COOKIE);
}

function errorCode(res) {
  return res.json?.errors?.[0]?.extensions?.code;
}

describe('Directus 12 answers (cookie mode)', () => {
  let dx;
  before(async () => {
    dx = await startDirectus({ corsOrigin: PAGE_ORIGIN, accessTtl: `${ACCESS_TTL_S}s`, refreshTtl: '7d' });
  });
  after(async () => {
    await dx?.stop();
  });

  /** A request as the page would send it (Origin set); `cookie` is the refresh cookie's value. */
  async function call(path, { method = 'POST', body, cookie, token, headers = {} } = {}) {
    const h = { Origin: PAGE_ORIGIN, ...headers };
    if (cookie !== undefined) h.Cookie = `${REFRESH_COOKIE}=${cookie}`;
    if (token !== undefined) h.Authorization = `Bearer ${token}`;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const res = await fetch(`${dx.url}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, setCookies: res.headers.getSetCookie(), text, json };
  }

  async function login() {
    const res = await call('/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, mode: 'cookie' } });
    assert.equal(res.status, 200, res.text);
    return { res, token: res.json.data.access_token, cookie: refreshCookieOf(res).value };
  }

  test('login in cookie mode: the token nested in data, the refresh token in an HttpOnly cookie only', async (t) => {
    const { res } = await login();
    assert.deepEqual(Object.keys(res.json).sort(), ['data']);
    assert.deepEqual(Object.keys(res.json.data).sort(), ['access_token', 'expires']);
    assert.match(res.json.data.access_token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(res.json.data.expires, ACCESS_TTL_S * 1000, 'expires is the access TTL in ms');
    assert.equal(res.headers.get('access-control-allow-origin'), PAGE_ORIGIN);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(res.setCookies.length, 1);
    const c = refreshCookieOf(res);
    assert.match(c.value, /^[\w-]{64}$/, 'an opaque 64-character token, not a JWT');
    assert.deepEqual(c.attrs, {
      'max-age': String(7 * 24 * 3600), // REFRESH_TOKEN_TTL
      path: '/',
      expires: c.attrs.expires,
      httponly: true,
      samesite: 'Lax', // REFRESH_TOKEN_COOKIE_SAME_SITE; no Secure unless REFRESH_TOKEN_COOKIE_SECURE
    });
    t.diagnostic(`login 200 ${JSON.stringify({ data: { expires: res.json.data.expires, access_token: '<jwt>' } })}`);
    t.diagnostic(`Set-Cookie: ${res.setCookies[0].replace(c.value, '<64 chars>')}`);
  });

  test('login without mode is json mode: the refresh token in the body, no cookie', async () => {
    const res = await call('/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.json.data).sort(), ['access_token', 'expires', 'refresh_token']);
    assert.deepEqual(res.setCookies, []);
  });

  test('wrong password: 401 INVALID_CREDENTIALS', async () => {
    const res = await call('/auth/login', { body: { email: ADMIN_EMAIL, password: 'wrong', mode: 'cookie' } });
    assert.equal(res.status, 401);
    assert.equal(errorCode(res), 'INVALID_CREDENTIALS');
    assert.deepEqual(res.setCookies, []);
  });

  test('refresh with the cookie: 200, same shape, a rotated cookie; the old one is then refused with 401', async (t) => {
    const { cookie: first } = await login();
    const res = await call('/auth/refresh', { body: COOKIE_BODY, cookie: first });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.json.data).sort(), ['access_token', 'expires']);
    const rotated = refreshCookieOf(res);
    assert.notEqual(rotated.value, first);
    assert.equal(rotated.attrs['max-age'], String(7 * 24 * 3600), 'each rotation sets the full TTL again');

    const replay = await call('/auth/refresh', { body: COOKIE_BODY, cookie: first });
    assert.equal(replay.status, 401);
    assert.equal(errorCode(replay), 'INVALID_CREDENTIALS');
    assert.deepEqual(replay.setCookies, [], 'a refused refresh leaves the cookie as it is');

    // No reuse detection: presenting the old cookie does not end the session.
    const next = await call('/auth/refresh', { body: COOKIE_BODY, cookie: rotated.value });
    assert.equal(next.status, 200);
    t.diagnostic(`old cookie again: ${replay.status} ${replay.text}; the rotated cookie still works afterwards`);
  });

  test('refresh needs no body: with none, or {}, the mode defaults to cookie', async () => {
    const { cookie } = await login();
    const noBody = await call('/auth/refresh', { cookie });
    assert.equal(noBody.status, 200);
    const empty = await call('/auth/refresh', { body: {}, cookie: refreshCookieOf(noBody).value });
    assert.equal(empty.status, 200);
    assert.ok(refreshCookieOf(empty));
  });

  test('refresh with no cookie, or an empty one: 400 INVALID_PAYLOAD', async (t) => {
    for (const [what, opts] of [
      ['no cookie', { body: COOKIE_BODY }],
      ['no cookie, no body', {}],
      ['empty cookie (what logout leaves)', { body: COOKIE_BODY, cookie: '' }],
    ]) {
      const res = await call('/auth/refresh', opts);
      assert.equal(res.status, 400, what);
      assert.equal(errorCode(res), 'INVALID_PAYLOAD', what);
      assert.deepEqual(res.setCookies, [], what);
      t.diagnostic(`${what}: ${res.status} ${res.text}`);
    }
  });

  test('logout: 204, the cookie emptied but kept for the refresh TTL (not deleted); then refresh is 401', async (t) => {
    const { cookie, token } = await login();
    const res = await call('/auth/logout', { body: COOKIE_BODY, cookie });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    const cleared = refreshCookieOf(res);
    assert.equal(cleared.value, '');
    assert.equal(cleared.attrs['max-age'], String(7 * 24 * 3600), 'Max-Age is the refresh TTL, not 0');
    assert.ok(Date.parse(cleared.attrs.expires) > Date.now() + 6 * 24 * 3600 * 1000, 'Expires is in the future');
    t.diagnostic(`logout 204 Set-Cookie: ${res.setCookies[0]}`);

    const refresh = await call('/auth/refresh', { body: COOKIE_BODY, cookie });
    assert.equal(refresh.status, 401, 'the old cookie after logout');
    assert.equal(errorCode(refresh), 'INVALID_CREDENTIALS');

    const again = await call('/auth/logout', { body: COOKIE_BODY, cookie });
    assert.equal(again.status, 204, 'logout with a dead cookie still answers 204');
    const none = await call('/auth/logout', { body: COOKIE_BODY });
    assert.equal(none.status, 400, 'logout with no cookie');
    assert.equal(errorCode(none), 'INVALID_PAYLOAD');

    // The access token is a stateless JWT: logout does not revoke it before it expires.
    const me = await call('/users/me?fields=id', { method: 'GET', token });
    assert.equal(me.status, 200);
  });

  test('access: no token 401 INVALID_CREDENTIALS, expired 401 TOKEN_EXPIRED, another secret 403 INVALID_TOKEN', async (t) => {
    const { token } = await login();
    const me = await call('/users/me?fields=email', { method: 'GET', token });
    assert.equal(me.status, 200);
    assert.deepEqual(me.json, { data: { email: ADMIN_EMAIL } });

    const none = await call('/users/me', { method: 'GET' });
    assert.equal(none.status, 401);
    assert.equal(errorCode(none), 'INVALID_CREDENTIALS');

    const notJwt = await call('/users/me', { method: 'GET', token: 'not-a-jwt' });
    assert.equal(notJwt.status, 401, 'a non-JWT bearer is looked up as a static token');
    assert.equal(errorCode(notJwt), 'INVALID_CREDENTIALS');

    // What the server sees after its SECRET changed: the same claims signed with another key.
    const [header, payload] = token.split('.');
    const signature = createHmac('sha256', 'the-secret-before-a-rotation').update(`${header}.${payload}`).digest('base64url');
    const foreign = `${header}.${payload}.${signature}`;
    const bad = await call('/users/me', { method: 'GET', token: foreign });
    assert.equal(bad.status, 403);
    assert.equal(errorCode(bad), 'INVALID_TOKEN');

    const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString());
    await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 100));
    const expired = await call('/users/me', { method: 'GET', token });
    assert.equal(expired.status, 401);
    assert.equal(errorCode(expired), 'TOKEN_EXPIRED');
    const badExpired = await call('/users/me', { method: 'GET', token: foreign });
    assert.equal(badExpired.status, 403, 'the signature is checked before the expiry');
    t.diagnostic(`expired: ${expired.status} ${expired.text}`);
    t.diagnostic(`other secret: ${bad.status} ${bad.text}`);
  });

  test('CORS: a fixed Allow-Headers list of Content-Type,Authorization, whatever the page asks for', async (t) => {
    for (const asked of ['content-type', 'content-type,x-requested-with', 'x-csrf-token']) {
      const res = await call('/auth/refresh', {
        method: 'OPTIONS',
        headers: { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': asked },
      });
      assert.equal(res.status, 204, asked);
      assert.equal(res.headers.get('access-control-allow-headers'), 'Content-Type,Authorization', asked);
      assert.equal(res.headers.get('access-control-allow-origin'), PAGE_ORIGIN);
      assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(res.headers.get('access-control-allow-methods'), 'GET,POST,PATCH,DELETE');
    }
    // So a browser refuses a call with X-Requested-With or X-CSRF-Token (the preflight is 204, but
    // the header is not in the list): fetch rejects with a TypeError, nothing reaches the server.
    const other = await fetch(`${dx.url}/auth/refresh`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(other.headers.get('access-control-allow-origin'), PAGE_ORIGIN, 'one fixed origin, not echoed');
    t.diagnostic('preflight: 204, Access-Control-Allow-Headers: Content-Type,Authorization (CORS_ALLOWED_HEADERS)');
  });

  test('concurrent refreshes of one cookie: some 200, the rest 401, and only one 200 carries a live cookie', async (t) => {
    const { cookie } = await login();
    const answers = await Promise.all(Array.from({ length: 5 }, () => call('/auth/refresh', { body: COOKIE_BODY, cookie })));
    const statuses = answers.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 200 || s === 401), String(statuses));
    const ok = answers.filter((r) => r.status === 200);
    assert.ok(ok.length >= 1, String(statuses));
    let live = 0;
    for (const r of ok) {
      const again = await call('/auth/refresh', { body: COOKIE_BODY, cookie: refreshCookieOf(r).value });
      if (again.status === 200) live += 1;
      else assert.equal(again.status, 401);
    }
    assert.equal(live, 1, 'the rotation is an UPDATE ... WHERE token = old: one winner');
    t.diagnostic(`5 concurrent refreshes: ${statuses.join(' ')}; live cookies among the 200s: ${live} of ${ok.length}`);
  });
});
