"use client";
import { AuthClient } from "tokenrelay";

// One client at module scope; its auth calls go to this app's own origin (app/auth/[action]).
export const auth = new AuthClient({ apiBase: typeof window === "undefined" ? "http://localhost" : window.location.origin });
