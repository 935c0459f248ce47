// tokenrelay/nuxt: a Nuxt module. `modules: ["tokenrelay/nuxt"]` and `tokenrelay: { apiBase,
// loginRoute, ...AuthClient options }` in nuxt.config. A client plugin creates and starts the
// client (on the server an inert one renders the unknown state), `useAuth()` is auto-imported
// from tokenrelay/vue, and the route middleware `auth` guards pages on the client.
import { addImports, addPlugin, addRouteMiddleware, createResolver, defineNuxtModule } from "@nuxt/kit";

export default defineNuxtModule({
  meta: { name: "tokenrelay", configKey: "tokenrelay", compatibility: { nuxt: ">=3.10.0" } },
  defaults: { loginRoute: "/login" },
  setup(options, nuxt) {
    const { resolve } = createResolver(import.meta.url);
    // Public runtime config, so NUXT_PUBLIC_TOKENRELAY_API_BASE can set apiBase at run time.
    const config = nuxt.options.runtimeConfig.public;
    config.tokenrelay = { ...options, ...config.tokenrelay };
    nuxt.options.build.transpile.push(resolve("./nuxt/runtime"));
    // Served as they are in dev: left to Vite's dependency scan, the first page load finds them
    // late, re-optimises and reloads, and a page already running its old chunk breaks.
    const deps = (nuxt.options.vite.optimizeDeps ??= {});
    (deps.exclude ??= []).push("tokenrelay", "tokenrelay/vue");
    addPlugin({ src: resolve("./nuxt/runtime/plugin.client.js"), mode: "client" });
    addPlugin({ src: resolve("./nuxt/runtime/plugin.server.js"), mode: "server" });
    addImports({ name: "useAuth", from: "tokenrelay/vue" });
    addRouteMiddleware({ name: "auth", path: resolve("./nuxt/runtime/middleware.js") });
  },
});
