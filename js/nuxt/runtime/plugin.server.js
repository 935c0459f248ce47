// On the server the session cannot be seen (the refresh cookie belongs to the API's origin):
// an inert client renders the unknown state and makes no request.
import { defineNuxtPlugin, useRuntimeConfig } from "#app";
import { AuthClient } from "tokenrelay";
import { createTokenRelay } from "tokenrelay/vue";
import { clientOptions } from "./options.js";

export default defineNuxtPlugin((nuxtApp) => {
  const { options, loginRoute } = clientOptions(useRuntimeConfig());
  const client = new AuthClient(options);
  const plugin = createTokenRelay({ client });
  nuxtApp.vueApp.use(plugin);
  return { provide: { tokenrelay: { client, ready: plugin.ready, hydrated: undefined, loginRoute } } };
});
