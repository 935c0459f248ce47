// Real usage of the default and slim entries. Wrong usages carry @ts-expect-error, so a type
// that became too loose fails the check too.
import init, { AuthClient, isTokenRelayError } from "tokenrelay";
import type { AuthState, AuthStatus, TokenRelayErrorCode, AuthClientOptions } from "tokenrelay";
import initSlim, { AuthClient as SlimClient, init as namedInit } from "tokenrelay/slim";

const options: AuthClientOptions = { apiBase: "http://127.0.0.1:8000", refreshAheadSeconds: 30, useWebLocks: true };
const auth = new AuthClient(options); // module scope, no init()
// The options of backends tokenrelay did not write (README, Backend recipes).
const directus: AuthClientOptions = { apiBase: "https://cms.example", tokenField: "data.access_token",
  csrfHeader: null, refreshBody: { mode: "cookie" }, logoutBody: { mode: "cookie" }, retryOn: [401, 403] };
const flask: AuthClientOptions = { apiBase: "https://api.example", csrf: { cookie: "csrf_refresh_token", header: "X-CSRF-TOKEN" } };
// @ts-expect-error: csrf names both the cookie and the header
const halfCsrf: AuthClientOptions = { apiBase: "https://api.example", csrf: { cookie: "csrf_refresh_token" } };
// @ts-expect-error: retryOn lists statuses
const retryWords: AuthClientOptions = { apiBase: "https://api.example", retryOn: ["401"] };
const refusedStatus: number | undefined = auth.state.error?.status;
console.log(directus, flask, halfCsrf, retryWords, refusedStatus);
const state: AuthState = auth.state;
const status: AuthStatus = state.status;
const expiresAt: number | null = state.expiresAt;
const off: () => void = auth.subscribe((s: AuthState) => console.log(s.user?.sub, s.error?.code));

export async function use(): Promise<void> {
  await init();
  await initSlim(new URL("https://cdn.example/tokenrelay_bg.wasm"));
  await namedInit(await fetch("/tokenrelay_bg.wasm"));
  await initSlim(new Uint8Array(8));
  const slim = new SlimClient({ apiBase: "http://x" });
  const restored: AuthState = await slim.start();
  const response: Response = await auth.fetch("/api/me");
  const posted: Response = await auth.fetch(new URL("http://127.0.0.1:8000/api/echo"), { method: "POST" });
  const token: string = await auth.accessToken();
  try {
    await auth.refresh();
  } catch (e) {
    if (isTokenRelayError(e)) {
      const code: TokenRelayErrorCode = e.code;
      const server: boolean = code === "no_browser";
      console.log(code, server, e.status, e.message);
    }
  }
  off();
  auth.dispose();
  console.log(status, expiresAt, restored, response, posted, token);
}

// @ts-expect-error apiBase is required
new AuthClient({});
// @ts-expect-error options are typed
new AuthClient({ apiBase: "http://x", refreshAheadSeconds: "soon" });
// @ts-expect-error status is a closed set
const wrong: AuthStatus = "loggedIn";
// @ts-expect-error state is read-only
auth.state.status = "signedOut";
console.log(wrong);
