import { NextResponse } from "next/server";
import { tokenrelay } from "./lib/tokenrelay.js";

// Protected pages are refreshed before they render; /api/* goes to the API (same origin for
// the browser, so the refresh cookie and the page share one origin).
export function proxy(request) {
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith("/api/")) return NextResponse.rewrite(new URL(pathname + search, tokenrelay.options.apiBase));
  return tokenrelay.proxy(request);
}

// Next strips its router headers before the proxy runs, so prefetches are left out here (the
// config must be a literal: Next reads it at build time).
export const config = {
  matcher: [
    { source: "/account/:path*",
      missing: [{ type: "header", key: "next-router-prefetch" }, { type: "header", key: "purpose", value: "prefetch" }] },
    "/api/:path*",
  ],
};
