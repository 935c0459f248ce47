// The JS driver of one client: the I/O (fetch, BroadcastChannel, Web Locks, cookies, timers,
// page events) around the wasm's `Core`, which keeps the options, the session and its token
// and makes every decision. Everything runs on the page's single thread.
import { g, ignore, useGlue } from "./base.js";
import { alive, wakeWaiters } from "./state.js";
import { liveClaims, openChannel } from "./peers.js";
import { feed, news, IN_DISPOSE } from "./pump.js";
import { announce } from "./presence.js";
import { own, release, weakRef } from "./resources.js";
import { refresh, refreshAfter401, DEMAND } from "./refresh.js";
import { accessToken, login, logout, start } from "./requests.js";
import { rearm, watchPage } from "./schedule.js";
import { sendsToken, wrappedFetch } from "./wrapped.js";

/** A random id for this tab (base 36, 10 characters). */
const randomId = () => Math.floor(Math.random() * 36 ** 10).toString(36).padStart(10, "0");

/** One client, with the API of `AuthClient` (js/lib/client.js creates it and forwards to it). */
export class Driver {
  /** Creates a client over the instantiated `glue`; throws `config` for bad options. */
  constructor(glue, options) {
    useGlue(glue);
    /** The options, session and token (wasm). */
    this.core = new g.Core(options);
    /** The validated options the driver reads. */
    this.cfg = this.core.config();
    /** Whether targets relative to `apiBase` may carry the token (the browser's origin of
     * `apiBase` is in the allow-list, as it is unless the browser serializes it differently). */
    this.apiBaseAllowed = false;
    try {
      this.apiBaseAllowed = this.cfg.origins.includes(new URL(this.cfg.apiBase).origin);
    } catch {
      // stays false
    }
    this.tab = randomId();
    this.listeners = new Set();
    /** The restore of `start()` under way (a shared promise). */
    this.restore = null;
    /** The refresh machine's callers by call id (`{ resolve, reject }`), and the last id. */
    this.calls = new Map();
    this.lastCall = 0;
    /** Releases of the machine's lock requests, and its auth requests' controllers, by id. */
    this.locks = new Map();
    this.auths = new Map();
    /** Whether the machine's outputs are being drained (pump.js). */
    this.pumping = false;
    /** Resolvers of tasks waiting for news from other tabs. */
    this.waiters = [];
    /** Live refresh claims of other tabs by tab id: `{ at, tab, seen }` (seen: monotonic ms). */
    this.peerClaims = new Map();
    /** Our own live claim `{ at, tab }` (the election without Web Locks). */
    this.myClaim = null;
    /** When this tab last answered a question with its token (monotonic ms). */
    this.lastAnswer = -Infinity;
    /** A logout the server has not confirmed, when the origin's storage cannot say so. */
    this.logoutPending = false;
    /** The retry of such a logout under way in this tab. */
    this.retryingLogout = null;
    /** Aborted by `dispose`: every auth request of this client listens to it. */
    this.abort = new AbortController();
    this.disposed = false;
    /** Called on every visible change of the session. */
    this.onChange = () => rearm(this);
    /** Whether the machine had a flight under way after the last input. */
    this.flying = false;
    /** When (monotonic ms) another tab last said its refresh ended. */
    this.lastRelease = undefined;
    /** Called on news from the tabs (and state changes): the machine re-checks its waits, with
     * when a refresher was last heard of (a live claim or a release). */
    this.onNews = () => {
      const { lastSeen } = liveClaims(this);
      news(this, lastSeen === undefined ? this.lastRelease : Math.max(lastSeen, this.lastRelease ?? lastSeen));
    };
    /** Called for a sign-out without the proof of this session: the server is asked. */
    this.doubt = () => refresh(this, DEMAND).catch(ignore);
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
    return this.core.state();
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
    return alive(this, start(this).then(() => this.state));
  }

  /** Posts `credentials` as JSON to `loginPath`; resolves with the state. */
  login(credentials) {
    return alive(this, login(this, credentials).then(() => this.state));
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
    const used = this.core.order();
    return alive(this, refreshAfter401(this, used).then(() => this.state));
  }

  /** A valid access token, refreshed first if it is due. */
  accessToken() {
    return alive(this, accessToken(this));
  }

  /**
   * Signs out every tab at once and logs out on the server (again until it answers); resolves
   * with the state and `confirmed`: whether the server confirmed the logout.
   */
  logout() {
    return alive(this, logout(this).then((confirmed) => Object.freeze({ ...this.state, confirmed })));
  }

  /**
   * Releases the channel, timers and listeners, aborts the auth requests under way (which
   * releases a held lock); later calls and pending ones fail with `disposed`.
   */
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    feed(this, IN_DISPOSE); // the machine rejects its callers, releases its locks, aborts its request
    this.abort.abort();
    release(this); // the channel, timers, page listeners and presence lock
    this.listeners.clear();
    wakeWaiters(this);
  }
}

