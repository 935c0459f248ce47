// The versions of each peer dependency the tests run, by package name. The peer ranges of
// scripts/package-json.mjs start at the oldest of each (tests/examples/peers.test.mjs checks
// it); README names the same versions. The examples pin the others in their lockfiles.
export const TESTED = {
  react: ["19.3.1"], // www/examples/react, next, next-client
  vue: ["3.5.45"], // www/examples/vue, nuxt
  nuxt: ["3.21.11"], // www/examples/nuxt
  "@nuxt/kit": ["3.21.11"], // installed by nuxt 3.21.11; tokenrelay/nuxt imports it
  next: ["16.4.6"], // www/examples/next, next-client
  // www/examples/axios, one project per version (tests/examples/axios.test.mjs): the newest on
  // the fetch path; 1.11 (no env.fetch), 1.7 (fetch adapter, no env.fetch) and 1.6 (no fetch
  // adapter) on the interceptor path.
  axios: ["1.21.1", "1.11.0", "1.7.9", "1.6.8"],
};

/** The examples whose lockfiles pin the peers above (axios apart: its test installs each). */
export const EXAMPLES = ["react", "vue", "nuxt", "next", "next-client"];

/** Compares two x.y.z versions. */
export function compareVersions(a, b) {
  const [x, y] = [a, b].map((v) => v.split(".").map(Number));
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** The oldest tested version of `name`. */
export const oldest = (name) => [...TESTED[name]].sort(compareVersions)[0];
