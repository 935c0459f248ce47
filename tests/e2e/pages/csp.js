// Signs in with the entry named in the query (`?entry=index` or `?entry=slim`) under the page's
// Content-Security-Policy; the outcome goes to window.result.
const entry = new URLSearchParams(location.search).get("entry") || "index";
try {
  const { AuthClient } = await import(`/pkg/${entry}.js`);
  const { apiBase } = await (await fetch("/config.json")).json();
  const auth = new AuthClient({ apiBase });
  await auth.start();
  const state = await auth.login({ email: "demo@example.com", password: "demo" });
  const me = await auth.fetch("/api/me");
  window.result = { status: state.status, me: me.status };
} catch (e) {
  window.result = { error: String(e && e.message || e) };
}
