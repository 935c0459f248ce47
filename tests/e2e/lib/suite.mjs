// The common frame of an end-to-end test file: one reference server and one browser for the
// file, a fresh browser context and reset server counters for each test, and no page error
// or wasm panic allowed.
import { before, after, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./server.mjs";
import { launch } from "./browser.mjs";

/** Registers the hooks; the returned object holds `server`, `browser`, `context`, `errors`. */
export function suite(serverOptions = {}, browserOptions = {}) {
  const env = { server: null, browser: null, context: null, errors: [] };
  before(async () => {
    env.server = await startServer(serverOptions);
    env.browser = await launch(browserOptions);
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  freshContextPerTest(env);
  return env;
}

/**
 * Gives each test reset server counters and a fresh browser context of `env.browser`, and
 * fails it on any error `env.errors` collected (page errors, wasm panics, and what else the
 * file's pages report: `expected` names it in the message).
 */
export function freshContextPerTest(env, expected = "no page error and no wasm panic") {
  beforeEach(async () => {
    await env.server.reset();
    env.context = await env.browser.newContext();
    env.errors = [];
  });
  afterEach(async () => {
    await env.context.close();
    assert.deepEqual(env.errors, [], expected);
  });
}
