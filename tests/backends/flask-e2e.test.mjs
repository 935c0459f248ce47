// tokenrelay's package in headless Chromium against flask-jwt-extended (www/backends/flask/app.py)
// with the refresh token in an HttpOnly cookie, the library's double-submit CSRF
// (csrf_refresh_token -> X-CSRF-TOKEN) and a refresh route that rotates and refuses a used
// refresh token (reuse revokes the family). The server's own counters are the judge.
// Skipped without /usr/bin/chromium; needs scripts/backends/setup and scripts/build-pkg.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { launch } from '../e2e/lib/browser.mjs';
import { hasChromium } from './chromium-page.mjs';
import { FLASK_CSRF_COOKIE, FLASK_CSRF_HEADER, FLASK_PASSWORD, FLASK_REFRESH_COOKIE, FLASK_USERNAME, startFlask } from './flask.mjs';
import { countRequests, fireAll, openTabs, raceRefreshes, refreshOutcome, startPages, stateOf, waitStatus } from './pages.mjs';

const skip = !hasChromium && 'no /usr/bin/chromium';
const REQUEST_TIMEOUT_MS = 5000;
const OPTIONS = {
  tokenField: 'access_token',
  csrfHeader: null,
  csrf: { cookie: FLASK_CSRF_COOKIE, header: FLASK_CSRF_HEADER },
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
};
const CREDENTIALS = { username: FLASK_USERNAME, password: FLASK_PASSWORD };
const REFRESH = 'POST /auth/refresh';

const env = { pages: null, fl: null, browser: null, context: null, counts: null, errors: [] };

before(async () => {
  if (skip) return;
  env.pages = await startPages();
  env.browser = await launch();
});
after(async () => {
  await env.browser?.close();
  env.pages?.close();
});
// A server per test: its counters start at 0 and no family revoked by another test lingers.
beforeEach(async () => {
  if (skip) return;
  env.fl = await startFlask({ corsOrigin: env.pages.origin });
  env.pages.setApiBase(env.fl.url);
  env.context = await env.browser.newContext();
  env.counts = countRequests(env.context);
  env.errors = [];
});
afterEach(async () => {
  if (skip) return;
  await env.context.close();
  await env.fl.stop();
  assert.deepEqual(env.errors, [], 'no page error and no wasm panic');
});

const tabs = (n) => openTabs(env.context, env.pages.origin, n, OPTIONS, env.errors);
const login = (page) => page.evaluate((c) => window.auth.login(c).then((s) => s.status), CREDENTIALS);
const start = (page) => page.evaluate(() => window.auth.start().then((s) => s.status));

test('login; a new tab restores from the live tab with 0 requests', { skip }, async () => {
  const [first] = await tabs(1);
  assert.equal(await login(first), 'signedIn');
  const me = await first.evaluate(() => window.auth.fetch('/api/me').then((r) => r.json()));
  assert.equal(me.user, FLASK_USERNAME);
  const [second] = await tabs(1);
  assert.equal(await start(second), 'signedIn');
  assert.equal((await env.fl.counters()).refresh, 0, 'the token came from the first tab');
  assert.equal(env.counts.count(REFRESH), 0);
});

test('5 tabs x 10 calls once the access token is refused (401): 1 refresh with the CSRF cookie, 50 x 200, no reuse', { skip }, async () => {
  const pages = await tabs(5);
  assert.equal(await login(pages[0]), 'signedIn');
  for (const page of pages.slice(1)) assert.equal(await start(page), 'signedIn');
  await env.fl.expireAccess();
  const statuses = await fireAll(pages, 10, '/api/me');
  assert.deepEqual(statuses, Array(50).fill(200));
  const counters = await env.fl.counters();
  assert.equal(counters.refresh_ok, 1, 'one refresh for 5 tabs and 50 calls');
  assert.equal(counters.reuse_detected, 0, 'no refresh token presented twice');
  assert.deepEqual(env.counts.statuses(REFRESH), [200], 'the double-submit header passed');
});

test('logout in one tab signs out every tab; a tab opened later finds no CSRF cookie and settles signed out with 0 requests', { skip }, async () => {
  const pages = await tabs(3);
  assert.equal(await login(pages[0]), 'signedIn');
  for (const page of pages.slice(1)) assert.equal(await start(page), 'signedIn');
  const out = await pages[2].evaluate(() => window.auth.logout());
  assert.equal(out.confirmed, true, 'the server answered 200 (the CSRF header passed)');
  for (const page of pages) await waitStatus(page, 'signedOut');
  assert.equal((await env.fl.counters()).logout, 1);
  for (const page of pages) await page.close();
  const [later] = await tabs(1);
  assert.equal(await start(later), 'signedOut');
  assert.equal((await stateOf(later)).error, null, 'no session: no error');
  assert.equal(env.counts.count(REFRESH), 0, 'nothing sent without the CSRF cookie');
});

test('no refresh cookie (the CSRF one kept): the refresh is answered 401 and the session ends with session_expired 401 within the bound', { skip }, async () => {
  const pages = await tabs(2);
  assert.equal(await login(pages[0]), 'signedIn');
  assert.equal(await start(pages[1]), 'signedIn');
  await env.context.clearCookies({ name: FLASK_REFRESH_COOKIE });
  const t0 = Date.now();
  const outcome = await refreshOutcome(pages[0]);
  const elapsed = Date.now() - t0;
  assert.deepEqual([outcome.code, outcome.status], ['session_expired', 401]);
  const { status, error } = await stateOf(pages[0]);
  assert.equal(status, 'signedOut');
  assert.deepEqual([error.code, error.status], ['session_expired', 401]);
  await waitStatus(pages[1], 'signedOut');
  const other = (await stateOf(pages[1])).error;
  assert.deepEqual([other?.code, other?.status], ['session_expired', 401], 'the other tab ends with the same status');
  assert.deepEqual(env.counts.statuses(REFRESH), [401], 'one request, no second try');
  assert.ok(elapsed < REQUEST_TIMEOUT_MS, `settled in ${elapsed} ms`);
});

test('the CSRF cookie gone from a signed-in tab: a config error naming csrf.cookie, nothing sent', { skip }, async () => {
  const [page] = await tabs(1);
  assert.equal(await login(page), 'signedIn');
  await env.context.clearCookies({ name: FLASK_CSRF_COOKIE });
  const outcome = await refreshOutcome(page);
  assert.equal(outcome.code, 'config');
  assert.match(outcome.message, /csrf\.cookie csrf_refresh_token is not in document\.cookie/);
  const { status, error } = await stateOf(page);
  assert.deepEqual([status, error.code], ['signedOut', 'config']);
  assert.equal(env.counts.count(REFRESH), 0);
});

test('race: 5 refreshes of one cookie at once (no tokenrelay), as the rotating route answers them', { skip }, async (t) => {
  const [page] = await tabs(1);
  assert.equal(await login(page), 'signedIn');
  const race = await raceRefreshes(page, `${env.fl.url}/auth/refresh`, 5,
    { csrfCookie: FLASK_CSRF_COOKIE, csrfHeader: FLASK_CSRF_HEADER });
  const counters = await env.fl.counters();
  t.diagnostic(`flask race: ${JSON.stringify(race)}, counters ${JSON.stringify(counters)}`);
  // One passes, the others present a used token: reuse, the family is revoked, and the
  // winner's new cookie is refused too.
  assert.deepEqual([...race.statuses].sort(), [200, 401, 401, 401, 401]);
  assert.equal(race.after, 401, 'the session is over');
  assert.equal(counters.reuse_detected, 1, 'the first reuse revokes the family; the rest find it revoked');
});
