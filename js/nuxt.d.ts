// tokenrelay/nuxt: the Nuxt module (`modules: ["tokenrelay/nuxt"]`).
import type { AuthClientOptions } from "./lib/types.js";

/** `tokenrelay` in nuxt.config: every AuthClient option, and the login page's path. */
export interface ModuleOptions extends Partial<AuthClientOptions> {
  /** Where the `auth` middleware sends signed-out visitors. Default "/login". */
  loginRoute?: string;
}

/** The module (a Nuxt module function, as `defineNuxtModule` makes it). */
declare const tokenrelay: {
  (inlineOptions: ModuleOptions, nuxt: unknown): unknown;
  getOptions?: (inlineOptions?: ModuleOptions, nuxt?: unknown) => Promise<ModuleOptions>;
  getMeta?: () => Promise<{ name?: string; configKey?: string }>;
};
export default tokenrelay;
