// The slim entry (documented in slim.d.ts): the wasm is the file tokenrelay_bg.wasm beside it.
import { defineEntry } from "./lib/client.js";
export { isTokenRelayError } from "./lib/client.js";
const entry = /* #__PURE__ */ defineEntry(() => new URL("./tokenrelay_bg.wasm", import.meta.url));
export const init = entry.init;
export default init;
export const AuthClient = entry.AuthClient;
