// The other tabs: the BroadcastChannel named by the `channel` option. Messages go out as the
// machine writes them and come in as one input each (the machine validates and judges them).
/** @typedef {import("./index.js").Driver} Client */
import { feed, IN_MESSAGE } from "./pump.js";
import { weakly } from "./resources.js";

/**
 * Opens the channel (none where BroadcastChannel is missing: this tab coordinates with nobody).
 * @param {Client} c
 */
export function openChannel(c) {
  try {
    const channel = new BroadcastChannel(c.cfg.channel);
    channel.onmessage = weakly(c, (client, event) => feed(client, IN_MESSAGE, 0, undefined, undefined, event.data));
    c.res.channel = channel;
  } catch {
    // no channel
  }
}

/**
 * Posts a message written by the machine to the other tabs.
 * @param {Client} c
 */
export function send(c, data) {
  if (c.res.channel && data !== undefined) c.res.channel.postMessage(data);
}
