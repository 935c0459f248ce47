// The JS driver of one client: the browser around the wasm's machine (src/api/), which holds the
// options, the session and its token and makes every decision (src/core/machine/). The
// driver turns each API call and browser outcome into one input and each output into one
// browser call (pump.js). Everything runs on the page's single thread.
import { checkAlive, error, now, useGlue, g } from "./base.js";
import { feed, settle, call, IN_DISPOSE, IN_ENSURE, IN_LOGIN, IN_LOGOUT, IN_REFRESH, IN_START } from "./pump.js";
import { openChannel } from "./peers.js";
import { announce } from "./presence.js";
import { watchPage } from "./page.js";
import * as locks from "./locks.js";
import { own, release, weakRef } from "./resources.js";
import { sendsToken, wrappedFetch } from "./wrapped.js";
import { crossSite } from "./site.js";

export { compile } from "./load.js";

/** Whether this page warned that `apiBase` is on another site (once per page). */
let warned = false;

/** A random id for this tab (base 36, 10 characters). */
const randomId = () => Math.floor(Math.random() * 36 ** 10).toString(36).padStart(10, "0");

/** One client, with the API of `AuthClient` (js/lib/client.js creates it and forwards to it). */
export class Driver {
  /** Creates a client over the instantiated `glue`; throws `config` for bad options. */
  constructor(glue, options) {
    useGlue(glue);
    this.tab = randomId();
    /** The handle of the machine, with the options, session and token (wasm), freed once
     * this client is collected (resources.js). */
    this.core = g.coreNew(options, this.tab, locks.available());
    /** The validated options the driver reads. */
    this.cfg = g.coreConfig(this.core);
    const cross = crossSite(location.origin, this.cfg.apiBase);
    g.coreCrossSite(this.core, cross);
    if (cross && !warned) {
      warned = true;
      console.warn(`tokenrelay: apiBase is on another site than this page: Safari, Brave, Incognito and third-party cookie blocking drop its refresh cookie (README: Cookies across sites)`);
    }
    /** Whether targets relative to `apiBase` may carry the token (the browser's origin of
     * `apiBase` is in the allow-list, as it is unless the browser serializes it differently). */
    this.apiBaseAllowed = false;
    try {
      this.apiBaseAllowed = this.cfg.origins.includes(new URL(this.cfg.apiBase).origin);
    } catch {
      // stays false
    }
    this.listeners = new Set();
    /** The machine's callers by call id (`{ resolve, reject }`), and the last id. */
    this.calls = new Map();
    this.lastCall = 0;
    /** Releases of the machine's lock requests, and its auth requests' controllers, by id. */
    this.locks = new Map();
    this.auths = new Map();
    /** Whether the machine's outputs are being drained (pump.js). */
    this.pumping = false;
    /** The durable-logout marker's time, where the origin's storage cannot keep it (logout.js). */
    this.logoutPending = undefined;
    /** The session epoch, where the origin's storage cannot keep it (logout.js). */
    this.epoch = undefined;
    /** Aborted by `dispose`: every auth request of this client listens to it. */
    this.abort = new AbortController();
    this.disposed = false;
    /** The client's weak reference to itself: what its browser callbacks hold. */
    this.ref = weakRef(this);
    /** What keeps the client running (resources.js). */
    this.res = own(this);
    openChannel(this);
    watchPage(this);
    announce(this);
  }

  /** The current state; the same frozen object until it changes. */
  get state() {
    return g.coreState(this.core);
  }

  /** Calls `listener(state)` on every state change; returns an idempotent unsubscribe. */
  subscribe(listener) {
    const entry = { listener };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /** Restores the session; resolves with the state, rejects only when disposed. */
  start() {
    return this.#call(IN_START).then(() => this.state);
  }

  /** Posts `credentials` as JSON to `loginPath`; resolves with the state. */
  login(credentials) {
    let json;
    try {
      json = JSON.stringify(credentials);
    } catch {
      // below
    }
    if (typeof json !== "string") return Promise.reject(error("config", "the login body must be a JSON-serialisable value"));
    return this.#call(IN_LOGIN, undefined, undefined, json).then(() => this.state);
  }

  /** `window.fetch` with the token for allowed origins and one refresh and retry on a 401. */
  fetch(input, init) {
    return wrappedFetch(this, input, init);
  }

  /** Whether `fetch(url)` sends the token and `credentials: "include"` to `url`. */
  sendsToken(url) {
    return sendsToken(this, url);
  }

  /** Refreshes now (one refresh shared by every caller and tab); resolves with the state. */
  refresh() {
    return this.#call(IN_REFRESH, 0, g.coreOrder(this.core)).then(() => this.state);
  }

  /** A valid access token, refreshed first if it is due. */
  accessToken() {
    return this.#call(IN_ENSURE).then(() => {
      const token = g.coreAccessToken(this.core, now());
      if (typeof token !== "string") throw token;
      return token;
    });
  }

  /**
   * Signs out every tab at once and logs out on the server (again until it answers); resolves
   * with the state and `confirmed`: whether the server confirmed the logout.
   */
  logout() {
    return this.#call(IN_LOGOUT).then((confirmed) => Object.freeze({ ...this.state, confirmed: confirmed === true }));
  }

  /**
   * Releases the channel, timers and listeners, aborts the auth requests under way (which
   * releases a held lock); later calls and pending ones fail with `disposed`.
   */
  dispose() {
    if (this.disposed) return;
    feed(this, IN_DISPOSE); // the machine rejects its callers, releases its locks, aborts its requests
    this.disposed = true;
    this.abort.abort();
    release(this); // the channel, timer, page listeners and presence lock
    this.listeners.clear();
    for (const id of [...this.calls.keys()]) settle(this, id, error("disposed"));
  }

  /** One call of the machine; rejects with `disposed` once disposed. */
  #call(kind, x, y, data) {
    try {
      checkAlive(this);
    } catch (e) {
      return Promise.reject(e);
    }
    return call(this, kind, x, y, data).then((value) => {
      checkAlive(this);
      return value;
    });
  }
}
