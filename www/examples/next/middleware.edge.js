import { proxy } from "./proxy.js";

// The same proxy as middleware on the edge runtime (built with EDGE=1, see next.config.mjs).
export const middleware = proxy;

// A literal, as in proxy.js: Next reads it at build time.
export const config = {
  matcher: [
    { source: "/account/:path*",
      missing: [{ type: "header", key: "next-router-prefetch" }, { type: "header", key: "purpose", value: "prefetch" }] },
    "/api/:path*",
  ],
};
