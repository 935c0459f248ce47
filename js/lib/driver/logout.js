// The durable-logout marker: `<channel>:logoutPending` in the origin's localStorage, holding
// only the logout's session epoch (about the time it was asked), never a token; where storage is unusable, this page's
// memory. The machine sets it, clears it and reads it (logout.rs).
/** @typedef {import("./index.js").Driver} Client */

/** @param {Client} c */
const key = (c) => `${c.cfg.channel}:logoutPending`;
/** @param {Client} c */
const epochKey = (c) => `${c.cfg.channel}:epoch`;

/** The origin's localStorage, or undefined where the page may not use it. */
function storage() {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined; // storage disabled: the marker lives in this page only
  }
}

/**
 * The marker (by any tab of the origin): when the pending logout was asked (epoch ms), or
 * undefined when none is pending.
 * @param {Client} c
 */
export function logoutMarker(c) {
  const store = storage();
  if (store) {
    try {
      const value = store.getItem(key(c));
      return value === null ? undefined : Number(value) || 0;
    } catch {
      // unreadable: this page's own memory decides
    }
  }
  return c.logoutPending;
}

/**
 * The session epoch stored by the latest login or logout of the origin (epoch ms), if any.
 * @param {Client} c
 */
export function storedEpoch(c) {
  try {
    const value = storage()?.getItem(epochKey(c));
    return value == null ? c.epoch : Number(value) || undefined;
  } catch {
    return c.epoch;
  }
}

/**
 * Stores the session epoch `at` (epoch ms).
 * @param {Client} c
 * @param {number} at
 */
export function saveEpoch(c, at) {
  c.epoch = at;
  try {
    storage()?.setItem(epochKey(c), String(at));
  } catch {
    // quota or policy: this page's memory keeps it
  }
}

/**
 * Sets the marker to the logout's session epoch `at` (epoch ms), or clears it (`undefined`).
 * @param {Client} c
 * @param {number | undefined} at
 */
export function mark(c, at) {
  c.logoutPending = at;
  try {
    const store = storage();
    if (at !== undefined) store?.setItem(key(c), String(at));
    else store?.removeItem(key(c));
  } catch {
    // quota or policy: this page's memory keeps it
  }
}
