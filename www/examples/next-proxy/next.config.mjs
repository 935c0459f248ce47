// The app and its API are one origin to the browser: the auth calls are this app's route
// handlers (app/auth/[action]), and proxy.js forwards /api/* to API_BASE.
const root = import.meta.dirname;
export default { turbopack: { root }, outputFileTracingRoot: root };
