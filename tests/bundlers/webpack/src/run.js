// Signs in with `AuthClient` and reports the outcome in window.result.
export async function run(AuthClient) {
  try {
    const apiBase = new URLSearchParams(location.search).get("api");
    const auth = new AuthClient({ apiBase });
    const before = auth.state.status;
    const restored = (await auth.start()).status;
    const state = await auth.login({ email: "demo@example.com", password: "demo" });
    const me = (await auth.fetch("/api/me")).status;
    window.result = { before, restored, status: state.status, me };
  } catch (e) {
    window.result = { error: String(e?.message || e) };
  }
}
