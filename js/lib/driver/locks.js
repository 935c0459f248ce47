// Web Locks (`navigator.locks`), feature-detected: insecure contexts lack them.
/** @typedef {import("./index.js").Driver} Client */
import { deferred } from "./base.js";

/** Ask for the lock and wait until it is free. */
export const WAIT = 0;
/** Take the lock only if it is free right now. */
export const IF_AVAILABLE = 1;
/** Take the lock from a holder known to be stale (its lock is released at once). */
export const STEAL = 2;

function manager() {
  const locks = globalThis.navigator?.locks;
  return locks !== null && typeof locks === "object" ? locks : undefined;
}

/** Whether Web Locks are available here. */
export const available = () => manager() !== undefined;

/**
 * The names of the locks held or asked for in this origin; `undefined` where Web Locks are
 * unavailable or the query failed.
 */
export async function namesInUse() {
  const locks = manager();
  if (!locks) return undefined;
  try {
    const { held, pending } = await locks.query();
    return [...held, ...pending].map((lock) => lock.name).filter((name) => typeof name === "string");
  } catch {
    return undefined;
  }
}

/**
 * Asks for the exclusive lock `name` (`mode`: WAIT, IF_AVAILABLE or STEAL). Returns the pending
 * request: `granted` resolves with whether the lock was granted (false: held elsewhere for
 * IF_AVAILABLE, aborted, or stolen), `settled` says whether that is known yet. `undefined`
 * where Web Locks are unavailable.
 */
export function request(name, mode) {
  const locks = manager();
  if (!locks) return undefined;
  const hold = deferred();
  const grant = deferred();
  const controller = mode === WAIT ? new AbortController() : undefined;
  /** @type {LockOptions} */
  const options = { mode: "exclusive" };
  if (controller) options.signal = controller.signal;
  else options[mode === STEAL ? "steal" : "ifAvailable"] = true;
  /** @type {{ granted: Promise<boolean>, settled: boolean, release: () => void, controller: any, lost?: () => void }} */
  const pending = { granted: grant.promise, settled: false, release: hold.resolve, controller };
  const done = locks.request(name, options, (lock) => {
    pending.settled = true;
    grant.resolve(lock !== null);
    return hold.promise;
  });
  // `done` settles when the lock is released, or rejects when the request is aborted or the
  // lock stolen; before a grant that means "not granted".
  const refused = () => {
    pending.settled = true;
    grant.resolve(false);
  };
  // After a grant, a rejection means the lock was stolen (released locks resolve).
  done.then(refused, () => {
    if (pending.settled) pending.lost?.();
    refused();
  });
  return pending;
}

/**
 * The locks held in this origin, `{ name, clientId }` each (none where Web Locks are
 * unavailable or the query failed).
 * @returns {Promise<{ name?: string, clientId?: string }[]>}
 */
export async function held() {
  try {
    return (await manager()?.query())?.held ?? [];
  } catch {
    return [];
  }
}

/**
 * Withdraws a request: aborts a wait and releases a grant (now, or when it arrives later), so
 * an abandoned wait never holds the lock.
 */
export function withdraw(pending) {
  pending.controller?.abort();
  pending.release();
}
