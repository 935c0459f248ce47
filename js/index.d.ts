// tokenrelay, default entry: the wasm is inlined and loads on first use.
export { AuthClient, isTokenRelayError } from "./lib/types.js";
export type {
  AuthClientOptions, AuthStatus, AuthState, AuthUser, AuthError, TokenRelayError, TokenRelayErrorCode, InitInput,
} from "./lib/types.js";
import type { InitInput } from "./lib/types.js";
/** Loads the wasm now (optional: the first use of a client does it). */
export declare function init(input?: InitInput): Promise<void>;
export default init;
