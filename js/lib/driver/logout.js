// The durable-logout marker: `<channel>:logoutPending` in the origin's localStorage, holding
// only the time a logout was asked, never a token; where storage is unusable, this page's
// memory. The machine sets it, clears it and reads it (logout.rs).
/** @typedef {import("./index.js").Driver} Client */
import { now } from "./base.js";

/** @param {Client} c */
const key = (c) => `${c.cfg.channel}:logoutPending`;

/** The origin's localStorage, or undefined where the page may not use it. */
function storage() {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined; // storage disabled: the marker lives in this page only
  }
}

/**
 * Whether the marker is set (by any tab of the origin).
 * @param {Client} c
 */
export function logoutPending(c) {
  const store = storage();
  if (store) {
    try {
      return store.getItem(key(c)) !== null;
    } catch {
      // unreadable: this page's own memory decides
    }
  }
  return c.logoutPending;
}

/**
 * Sets (`pending`) or clears the marker.
 * @param {Client} c
 * @param {boolean} pending
 */
export function mark(c, pending) {
  c.logoutPending = pending;
  try {
    const store = storage();
    if (pending) store?.setItem(key(c), String(now()));
    else store?.removeItem(key(c));
  } catch {
    // quota or policy: this page's memory keeps it
  }
}
