// Loads the library for the end-to-end tests: window.tr (the module), window.apiBase,
// window.trReady (or window.trError).
import init, * as tr from "/pkg/tokenrelay.js";

try {
  const config = await (await fetch("/config.json")).json();
  await init();
  window.tr = tr;
  window.apiBase = config.apiBase;
  window.trReady = true;
} catch (e) {
  window.trError = String(e && e.stack || e);
}
