// Creates and starts the browser's client. Until the server-rendered page has hydrated, the
// refs show the unknown state the server rendered, so hydration never mismatches.
import { defineNuxtPlugin, useRuntimeConfig } from "#app";
import { AuthClient } from "tokenrelay";
import { createTokenRelay } from "tokenrelay/vue";
import { clientOptions } from "./options.js";

export default defineNuxtPlugin((nuxtApp) => {
  const { options, loginRoute } = clientOptions(useRuntimeConfig());
  const client = new AuthClient(options);
  const hydrated = nuxtApp.isHydrating
    ? new Promise((resolve) => nuxtApp.hooks.hookOnce("app:suspense:resolve", resolve))
    : undefined;
  const plugin = createTokenRelay({ client, hydration: hydrated });
  nuxtApp.vueApp.use(plugin);
  return { provide: { tokenrelay: { client, ready: plugin.ready, hydrated, loginRoute } } };
});
