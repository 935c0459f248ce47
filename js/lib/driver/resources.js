// What keeps a client running: its channel, page listeners, timers and presence lock. Kept
// apart from the client, so that `dispose()` releases it, and so does the garbage collector for
// a client nobody disposed: every callback of the browser holds the client weakly.
/** @typedef {import("./index.js").Driver} Client */
import { g } from "./base.js";
import { withdraw } from "./locks.js";

/** Releases the resources of collected clients, and frees their machine in the wasm. */
const collected = typeof FinalizationRegistry === "function"
  ? new FinalizationRegistry((res) => {
    releaseAll(res);
    g.coreFree(res.core);
  })
  : undefined;

/**
 * The resources of the client `c`, released by `release(c)` or once `c` is collected:
 * `channel` (BroadcastChannel), `unlisten` (removers of page listeners), `timer` (the machine's
 * one timer), `presence` (the presence lock request); and `core`, the handle of its machine,
 * freed only once `c` is collected (a disposed client still answers `state`).
 * @param {Client} c
 */
export function own(c) {
  /** @type {{ channel: BroadcastChannel | null, unlisten: (() => void)[], timer: any, presence: any, core: number }} */
  const res = { channel: null, unlisten: [], timer: undefined, presence: null, core: c.core };
  collected?.register(c, res, res);
  return res;
}

/**
 * A weak reference to `c` (a strong one where WeakRef is missing).
 * @template {object} T
 * @param {T} c
 * @returns {{ deref(): T | undefined }}
 */
export const weakRef = (c) => (typeof WeakRef === "function" ? new WeakRef(c) : { deref: () => c });

/**
 * A callback that runs `handle(c, ...args)` while the client lives and is not disposed.
 * @param {Client} c
 */
export function weakly(c, handle) {
  const { ref } = c;
  return (...args) => {
    const client = ref.deref();
    if (client && !client.disposed) handle(client, ...args);
  };
}

/**
 * Listens for `event` on `target` with `handle(c, event)` until the client is released.
 * @param {Client} c
 */
export function listen(c, target, event, handle) {
  const listener = weakly(c, handle);
  target.addEventListener(event, listener);
  c.res.unlisten.push(() => target.removeEventListener(event, listener));
}

/**
 * Releases the resources of the client `c` now (dispose).
 * @param {Client} c
 */
export function release(c) {
  releaseAll(c.res); // again when collected: every step is idempotent
}

function releaseAll(res) {
  res.channel?.close();
  res.channel = null;
  clearTimeout(res.timer);
  if (res.presence) withdraw(res.presence);
  res.presence = null;
  for (const unlisten of res.unlisten.splice(0)) unlisten();
}
