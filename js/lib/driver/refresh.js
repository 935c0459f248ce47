// One refresh for the whole browser: the callers of this tab and the machine's flight
// (src/core/machine/, driven by pump.js), which does the rest.
/** @typedef {import("./index.js").Driver} Client */
import { checkAlive, g } from "./base.js";
import { call } from "./pump.js";

/** A call needs a token now (expired, or a 401). */
export const DEMAND = 0;
/** The timer or a page event found the token due: never queue behind another tab. */
export const PROACTIVE = 1;

/**
 * Refreshes once for every caller in this tab (joins the flight under way, if any).
 * @param {Client} c
 */
export async function refresh(c, reason) {
  checkAlive(c);
  return call(c, reason === PROACTIVE);
}

/**
 * After a 401 for a request sent with the token of order `used`: refresh, unless a newer token
 * arrived meanwhile (then the caller just retries with it).
 * @param {Client} c
 */
export async function refreshAfter401(c, used) {
  if (g.isLater(c.core.order(), used)) return;
  return refresh(c, DEMAND);
}
