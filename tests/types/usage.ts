// Compiled with `tsc --strict --noEmit` by scripts/test: the generated .d.ts must type real
// usage without `any` leaking into it. Wrong usages are marked with @ts-expect-error, so a
// type that became too loose fails the check too.
import init, { AuthClient, isTokenRelayError } from "../../pkg/tokenrelay.js";
import type { AuthState, AuthStatus, TokenRelayErrorCode, AuthClientOptions } from "../../pkg/tokenrelay.js";

await init();
const options: AuthClientOptions = { apiBase: "http://127.0.0.1:8000", refreshAheadSeconds: 30, useWebLocks: true };
const auth = new AuthClient(options);
const state: AuthState = auth.state;
const status: AuthStatus = state.status;
const expiresAt: number | null = state.expiresAt;
const off: () => void = auth.subscribe((s: AuthState) => console.log(s.user?.sub, s.error?.code));
const restored: AuthState = await auth.start();
const response: Response = await auth.fetch("/api/me");
const posted: Response = await auth.fetch(new URL("http://127.0.0.1:8000/api/echo"), { method: "POST" });
const token: string = await auth.accessToken();
try {
  await auth.refresh();
} catch (e) {
  if (isTokenRelayError(e)) {
    const code: TokenRelayErrorCode = e.code;
    console.log(code, e.status, e.message);
  }
}
off();
auth.dispose();
console.log(status, expiresAt, restored, response, posted, token);

// @ts-expect-error apiBase is required
new AuthClient({});
// @ts-expect-error options are typed
new AuthClient({ apiBase: "http://x", refreshAheadSeconds: "soon" });
// @ts-expect-error status is a closed set
const wrong: AuthStatus = "loggedIn";
// @ts-expect-error state is read-only
auth.state.status = "signedOut";
console.log(wrong);
