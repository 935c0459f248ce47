import { createNextAuth } from "tokenrelay/next";

// The API as this server reaches it (read when the server starts).
export const tokenrelay = createNextAuth({ apiBase: process.env.API_BASE || "http://127.0.0.1:8000" });
