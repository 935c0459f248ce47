// tokenrelay/vue: the client's state as readonly shallow refs, provided to the app, and a
// vue-router guard. The client is made by the app; these bindings only read it.
import { computed, inject, shallowReadonly, shallowRef } from "vue";

/** What the server renders and hydration starts from: the session is not known yet. */
const UNKNOWN = Object.freeze({ status: "unknown", user: null, expiresAt: null, error: null });
const KEY = Symbol("tokenrelay");

/** `start()` of each client, called once however many apps install it (settles, never rejects). */
const started = new WeakMap();
function startOnce(client) {
  let done = started.get(client);
  if (!done) {
    // The outcome is in the state; start() rejects only when the client was disposed.
    done = client.start().then(() => undefined, () => undefined);
    started.set(client, done);
  }
  return done;
}

const signedIn = (s) => s.status === "signedIn" || (s.status === "refreshing" && s.user !== null);

/**
 * The plugin: `app.use(createTokenRelay({ client }))` starts the client and provides it.
 * `hydration` (SSR apps): the refs show the unknown state, as the server rendered it, until
 * that promise settles.
 */
export function createTokenRelay({ client, hydration } = {}) {
  if (!client) throw new Error("tokenrelay/vue: createTokenRelay({ client }) needs a client");
  let settle;
  const ready = new Promise((resolve) => { settle = resolve; });
  return {
    /** Settles (never rejects) once the `start()` made at install has settled. */
    ready,
    install(app) {
      const state = shallowRef(hydration ? UNKNOWN : client.state);
      let off = null;
      let unmounted = false;
      const follow = () => {
        if (unmounted) return;
        off ??= client.subscribe((s) => { state.value = s; });
        state.value = client.state;
      };
      if (hydration) Promise.resolve(hydration).then(follow, follow);
      else follow();
      const started = startOnce(client);
      started.then(settle);
      const view = shallowReadonly(state);
      const auth = {
        state: view,
        status: computed(() => view.value.status),
        user: computed(() => view.value.user),
        error: computed(() => view.value.error),
        isLoading: computed(() => view.value.status === "unknown"),
        isSignedIn: computed(() => signedIn(view.value)),
        login: (credentials) => client.login(credentials),
        logout: () => client.logout(),
        fetch: (input, init) => client.fetch(input, init),
        client,
      };
      app.provide(KEY, { auth, started });
      app.onUnmount?.(() => {
        unmounted = true;
        off?.();
      });
    },
  };
}

function provided() {
  const found = inject(KEY, null);
  if (!found) throw new Error("tokenrelay/vue: no client (app.use(createTokenRelay({ client })) first)");
  return found;
}

/** The state as readonly refs, and the client's methods. Call it in `setup` (or a guard). */
export function useAuth() {
  return provided().auth;
}

/**
 * A vue-router `beforeEach` guard: waits until `start()` has settled, then sends routes with
 * `meta.requiresAuth` to `loginRoute` (with `?redirect=`) when not signed in.
 */
export function authGuard({ loginRoute }) {
  return async (to) => {
    if (!to.meta?.requiresAuth || to.path === loginRoute) return true;
    const { auth, started } = provided();
    await started;
    if (signedIn(auth.client.state)) return true;
    return { path: loginRoute, query: { redirect: to.fullPath } };
  };
}
