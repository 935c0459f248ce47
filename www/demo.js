// The tokenrelay demo: one AuthClient, its live state, and the server's counters.
import init, { AuthClient } from "/pkg/tokenrelay.js";

const $ = (id) => document.getElementById(id);
const { apiBase } = await (await fetch("/config.json")).json();
await init();
const auth = new AuthClient({ apiBase });
window.auth = auth; // for the curious, in the console

const STAT_LABELS = {
  login: "logins", refresh: "refreshes", refreshReuse: "reuse (revoked)", refreshRejected: "rejected",
  refreshGraceReplay: "grace replays", logout: "logouts", apiOk: "API 200", api401: "API 401",
};
let lastStats = null;

function render(state) {
  const pill = $("status");
  pill.textContent = state.status;
  pill.dataset.status = state.status;
  $("user").textContent = state.user ? `${state.user.email ?? state.user.sub}` : "—";
  $("claims").textContent = JSON.stringify(state.user, null, 2);
  const err = $("error");
  err.textContent = state.error ? `${state.error.code}: ${state.error.message}` : "none";
  err.className = state.error ? "error-text" : "muted";
  $("login-form").hidden = state.status === "signedIn";
  renderExpiry();
}

function renderExpiry() {
  const { expiresAt } = auth.state;
  $("expiry").textContent = expiresAt ? `${Math.max(0, (expiresAt - Date.now()) / 1000).toFixed(1)} s` : "—";
}

function log(text) {
  const li = document.createElement("li");
  const time = document.createElement("time");
  time.textContent = new Date().toLocaleTimeString();
  li.append(time, document.createTextNode(text));
  $("log").prepend(li);
  while ($("log").children.length > 20) $("log").lastElementChild.remove();
}

function show(text, isError = false) {
  const result = $("result");
  result.textContent = text;
  result.className = `result ${isError ? "error-text" : ""}`;
}

async function run(button, action) {
  button.disabled = true;
  try {
    await action();
  } catch (e) {
    show(`${e.code ?? "error"}: ${e.message}`, true);
  } finally {
    button.disabled = false;
  }
}

async function pollStats() {
  try {
    const res = await fetch(`${apiBase}/__stats`);
    if (!res.ok) throw new Error(String(res.status));
    lastStats = await res.json();
    $("stats").replaceChildren(...Object.entries(STAT_LABELS).map(([key, label]) => {
      const div = document.createElement("div");
      div.className = `stat${key === "refreshReuse" && lastStats[key] > 0 ? " alarm" : ""}`;
      div.dataset.stat = key;
      div.innerHTML = `<b>${lastStats[key] ?? 0}</b><span>${label}</span>`;
      return div;
    }));
  } catch {
    $("stats-card").hidden = true; // test hooks are off
    return;
  }
  setTimeout(pollStats, 1000);
}

auth.subscribe((state) => {
  render(state);
  log(state.error ? `${state.status} (${state.error.code})` : state.status);
});

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run($("btn-login"), async () => {
    await auth.login({ email: $("email").value, password: $("password").value });
    show("Logged in. Other open tabs are signed in too.");
  });
});
$("btn-me").addEventListener("click", () => run($("btn-me"), async () => {
  const res = await auth.fetch("/api/me");
  show(`GET /api/me → ${res.status} ${res.ok ? JSON.stringify(await res.json()) : ""}`, !res.ok);
}));
$("btn-burst").addEventListener("click", () => run($("btn-burst"), async () => {
  const stats = () => fetch(`${apiBase}/__stats`).then((r) => r.json()).catch(() => null);
  const before = await stats();
  const statuses = await Promise.all(Array.from({ length: 20 }, () => auth.fetch("/api/me").then((r) => r.status)));
  const ok = statuses.filter((s) => s === 200).length;
  const after = await stats();
  const refreshes = before && after ? ` · refresh requests during the burst: ${after.refresh - before.refresh}` : "";
  show(`${ok}/20 succeeded${refreshes}`, ok !== 20);
  $("result").dataset.ok = String(ok);
}));
$("btn-refresh").addEventListener("click", () => run($("btn-refresh"), async () => {
  await auth.refresh();
  show("Refreshed once; every tab got the new token over the BroadcastChannel.");
}));
$("btn-logout").addEventListener("click", () => run($("btn-logout"), async () => {
  await auth.logout();
  show("Logged out here and in every tab.");
}));
$("btn-tab").addEventListener("click", () => window.open(location.href, "_blank"));

render(auth.state);
setInterval(renderExpiry, 250);
pollStats();
const restored = await auth.start();
log(`start() → ${restored.status}`);
