// The default entry: the wasm is inlined (gzipped, base64 in a JS module) and loaded by a dynamic
// import() on first use, so no bundler or dev server has to find a `.wasm` file.
import { defineEntry } from "./lib/client.js";

export { isTokenRelayError } from "./lib/errors.js";

const entry = /* #__PURE__ */ defineEntry(() => import("./lib/inline.js").then((m) => m.wasmResponse()));

/** Loads the wasm now (optional: the first use of a client does it). */
export const init = entry.init;
export default init;
/** A login session against one API. */
export const AuthClient = entry.AuthClient;
