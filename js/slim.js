// The slim entry: the same API, with the wasm as a separate, cacheable file. By default it is
// fetched from beside this module; `init(input)` takes a URL, a Response or the bytes instead.
import { defineEntry } from "./lib/client.js";

export { isTokenRelayError } from "./lib/errors.js";

const entry = /* #__PURE__ */ defineEntry(() => new URL("./tokenrelay_bg.wasm", import.meta.url));

/** Loads the wasm now, from `input` or from beside this module. Call it before first use. */
export const init = entry.init;
export default init;
/** A login session against one API. */
export const AuthClient = entry.AuthClient;
