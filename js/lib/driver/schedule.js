// When to refresh without being asked: a timer before expiry (or after a failure, with
// backoff), and a re-check when the page becomes visible, gains focus, goes online or comes
// back from the back/forward cache, since background tabs have their timers throttled.
/** @typedef {import("./index.js").Driver} Client */
import { g, ignore, later, now } from "./base.js";
import { refresh, PROACTIVE } from "./refresh.js";
import { retryLogout } from "./logout.js";
import { listen, weakly } from "./resources.js";

/**
 * Listens for `visibilitychange`, `focus`, `online` and `pageshow` (back from the bfcache,
 * where no timer ran).
 * @param {Client} c
 */
export function watchPage(c) {
  for (const event of ["focus", "online", "pageshow"]) listen(c, window, event, onPage);
  listen(c, document, "visibilitychange", onPage);
}

/** @param {Client} c */
function onPage(c) {
  retryLogout(c).catch(ignore); // a logout that waits for the server (online again, say)
  const visibility = document.visibilityState;
  if (typeof visibility !== "string" || visibility === "visible") refreshIfDue(c);
}

/**
 * Re-arms the timer for the current session: at the refresh due time, or after the backoff when
 * the last refresh failed transiently; no timer without a token or a pending restore.
 * @param {Client} c
 */
export function rearm(c) {
  clearTimeout(c.res.timer);
  const delay = nextCheckIn(c);
  c.res.timer = delay === undefined ? undefined : later(delay, weakly(c, refreshIfDue));
}

/** @param {Client} c */
function nextCheckIn(c) {
  if (c.disposed) return undefined;
  const failures = c.core.failures();
  const retry = failures > 0 ? g.backoffMs(failures - 1) : undefined;
  const dueAt = c.core.dueAt();
  if (!Number.isNaN(dueAt)) {
    const dueIn = dueAt - now() + 1; // timers may fire a hair early
    return retry === undefined ? dueIn : Math.max(dueIn, retry);
  }
  return c.core.status() === "unknown" ? retry : undefined;
}

/**
 * Starts a proactive refresh when the token is due (or a failed restore should be retried).
 * @param {Client} c
 */
export function refreshIfDue(c) {
  if (c.disposed || c.core.flying()) return;
  const due = c.core.order() !== undefined
    ? c.core.due(now())
    : c.core.status() === "unknown" && c.core.failures() > 0;
  if (due) refresh(c, PROACTIVE).catch(ignore);
}
