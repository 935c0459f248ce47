// The benchmark page: tokenrelay and the two hand-written patterns it replaces, side by side.
import init, * as tr from "/pkg/tokenrelay.js";

const now = () => performance.timeOrigin + performance.now();

/** Baseline 1, the naive interceptor: every 401 triggers its own refresh, then one retry. */
class NaiveClient {
  constructor(apiBase) {
    this.apiBase = apiBase;
    this.token = null;
    this.signedOut = false;
  }
  async login(body) {
    const res = await fetch(this.apiBase + "/auth/login", {
      method: "POST", credentials: "include",
      headers: { "content-type": "application/json", "x-requested-with": "bench" }, body: JSON.stringify(body),
    });
    this.token = (await res.json()).accessToken;
  }
  async doRefresh() {
    const res = await fetch(this.apiBase + "/auth/refresh", {
      method: "POST", credentials: "include", headers: { "x-requested-with": "bench" },
    });
    if (!res.ok) {
      this.token = null;
      this.signedOut = true; // a rejected refresh (reuse revoked the family) logs the user out
      throw new Error(`refresh ${res.status}`);
    }
    this.token = (await res.json()).accessToken;
  }
  refresh() {
    return this.doRefresh();
  }
  call(path) {
    return fetch(this.apiBase + path, { credentials: "include", headers: { authorization: `Bearer ${this.token}` } });
  }
  async fetchStatus(path) {
    let res = await this.call(path);
    if (res.status === 401) {
      try {
        await this.refresh();
      } catch {
        return res.status;
      }
      res = await this.call(path);
    }
    return res.status;
  }
}

/** Baseline 2, the per-tab promise lock (`isRefreshing`): one refresh per tab at a time, shared
 *  by that tab's requests; tabs do not coordinate. */
class PromiseLockClient extends NaiveClient {
  refresh() {
    this.isRefreshing ??= this.doRefresh().finally(() => { this.isRefreshing = null; });
    return this.isRefreshing;
  }
}

/** tokenrelay behind the same small interface. */
class TokenRelayClient {
  constructor(apiBase, options = {}) {
    this.auth = new tr.AuthClient({ apiBase, ...options });
  }
  get signedOut() {
    return this.auth.state.status === "signedOut";
  }
  login(body) {
    return this.auth.login(body);
  }
  restore() {
    return this.auth.start();
  }
  async fetchStatus(path) {
    return (await this.auth.fetch(path)).status;
  }
}

const KINDS = { tokenrelay: TokenRelayClient, naive: NaiveClient, promiseLock: PromiseLockClient };

window.bench = {
  now,
  /** Creates this tab's client of `kind`. */
  make(kind, options) {
    window.client = new KINDS[kind](window.apiBase, options);
  },
  /** Brings this tab to a token: tokenrelay restores (other tabs first), baselines refresh. */
  async restore() {
    const c = window.client;
    if (c.restore) return (await c.restore()).status;
    await c.refresh();
    return "signedIn";
  },
  /** Fires `n` concurrent calls and resolves with their statuses. */
  fire(n, path = "/api/me") {
    return Promise.all(Array.from({ length: n }, () => window.client.fetchStatus(path)));
  },
  /** Times `new AuthClient` + `start()` in this tab. */
  async timeRestore() {
    const t0 = performance.now();
    const auth = new tr.AuthClient({ apiBase: window.apiBase });
    const state = await auth.start();
    const ms = performance.now() - t0;
    window.auth = auth;
    return { ms, status: state.status };
  },
  /** Records the wall-clock times of state changes of `window.auth`. */
  watch() {
    window.marks = [];
    window.auth.subscribe((s) => window.marks.push({ t: now(), status: s.status, expiresAt: s.expiresAt }));
  },
  /** Milliseconds per GET over `n` sequential GETs (timers are coarse, so the block is
   *  timed): through auth.fetch, or raw fetch with the same header. */
  async sequential(n, viaTokenRelay) {
    const token = await window.auth.accessToken();
    const url = window.apiBase + "/api/me";
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const res = viaTokenRelay
        ? await window.auth.fetch("/api/me")
        : await fetch(url, { credentials: "include", headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
    }
    return (performance.now() - t0) / n;
  },
  /** `n` GETs through `auth.fetch` and `n` raw, in `blocks` paired blocks in ABBA order (so
   *  that drift of the machine cancels out), after one warm-up pair: ms per GET of each block. */
  async overhead(n, blocks) {
    const per = Math.max(1, Math.round(n / blocks));
    await this.sequential(per, false); // warm-up (JIT, wasm tier-up, connection pool)
    await this.sequential(per, true);
    const raw = [];
    const lib = [];
    for (let i = 0; i < blocks; i++) {
      if (i % 2) {
        lib.push(await this.sequential(per, true));
        raw.push(await this.sequential(per, false));
      } else {
        raw.push(await this.sequential(per, false));
        lib.push(await this.sequential(per, true));
      }
    }
    return { raw, lib };
  },
  /** Microseconds of JS + wasm work per `auth.fetch` call, with `window.fetch` replaced by an
   *  instantly resolved stub (the network taken out): the library's own cost. */
  async stubbedFetchUs(n) {
    const realFetch = window.fetch;
    const canned = new Response("{}");
    window.fetch = () => Promise.resolve(canned);
    try {
      for (let i = 0; i < n / 10; i++) await window.auth.fetch("/api/me"); // warm-up
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await window.auth.fetch("/api/me");
      return ((performance.now() - t0) * 1000) / n;
    } finally {
      window.fetch = realFetch;
    }
  },
  /** Nanoseconds per `auth.state` read. */
  stateReadNs(reads) {
    let sink = 0;
    const t0 = performance.now();
    for (let i = 0; i < reads; i++) sink += window.auth.state.expiresAt ? 1 : 0;
    const ms = performance.now() - t0;
    if (sink !== reads) throw new Error("state lost its token");
    return (ms * 1e6) / reads;
  },
  /** Nanoseconds per listener: the span from the first to the last of `n` listeners of one
   *  state change, divided by `n`, for each of `changes` changes. */
  async dispatchNsPerListener(n, changes) {
    const spans = [];
    let first = 0;
    const offs = [];
    for (let i = 0; i < n; i++) {
      offs.push(window.auth.subscribe(() => {
        const t = performance.now();
        if (i === 0) first = t;
        if (i === n - 1) spans.push(((t - first) * 1e6) / n);
      }));
    }
    for (let i = 0; i < changes; i++) await window.auth.refresh();
    offs.forEach((off) => off());
    return spans;
  },
};

/** `bench.html#overhead=<json>` runs `bench.overhead` on its own and posts the figures to
 *  `report`: scripts/bench opens it in a browser with no DevTools client attached, because
 *  DevTools record a stack trace with every request, which makes deeper call stacks (such as
 *  a library's) look slower than they are. */
async function overheadRun({ n, blocks, report, login }) {
  let body;
  try {
    window.auth = new tr.AuthClient({ apiBase: window.apiBase });
    await window.auth.login(login);
    body = await window.bench.overhead(n, blocks);
  } catch (e) {
    body = { error: String(e) };
  }
  await fetch(report, { method: "POST", mode: "no-cors", body: JSON.stringify(body) });
}

try {
  window.apiBase = (await (await fetch("/config.json")).json()).apiBase;
  await init();
  window.tr = tr;
  window.benchReady = true;
  const spec = location.hash.match(/^#overhead=(.*)$/);
  if (spec) await overheadRun(JSON.parse(decodeURIComponent(spec[1])));
} catch (e) {
  window.benchError = String(e);
}
