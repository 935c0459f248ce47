import { AuthClient } from "tokenrelay";

// One client for the app, made at module scope: StrictMode and remounts never make a second one.
// A hot update of this file re-runs it (the components that import it accept the update): the
// client made first is kept, so no second client runs beside it (channel, timers, locks).
export const auth = import.meta.hot?.data.auth
  ?? new AuthClient({ apiBase: import.meta.env.VITE_API_BASE || "http://127.0.0.1:8000" });
if (import.meta.hot) import.meta.hot.data.auth = auth;
