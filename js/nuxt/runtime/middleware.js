// Route middleware `auth`: on the client, waits until start() has settled and sends signed-out
// visitors to `loginRoute`. It does nothing on the server (no refresh during SSR). On the first
// page of a visit it lets the server's neutral render hydrate first, then decides.
import { defineNuxtRouteMiddleware, navigateTo, useNuxtApp } from "#app";

const signedIn = (s) => s.status === "signedIn" || (s.status === "refreshing" && s.user !== null);

export default defineNuxtRouteMiddleware(async (to) => {
  if (import.meta.server) return;
  const { $tokenrelay: relay } = useNuxtApp();
  if (to.path === relay.loginRoute) return;
  const login = { path: relay.loginRoute, query: { redirect: to.fullPath } };
  if (relay.hydrated) {
    const hydrated = relay.hydrated;
    relay.hydrated = undefined;
    hydrated.then(async () => {
      await relay.ready;
      if (!signedIn(relay.client.state)) await navigateTo(login, { replace: true });
    });
    return;
  }
  await relay.ready;
  if (!signedIn(relay.client.state)) return navigateTo(login);
});
