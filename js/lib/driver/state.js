// What every part of the driver shares about one client: state changes and their events,
// waiting for news from other tabs, and single flights.
/** @typedef {import("./index.js").Driver} Client */
import { checkAlive, deferred, monotonic, now, settledWithin } from "./base.js";

/**
 * After a session change of the core: when `changed`, tells the driver (`c.onChange`: the
 * refresh timer is re-armed), wakes the waiting tasks and notifies the listeners once.
 * @param {Client} c
 */
export function changed(c, didChange) {
  if (!didChange) return;
  c.onChange();
  wakeWaiters(c);
  const state = c.core.state();
  for (const { listener } of [...c.listeners]) {
    try {
      listener(state);
    } catch (e) {
      console.error("tokenrelay: a state listener threw", e);
    }
  }
}

/**
 * Whether a token is held that is still valid now.
 * @param {Client} c
 */
export const holdsValidToken = (c) => c.core.valid(now());

/**
 * Wakes every task waiting for news from other tabs (they re-check their condition).
 * @param {Client} c
 */
export function wakeWaiters(c) {
  const waiters = c.waiters;
  c.waiters = [];
  for (const resolve of waiters) resolve();
  c.onNews();
}

/**
 * A promise that resolves at the next news from other tabs, state change or dispose.
 * @param {Client} c
 */
export function news(c) {
  const { promise, resolve } = deferred();
  c.waiters.push(resolve);
  return promise;
}

/**
 * Waits until `done()` holds, re-checking whenever news arrives, for at most `ms`. Resolves with
 * the final value of `done()`.
 * @param {Client} c
 */
export async function waitUntil(c, ms, done) {
  const deadline = monotonic() + ms;
  for (;;) {
    if (done()) return true;
    const left = deadline - monotonic();
    if (left <= 0 || c.disposed) return false;
    await settledWithin(news(c), left);
  }
}

/**
 * Joins the task held in `c[slot]`, or starts `task()` there; the slot is cleared when the task
 * ends. Every caller gets the task's outcome.
 * @param {Client} c
 */
export function join(c, slot, task) {
  let flight = c[slot];
  if (!flight) {
    flight = c[slot] = task().finally(() => {
      if (c[slot] === flight) c[slot] = null;
    });
  }
  return flight;
}

/**
 * `promise`, or `disposed` when the client was disposed by the time it resolves.
 * @param {Client} c
 */
export function alive(c, promise) {
  return promise.then((value) => {
    checkAlive(c);
    return value;
  });
}
