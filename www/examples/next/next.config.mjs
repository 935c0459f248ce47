// The app and its API are one origin to the browser: the auth calls are this app's route
// handlers (app/auth/[action]), and the proxy forwards /api/* to API_BASE.
//
// `EDGE=1` builds the same app for the edge runtime into .next-edge: Next 16 runs
// `middleware.js` on the edge (`proxy.js` on Node only), and the page extensions below make
// that build see middleware.edge.js instead of proxy.js (the app's own files end in .jsx).
const root = import.meta.dirname;
const edge = process.env.EDGE === "1";
export default {
  turbopack: { root },
  outputFileTracingRoot: root,
  ...(edge ? { pageExtensions: ["jsx", "edge.js"], distDir: ".next-edge" } : {}),
};
