// Page events for the machine: `visibilitychange`, `focus`, `online` and `pageshow` (back from
// the bfcache, where no timer ran), each one input with whether the page is visible.
/** @typedef {import("./index.js").Driver} Client */
import { feed, IN_PAGE } from "./pump.js";
import { listen } from "./resources.js";

/**
 * Listens for the page events until the client is released.
 * @param {Client} c
 */
export function watchPage(c) {
  for (const event of ["focus", "online", "pageshow"]) listen(c, window, event, onPage);
  listen(c, document, "visibilitychange", onPage);
}

/** @param {Client} c */
function onPage(c) {
  const visibility = document.visibilityState;
  feed(c, IN_PAGE, 0, typeof visibility !== "string" || visibility === "visible" ? 1 : 0);
}
