import { AuthClient } from "tokenrelay";

// One client for the app, made at module scope (StrictMode and HMR never make a second one).
export const auth = new AuthClient({ apiBase: import.meta.env.VITE_API_BASE || "http://127.0.0.1:8000" });
