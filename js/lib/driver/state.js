// State changes and their events.
/** @typedef {import("./index.js").Driver} Client */

/**
 * Notifies the listeners of the state the machine changed.
 * @param {Client} c
 */
export function changed(c) {
  const state = c.core.state();
  for (const { listener } of [...c.listeners]) {
    try {
      listener(state);
    } catch (e) {
      console.error("tokenrelay: a state listener threw", e);
    }
  }
}
