// tokenrelay/nuxt's options as nuxt.config writes them.
import tokenrelay from "tokenrelay/nuxt";
import type { ModuleOptions } from "tokenrelay/nuxt";

const options: ModuleOptions = { apiBase: "https://api.example.com", loginRoute: "/login", cooldownMs: 5000 };
// @ts-expect-error options are typed
const wrong: ModuleOptions = { loginRoute: 42 };
console.log(typeof tokenrelay, options, wrong);
