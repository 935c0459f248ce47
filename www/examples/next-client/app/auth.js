"use client";
import { AuthClient } from "tokenrelay";

// One client for the app, made at module scope; inert while Next renders on the server.
export const auth = new AuthClient({ apiBase: process.env.NEXT_PUBLIC_API_BASE || "http://127.0.0.1:8000" });
