// What a real browser does with each backend's CORS and cookies: a page on 127.0.0.1:<port> calls
// the backend on another port (same site, another origin) with credentials: 'include', in headless
// Chromium. Skipped when /usr/bin/chromium is missing (scripts/setup installs it).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hasChromium, startProbePage, STEP_SOURCE } from './chromium-page.mjs';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startDirectus } from './directus.mjs';
import { FLASK_PASSWORD, FLASK_USERNAME, startFlask } from './flask.mjs';

const skip = !hasChromium && 'no /usr/bin/chromium';
const hide = (cookie) => cookie.replace(/=([^;]+)/g, (_, v) => `=(${v.length} chars)`);

describe('Directus seen from a page in Chromium', { skip }, () => {
  let page;
  let dx;
  before(async () => {
    page = await startProbePage();
    dx = await startDirectus({ corsOrigin: page.origin });
  });
  after(async () => {
    page?.close();
    await dx?.stop();
  });

  test('default CORS refuses X-Requested-With and X-CSRF-TOKEN; logout leaves an empty cookie that refresh answers with 400', async (t) => {
    const out = await page.run(`${STEP_SOURCE}
const api = ${JSON.stringify(dx.url)};
const json = { 'Content-Type': 'application/json' };
const login = JSON.stringify({ email: ${JSON.stringify(ADMIN_EMAIL)}, password: ${JSON.stringify(ADMIN_PASSWORD)}, mode: 'cookie' });
const cookieMode = '{"mode":"cookie"}';
const hide = ${hide.toString()};
async function probe() {
  const out = {};
  out.loginWithXRequestedWith = await step(api + '/auth/login', { headers: { ...json, 'X-Requested-With': 'tokenrelay' }, body: login });
  out.loginWithXCsrfToken = await step(api + '/auth/login', { headers: { ...json, 'X-CSRF-TOKEN': 'x' }, body: login });
  out.login = await step(api + '/auth/login', { headers: json, body: login });
  out.cookieVisibleToJs = document.cookie;
  out.refresh = await step(api + '/auth/refresh', { headers: json, body: cookieMode });
  out.cookieBeforeLogout = hide(await echoCookie());
  out.logout = await step(api + '/auth/logout', { headers: json, body: cookieMode });
  out.cookieAfterLogout = await echoCookie();
  out.refreshAfterLogout = await step(api + '/auth/refresh', { headers: json, body: cookieMode });
  out.refreshNoBodyAfterLogout = await step(api + '/auth/refresh', {});
  return out;
}`);
    t.diagnostic(JSON.stringify(out));
    // The preflight answers 204 but lists only Content-Type,Authorization: the browser rejects.
    assert.equal(out.loginWithXRequestedWith, 'TypeError: Failed to fetch');
    assert.equal(out.loginWithXCsrfToken, 'TypeError: Failed to fetch');
    assert.equal(out.login, 200);
    assert.equal(out.cookieVisibleToJs, '', 'the refresh cookie is HttpOnly');
    assert.equal(out.refresh, 200, 'the cookie flows to another port of the same host (same site)');
    assert.equal(out.cookieBeforeLogout, 'directus_refresh_token=(64 chars)');
    assert.equal(out.logout, 204);
    assert.equal(out.cookieAfterLogout, 'directus_refresh_token=', 'logout leaves an empty cookie (for 7 days)');
    assert.equal(out.refreshAfterLogout, 400, 'the empty cookie reads as no cookie');
    assert.equal(out.refreshNoBodyAfterLogout, 400);
  });
});

describe('flask-jwt-extended seen from a page in Chromium', { skip }, () => {
  let page;
  let fl;
  before(async () => {
    page = await startProbePage();
    fl = await startFlask({ corsOrigin: page.origin });
  });
  after(async () => {
    page?.close();
    await fl?.stop();
  });

  test('the page reads csrf_refresh_token and sends it as X-CSRF-TOKEN; X-Requested-With is refused by CORS', async (t) => {
    const out = await page.run(`${STEP_SOURCE}
const api = ${JSON.stringify(fl.url)};
const json = { 'Content-Type': 'application/json' };
const login = JSON.stringify({ username: ${JSON.stringify(FLASK_USERNAME)}, password: ${JSON.stringify(FLASK_PASSWORD)} });
const csrf = () => (document.cookie.match(/(?:^|; )csrf_refresh_token=([^;]*)/) || [])[1];
const hide = ${hide.toString()};
async function probe() {
  const out = {};
  out.loginWithXRequestedWith = await step(api + '/auth/login', { headers: { ...json, 'X-Requested-With': 'tokenrelay' }, body: login });
  out.login = await step(api + '/auth/login', { headers: json, body: login });
  out.cookieVisibleToJs = hide(document.cookie);
  out.refreshWithoutCsrf = await step(api + '/auth/refresh', {});
  out.refresh = await step(api + '/auth/refresh', { headers: { 'X-CSRF-TOKEN': csrf() } });
  out.cookieAtPathSlash = hide(await echoCookie());
  out.logout = await step(api + '/auth/logout', { headers: { 'X-CSRF-TOKEN': csrf() } });
  out.cookieVisibleAfterLogout = document.cookie;
  out.refreshAfterLogout = await step(api + '/auth/refresh', { headers: { 'X-CSRF-TOKEN': 'none' } });
  return out;
}`);
    t.diagnostic(JSON.stringify(out));
    assert.equal(out.loginWithXRequestedWith, 'TypeError: Failed to fetch');
    assert.equal(out.login, 200);
    assert.equal(out.cookieVisibleToJs, 'csrf_refresh_token=(36 chars)', 'only the CSRF cookie is readable');
    assert.equal(out.refreshWithoutCsrf, 401);
    assert.equal(out.refresh, 200);
    assert.equal(out.cookieAtPathSlash, 'csrf_refresh_token=(36 chars)', 'the refresh cookie (Path=/auth) is not sent to /');
    assert.equal(out.logout, 200);
    assert.equal(out.cookieVisibleAfterLogout, '', 'logout deletes the cookies');
    assert.equal(out.refreshAfterLogout, 401);
  });
});
