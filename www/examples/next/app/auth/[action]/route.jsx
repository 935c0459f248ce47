import { tokenrelay } from "../../../lib/tokenrelay.js";

// POST /auth/login, /auth/refresh, /auth/logout: the browser client's auth calls.
export const POST = tokenrelay.POST;
export const dynamic = "force-dynamic";
