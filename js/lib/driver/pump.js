// The pump of the machine (src/core/machine/, through the wasm's `coreInput` / `corePoll`):
// every API call and browser outcome becomes one input, every output one browser call; after
// each input the outputs are drained, then ONE timer is armed for `corePollTimeout`. The promise
// table of the machine's callers lives here. No policy: what to do and when is the machine's.
/** @typedef {import("./index.js").Driver} Client */
import { g, later, messageOf, monotonic, now } from "./base.js";
import { fetchAuth } from "./http.js";
import * as locks from "./locks.js";
import { logoutMarker, mark, saveEpoch, storedEpoch } from "./logout.js";
import { send } from "./peers.js";
import { othersMayBeAlive } from "./presence.js";
import { changed } from "./state.js";
import { weakly } from "./resources.js";

// The kinds of input and output (src/core/machine/wire.rs; tests/wire.rs checks these numbers).
export const IN_REFRESH = 0, IN_LOCK = 1, IN_MESSAGE = 2, IN_FACTS = 3, IN_ANSWER = 4, IN_FAILED = 5,
  IN_PAGE = 6, IN_TIMER = 7, IN_DISPOSE = 8, IN_HOLDER = 9, IN_START = 10, IN_LOGIN = 11, IN_LOGOUT = 12,
  IN_ENSURE = 13, IN_PRESENCE = 14;
// Outputs, written as numbers in `perform` (a bundler keeps named constants as variables):
// OUT_CHANGED = 0, OUT_RESOLVE = 1, OUT_REJECT = 2, OUT_POST = 3, OUT_REQUEST_LOCK = 4,
// OUT_RELEASE = 5, OUT_SEND_AUTH = 6, OUT_ABORT_AUTH = 7, OUT_READ_FACTS = 8, OUT_WRITE_COOKIE = 9,
// OUT_MARK_LOGOUT = 10, OUT_QUERY_PRESENCE = 11, OUT_QUERY_LOCKS = 12, OUT_LOGGED_OUT = 13,
// OUT_SAVE_EPOCH = 14.

/**
 * Feeds one input (see src/core/machine/wire.rs for what `id`, `x`, `y` and `data` carry),
 * then, unless a pump is already draining, performs every output and arms the timer.
 * @param {Client} c
 * @param {number} kind
 * @param {number} [id]
 * @param {number} [x]
 * @param {number} [y]
 * @param {any} [data]
 */
export function feed(c, kind, id = 0, x = undefined, y = undefined, data = undefined) {
  if (c.disposed) return;
  g.coreInput(c.core, kind, id, x, y, data, monotonic(), now());
  if (c.pumping) return;
  c.pumping = true;
  try {
    for (let out; (out = g.corePoll(c.core)) !== undefined;) perform(c, out);
  } finally {
    c.pumping = false;
  }
  clearTimeout(c.res.timer);
  const at = g.corePollTimeout(c.core);
  c.res.timer = Number.isNaN(at) || c.disposed
    ? undefined
    : later(at - monotonic(), weakly(c, (client) => feed(client, IN_TIMER)));
}

/**
 * One call of the API as the input `kind`: a promise the machine settles.
 * @param {Client} c
 * @param {number} kind
 * @param {number} [x]
 * @param {number} [y]
 * @param {any} [data]
 * @returns {Promise<any>}
 */
export function call(c, kind, x = undefined, y = undefined, data = undefined) {
  const id = ++c.lastCall;
  const settled = new Promise((resolve, reject) => c.calls.set(id, { resolve, reject }));
  feed(c, kind, id, x, y, data);
  return settled;
}

/**
 * Settles the caller `id`: resolved with `value` without `error`, else rejected with it.
 * @param {Client} c
 * @param {number} id
 * @param {any} [error]
 * @param {any} [value]
 */
export function settle(c, id, error, value) {
  const caller = c.calls.get(id);
  c.calls.delete(id);
  if (error === undefined) caller?.resolve(value);
  else caller?.reject(error);
}

/**
 * One output of the machine as one browser call.
 * @param {Client} c
 */
function perform(c, [kind, a, b, name]) {
  switch (kind) {
    case 0: changed(c); break; // OUT_CHANGED
    case 1: settle(c, a); break; // OUT_RESOLVE
    case 2: settle(c, a, b); break; // OUT_REJECT
    case 3: send(c, a); break; // OUT_POST
    case 4: requestLock(c, a, b, name); break; // OUT_REQUEST_LOCK
    case 5: c.locks.get(a)?.(); c.locks.delete(a); break; // OUT_RELEASE
    case 6: sendAuth(c, a, b, name); break; // OUT_SEND_AUTH
    case 7: c.auths.get(a)?.abort(); break; // OUT_ABORT_AUTH
    case 8: facts(c); break; // OUT_READ_FACTS
    case 9: writeCookie(a); break; // OUT_WRITE_COOKIE
    case 10: mark(c, a); break; // OUT_MARK_LOGOUT
    case 11: othersMayBeAlive(c).then((others) => feed(c, IN_PRESENCE, 0, others ? 1 : 0)); break; // OUT_QUERY_PRESENCE
    case 12: holder(c).then(([client, mine]) => feed(c, IN_HOLDER, 0, mine ? 1 : 0, undefined, client)); break; // OUT_QUERY_LOCKS
    case 13: settle(c, a, undefined, b); break; // OUT_LOGGED_OUT
    case 14: saveEpoch(c, a); break; // OUT_SAVE_EPOCH
  }
}

/**
 * Asks for the Web Lock `name` in `mode`; its outcome is the input IN_LOCK. The release (or the
 * withdrawal of a request not yet granted) is kept under `id`.
 * @param {Client} c
 */
function requestLock(c, id, mode, name) {
  const pending = locks.request(name, mode);
  if (!pending) {
    feed(c, IN_LOCK, id, 2);
    return;
  }
  c.locks.set(id, () => locks.withdraw(pending));
  pending.lost = () => feed(c, IN_LOCK, id, 3);
  pending.granted.then((ok) => feed(c, IN_LOCK, id, ok ? 1 : 0));
}

/**
 * Who holds the refresh lock: `[clientId, mine]` (mine: the client id holding this tab's
 * presence lock), from `navigator.locks.query()`.
 * @param {Client} c
 */
async function holder(c) {
  const held = await locks.held();
  const of = (name) => held.find((lock) => lock.name === name)?.clientId;
  const client = of(c.cfg.channel);
  const me = of(`${c.cfg.channel}:presence:${c.tab}`);
  return [client, client !== undefined && client === me];
}

/**
 * Sends the auth request `id` to endpoint `endpoint` with `body`; its complete answer (body
 * read) or failure is one input.
 * @param {Client} c
 */
function sendAuth(c, id, endpoint, body) {
  const controller = new AbortController();
  c.auths.set(id, controller);
  fetchAuth(c, endpoint, body, controller).then(
    ({ status, text, date }) => feed(c, IN_ANSWER, id, status, date === null ? undefined : Date.parse(date), text),
    (e) => feed(c, IN_FAILED, id, undefined, undefined, e?.code ? e : messageOf(e)),
  ).finally(() => c.auths.delete(id));
}

/**
 * The facts for the machine: the durable-logout marker and the page's cookies.
 * @param {Client} c
 */
function facts(c) {
  feed(c, IN_FACTS, 0, logoutMarker(c), storedEpoch(c), cookies());
}

/** The page's `document.cookie` ("" where there is no document). */
function cookies() {
  return typeof document === "undefined" ? "" : String(document.cookie);
}

/** Assigns one cookie; failures (sandboxed documents) are ignored: the cooldown is an
 * optimisation, never a requirement. */
function writeCookie(assignment) {
  try {
    document.cookie = assignment;
  } catch {
    // ignored
  }
}
