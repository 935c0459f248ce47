// Errors made on the JS side of tokenrelay, shaped like the wasm's: an `Error` named
// `TokenRelayError` with a stable `code`.

/** The state of a client before `start()` settles, and of every client outside a browser. */
export const UNKNOWN = Object.freeze({ status: "unknown", user: null, expiresAt: null, error: null });

/** A JS `Error` named `TokenRelayError` with `code`. */
export function tokenRelayError(code, message) {
  const error = new Error(message);
  error.name = "TokenRelayError";
  error.code = code;
  return error;
}

/** Whether `value` is an error thrown by tokenrelay (`name` and a string `code`). */
export function isTokenRelayError(value) {
  return value instanceof Error && value.name === "TokenRelayError" && typeof value.code === "string";
}

/** Whether this code runs in a browser page (not under Node, SSR or a worker). */
export function inBrowser() {
  return typeof window !== "undefined" && typeof document !== "undefined";
}
