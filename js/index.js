// The default entry (documented in index.d.ts): the wasm is inlined in lib/inline.js, loaded by
// import() on first use, so no bundler or dev server has to find a `.wasm` file.
import { defineEntry } from "./lib/client.js";
export { isTokenRelayError } from "./lib/client.js";
const entry = /* #__PURE__ */ defineEntry(() => import("./lib/inline.js").then((m) => m.wasmResponse()));
export const init = entry.init;
export default init;
export const AuthClient = entry.AuthClient;
