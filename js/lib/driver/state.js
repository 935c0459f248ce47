// State changes and their events.
/** @typedef {import("./index.js").Driver} Client */
import { g } from "./base.js";

/**
 * Notifies the listeners of the state the machine changed.
 * @param {Client} c
 */
export function changed(c) {
  const state = g.coreState(c.core);
  for (const { listener } of [...c.listeners]) {
    try {
      listener(state);
    } catch (e) {
      console.error("tokenrelay: a state listener threw", e);
    }
  }
}
