// tokenrelay, slim entry: the wasm is the separate file tokenrelay_bg.wasm beside this module.
export { AuthClient, isTokenRelayError } from "./lib/types.js";
export type {
  AuthClientOptions, AuthStatus, AuthState, AuthUser, AuthError, TokenRelayError, TokenRelayErrorCode, InitInput,
} from "./lib/types.js";
import type { InitInput } from "./lib/types.js";
/** Loads the wasm now, from `input` or from beside this module; call it before first use. */
export declare function init(input?: InitInput): Promise<void>;
export default init;
