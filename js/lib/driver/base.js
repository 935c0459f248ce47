// The wasm-bindgen glue of the instantiated wasm, shared by every client of the page, and the
// small helpers every part of the driver uses: clocks, errors, the timer.
/** @typedef {import("./index.js").Driver} Client */

/**
 * The glue module (the `core*` functions of a client's handle, `error`), set once the wasm is
 * instantiated.
 * @type {typeof import("../glue.js")}
 */
export let g;

/** Makes `glue` the module every driver part calls. */
export function useGlue(glue) {
  g = glue;
}

/** Epoch milliseconds of the local clock. */
export const now = () => Date.now();

/**
 * Milliseconds of a monotonic clock: for how long something lasted in this tab. Unlike `now`,
 * it never jumps when the system clock is set, so a clock change cannot make a live peer look
 * silent, nor end a wait early.
 */
export const monotonic = () => performance.now();

/** A `TokenRelayError` of `code` (`detail`: the message of config and network errors). */
export const error = (code, detail = "", status = 0) => g.error(code, detail, status);

/**
 * Throws `disposed` once the client `c` was disposed.
 * @param {Client} c
 */
export function checkAlive(c) {
  if (c.disposed) throw error("disposed");
}

/** The `message` of a thrown value, or the value itself when it is a string. */
export function messageOf(e) {
  if (e !== null && e !== undefined && typeof e.message === "string") return e.message;
  return typeof e === "string" ? e : "unknown error";
}

/** A `network` error carrying the thrown value's message. */
export const network = (e) => error("network", messageOf(e));

/** A promise and the function that resolves it. */
export function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

/** `setTimeout` with its delay clamped to what timers accept. */
export const later = (ms, run) => setTimeout(run, Math.min(Math.max(ms, 0), 2 ** 31 - 1));
