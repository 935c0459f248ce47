"use client";
import { AuthClient } from "tokenrelay";

// One client for the app, made at module scope; inert while Next renders on the server. In
// `next dev`, an edit of this file re-runs it (Fast Refresh): the client made first is kept, so
// no second client runs beside it (channel, timers, locks).
const kept = process.env.NODE_ENV === "production" ? undefined : globalThis.tokenRelayAuth;
export const auth = kept
  ?? new AuthClient({ apiBase: process.env.NEXT_PUBLIC_API_BASE || "http://127.0.0.1:8000" });
if (process.env.NODE_ENV !== "production") globalThis.tokenRelayAuth = auth;
