// The `AuthClient` every entry exports: constructed synchronously anywhere, it loads the wasm
// on first use and forwards every call to the driver (driver/index.js) over the wasm's machine. Outside a browser it
// stays inert. `defineEntry(source)` builds an entry's `AuthClient` and `init` around the way
// that entry finds its wasm.
import { UNKNOWN, tokenRelayError, inBrowser } from "./errors.js";

export { isTokenRelayError } from "./errors.js";

/** The driver module once the wasm is instantiated (shared by every entry of the page):
 * lib/driver.js, built from driver/ with the wasm-bindgen glue (`initSync`, the `core*` functions, `error`). */
let glue = null;
/** The driver's `Driver` class. */
let Driver = null;
/** The load in flight, or null. A failed load is forgotten, so the next use tries again. */
let loading = null;

/** Loads the driver and instantiates the wasm from what `source()` gives; idempotent. */
function load(source) {
  if (glue) return Promise.resolve(glue);
  loading ??= Promise.all([import("./driver.js"), source()])
    .then(async ([module, input]) => {
      module.initSync({ module: await module.compile(input) });
      Driver = module.Driver;
      glue = module;
      return module;
    })
    .catch((error) => {
      loading = null;
      throw error;
    });
  return loading;
}

function noBrowser(method) {
  return Promise.reject(tokenRelayError("no_browser",
    `auth.${method}() needs a browser: tokenrelay does nothing on a server (SSR, Node)`));
}

function disposed() {
  return tokenRelayError("disposed", "the client was disposed");
}

/**
 * Builds the `init` and `AuthClient` of an entry. `source()` resolves with what the
 * wasm-bindgen glue accepts (bytes, a URL, a Response) when nothing was given to `init`.
 */
export function defineEntry(source) {
  function init(input) {
    if (!inBrowser()) return Promise.resolve();
    return load(input === undefined ? source : () => input).then(() => undefined);
  }

  class AuthClient {
    /** The wasm client, once created. */
    #inner = null;
    /** Options kept until the wasm is there. */
    #options;
    /** The creation of `#inner` in flight (rejected for good with a `config` error). */
    #creating = null;
    /** Subscriptions made before `#inner` existed: `{ listener, off }`. */
    #early = new Set();
    #disposed = false;
    #inert;

    constructor(options) {
      this.#inert = !inBrowser();
      if (this.#inert) return;
      // After `await init()` the wasm validates at once: a bad option throws here.
      if (glue) this.#inner = new Driver(glue, options);
      else this.#options = options;
    }

    /** The current state; the same frozen object until it changes. */
    get state() {
      return this.#inner ? this.#inner.state : UNKNOWN;
    }

    /** Resolves with the wasm client, loading the wasm first when needed. */
    #client() {
      if (this.#inner) return Promise.resolve(this.#inner);
      if (this.#disposed) return Promise.reject(disposed());
      this.#creating ??= load(source).then(
        () => {
          if (this.#inner) return this.#inner;
          if (this.#disposed) throw disposed();
          const inner = new Driver(glue, this.#options); // throws `config`: kept as the answer
          this.#options = undefined;
          this.#inner = inner;
          for (const entry of this.#early) entry.off = inner.subscribe(entry.listener);
          this.#early.clear();
          return inner;
        },
        (error) => {
          this.#creating = null;
          throw error;
        },
      );
      return this.#creating;
    }

    /** Runs `call(inner)` now when the wasm client exists (no extra tick), else once it does. */
    #call(call) {
      return this.#inner ? call(this.#inner) : this.#client().then(call);
    }

    subscribe(listener) {
      if (this.#inert) return () => {};
      if (this.#inner) return this.#inner.subscribe(listener);
      const entry = { listener, off: null };
      this.#early.add(entry);
      return () => {
        this.#early.delete(entry);
        const off = entry.off;
        entry.off = null;
        off?.();
      };
    }

    start() {
      if (this.#inert) return Promise.resolve(UNKNOWN);
      return this.#call((inner) => inner.start());
    }

    login(credentials) {
      if (this.#inert) return noBrowser("login");
      return this.#call((inner) => inner.login(credentials));
    }

    fetch(input, init) {
      // The hot path: no closure, no extra tick once the wasm client exists.
      const inner = this.#inner;
      if (inner) return inner.fetch(input, init);
      if (this.#inert) return noBrowser("fetch");
      return this.#client().then((ready) => ready.fetch(input, init));
    }

    sendsToken(url) {
      if (this.#inert) return noBrowser("sendsToken");
      return this.#client().then((inner) => inner.sendsToken(String(url)));
    }

    refresh() {
      if (this.#inert) return noBrowser("refresh");
      return this.#call((inner) => inner.refresh());
    }

    accessToken() {
      if (this.#inert) return noBrowser("accessToken");
      return this.#call((inner) => inner.accessToken());
    }

    logout() {
      if (this.#inert) return noBrowser("logout");
      return this.#call((inner) => inner.logout());
    }

    dispose() {
      if (this.#inert) return;
      this.#disposed = true;
      this.#inner?.dispose();
    }
  }

  return { init, AuthClient };
}
