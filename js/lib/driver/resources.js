// What keeps a client running: its channel, page listeners, timers and presence lock. Kept
// apart from the client, so that `dispose()` releases it, and so does the garbage collector for
// a client nobody disposed: every callback of the browser holds the client weakly.
import { withdraw } from "./locks.js";

/** Releases the resources of collected clients. */
const collected = typeof FinalizationRegistry === "function" ? new FinalizationRegistry(releaseAll) : undefined;

/** Gives the client `c` its resources (`c.res`) and a weak reference to itself (`c.ref`). */
export function own(c) {
  c.res = { channel: null, unlisten: [], timer: undefined, answer: undefined, presence: null };
  c.ref = typeof WeakRef === "function" ? new WeakRef(c) : { deref: () => c };
  collected?.register(c, c.res, c.res);
}

/** A callback that runs `handle(c, ...args)` while the client lives and is not disposed. */
export function weakly(c, handle) {
  const { ref } = c;
  return (...args) => {
    const client = ref.deref();
    if (client && !client.disposed) handle(client, ...args);
  };
}

/** Listens for `event` on `target` with `handle(c, event)` until the client is released. */
export function listen(c, target, event, handle) {
  const listener = weakly(c, handle);
  target.addEventListener(event, listener);
  c.res.unlisten.push(() => target.removeEventListener(event, listener));
}

/** Releases the resources of the client `c` now (dispose). */
export function release(c) {
  collected?.unregister(c.res);
  releaseAll(c.res);
}

function releaseAll(res) {
  res.channel?.close();
  res.channel = null;
  clearTimeout(res.timer);
  clearTimeout(res.answer);
  if (res.presence) withdraw(res.presence);
  res.presence = null;
  for (const unlisten of res.unlisten.splice(0)) unlisten();
}
