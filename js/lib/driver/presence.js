// Presence: each client holds a Web Lock of its own, `<channel>:presence:<tab id>`, so a tab
// that starts can tell from `navigator.locks.query()` whether any other tab is alive, and skip
// the question to the tabs when none is (a one-tab reload then costs one refresh round trip,
// not 100 ms more).
//
// Chrome keeps a page that holds a Web Lock out of the back/forward cache, so the lock is
// released on `pagehide` and taken again on `pageshow`.
import * as locks from "./locks.js";

const prefix = (c) => `${c.cfg.channel}:presence:`;

/** Takes the presence lock now and after every `pageshow`; releases it on `pagehide`. */
export function announce(c) {
  if (!c.cfg.useWebLocks || !locks.available()) return;
  take(c);
  c.listen(window, "pagehide", () => release(c));
  c.listen(window, "pageshow", () => take(c));
}

function take(c) {
  if (c.disposed || c.presence) return;
  c.presence = locks.request(prefix(c) + c.tab, locks.WAIT) ?? null;
}

/** Releases the presence lock (or withdraws the request for it). */
export function release(c) {
  if (c.presence) locks.withdraw(c.presence);
  c.presence = null;
}

/**
 * Whether another tab of this origin may be alive: false only when Web Locks show no presence
 * lock but this tab's (each live client holds or asks for one from its construction on).
 */
export async function othersMayBeAlive(c) {
  if (!c.cfg.useWebLocks) return true;
  const names = await locks.namesInUse();
  if (!names) return true;
  const mine = prefix(c) + c.tab;
  return names.some((name) => name.startsWith(prefix(c)) && name !== mine);
}
