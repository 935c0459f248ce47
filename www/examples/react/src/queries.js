import { QueryCache, QueryClient } from "@tanstack/react-query";

// One QueryClient for the app, made at module scope like the auth client (a hot update of
// App.jsx does not re-run this module, so the cache is kept). A query that fails reports to the
// cache's onError; one cancelled because its last component unmounted does not.
export const queryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (error, query) => console.error(`query ${query.queryHash} failed: ${error.message}`),
  }),
  // auth.fetch already refreshes a refused token and retries once: no retries on top of it.
  defaultOptions: { queries: { retry: false } },
});
