import axios from "axios";
import { AuthClient } from "tokenrelay";
import { withAuth } from "tokenrelay/axios";

const apiBase = import.meta.env.VITE_API_BASE || "http://127.0.0.1:8000";
const auth = new AuthClient({ apiBase });
// Every call of `api` gets the token, one shared refresh and one retry on a 401: through
// `auth.fetch` on axios >= 1.12, through interceptors on older axios (no `env.fetch` in 1.7 to
// 1.11, no fetch adapter in 1.6). The tests build this app with each of those versions.
const api = withAuth(axios.create({ baseURL: apiBase }), auth);

const $ = (id) => document.getElementById(id);
auth.subscribe((state) => {
  $("status").textContent = state.status;
  $("user").textContent = state.user?.email ?? "";
});
auth.start();
$("login").onclick = () => auth.login({ email: "demo@example.com", password: "demo" });
$("logout").onclick = () => auth.logout();
$("me").onclick = async () => {
  try {
    const { status, data } = await api.get("/api/me");
    $("result").textContent = `${status} ${data.email}`;
  } catch (error) {
    $("result").textContent = `${error.name} ${error.response?.status ?? error.code}`;
  }
};

// For the tests, which drive the instance from the page.
window.example = { auth, api, axios, withAuth, apiBase };
