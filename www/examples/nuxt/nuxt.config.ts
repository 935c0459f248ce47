// The API's URL can also be set when the server starts: NUXT_PUBLIC_TOKENRELAY_API_BASE.
export default defineNuxtConfig({
  modules: ["tokenrelay/nuxt"],
  tokenrelay: { apiBase: "http://127.0.0.1:8000", loginRoute: "/login" },
  compatibilityDate: "2025-07-01",
  devtools: { enabled: false },
  telemetry: false,
});
