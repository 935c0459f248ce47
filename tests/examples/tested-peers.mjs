// The versions of each peer dependency the tests run, by package name: the oldest and the
// newest of each. The peer ranges of scripts/package-json.mjs start at the oldest of each
// (tests/examples/peers.test.mjs checks it); README names the same versions. The examples pin
// the newest in their lockfiles; the oldest are installed into copies of the examples
// (OLDEST_RUNS, tests/examples/oldest-peers.test.mjs).
export const TESTED = {
  react: ["18.3.1", "19.3.1"], // 19: www/examples/react, next, next-client; 18: OLDEST_RUNS
  vue: ["3.3.13", "3.5.45"], // 3.5: www/examples/vue, nuxt; 3.3: OLDEST_RUNS
  // www/examples/nuxt only: a bare Nuxt 3.10.3 app installed today answers every SSR request
  // with a 500 ("[nuxt] instance unavailable"), with or without tokenrelay.
  nuxt: ["3.21.11"],
  "@nuxt/kit": ["3.21.11"], // installed by nuxt 3.21.11; tokenrelay/nuxt imports it
  next: ["15.5.29", "16.4.6"], // 16: www/examples/next, next-client; 15: OLDEST_RUNS (both)
  // www/examples/axios, one project per version (tests/examples/axios.test.mjs): the newest on
  // the fetch path; 1.11 (no env.fetch), 1.7 (fetch adapter, no env.fetch) and 1.6 (no fetch
  // adapter) on the interceptor path.
  axios: ["1.21.1", "1.11.0", "1.7.9", "1.6.8"],
};

/** The examples whose lockfiles pin the newest peers above (axios apart: its test installs each). */
export const EXAMPLES = ["react", "vue", "nuxt", "next", "next-client"];

/**
 * The oldest versions that no lockfile pins, each run in a copy of an example: its package.json
 * and lockfile, then a plain `npm install <tarball> ...install` (real package names, no
 * --legacy-peer-deps), then its build and scenarios (oldest-peers.test.mjs). `install` names
 * the peer and what a user of that version must take with it: react-dom with react, and
 * vue-router 4.5.1 with Vue 3.3 (vue-router 4.6 needs Vue 3.5). The Next run is the
 * next-client example (the React adapter) and the next example (tokenrelay/next).
 */
export const OLDEST_RUNS = {
  react: { example: "react", install: ["react@18.3.1", "react-dom@18.3.1"] },
  vue: { example: "vue", install: ["vue@3.3.13", "vue-router@4.5.1"] },
  next: { example: "next-client", install: ["next@15.5.29"] },
};

/** Compares two x.y.z versions. */
export function compareVersions(a, b) {
  const [x, y] = [a, b].map((v) => v.split(".").map(Number));
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** The oldest tested version of `name`. */
export const oldest = (name) => [...TESTED[name]].sort(compareVersions)[0];

/** The version `install` (a list of `name@version`) gives `name`, if it names it. */
export const versionIn = (install, name) => install.find((spec) => spec.startsWith(`${name}@`))?.slice(name.length + 1);
