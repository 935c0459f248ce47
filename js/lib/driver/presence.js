// Presence: each client holds a Web Lock of its own, `<channel>:presence:<tab id>`, so a tab
// that starts can tell from `navigator.locks.query()` whether any other tab is alive, and skip
// the question to the tabs when none is (a one-tab reload then costs one refresh round trip,
// not 100 ms more).
//
// Chrome keeps a page that holds a Web Lock out of the back/forward cache, so the lock is
// released on `pagehide` and taken again on `pageshow`.
/** @typedef {import("./index.js").Driver} Client */
import * as locks from "./locks.js";
import { listen } from "./resources.js";

/** @param {Client} c */
const prefix = (c) => `${c.cfg.channel}:presence:`;

/**
 * Takes the presence lock now and after every `pageshow`; releases it on `pagehide`.
 * @param {Client} c
 */
export function announce(c) {
  if (!c.cfg.useWebLocks || !locks.available()) return;
  take(c);
  listen(c, window, "pagehide", leave);
  listen(c, window, "pageshow", take);
}

/** @param {Client} c */
function take(c) {
  if (c.disposed || c.res.presence) return;
  c.res.presence = locks.request(prefix(c) + c.tab, locks.WAIT) ?? null;
}

/**
 * Releases the presence lock (or withdraws the request for it).
 * @param {Client} c
 */
function leave(c) {
  if (c.res.presence) locks.withdraw(c.res.presence);
  c.res.presence = null;
}

/**
 * Whether another tab of this origin may be alive: false only when Web Locks show no presence
 * lock but this tab's (each live client holds or asks for one from its construction on).
 * @param {Client} c
 */
export async function othersMayBeAlive(c) {
  if (!c.cfg.useWebLocks) return true;
  const names = await locks.namesInUse();
  if (!names) return true;
  const mine = prefix(c) + c.tab;
  return names.some((name) => name.startsWith(prefix(c)) && name !== mine);
}
