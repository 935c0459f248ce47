import axios from "axios";
import axiosOld from "axios-1-11";
import axios17 from "axios-1-7";
import axios16 from "axios-1-6";
import { AuthClient } from "tokenrelay";
import { withAuth } from "tokenrelay/axios";

const apiBase = import.meta.env.VITE_API_BASE || "http://127.0.0.1:8000";
const auth = new AuthClient({ apiBase });
// Every call of `api` gets the token, one shared refresh and one retry on a 401.
const api = withAuth(axios.create({ baseURL: apiBase }), auth);
// The same with older axios, which has no `env.fetch` (1.7 to 1.11) or no fetch adapter at all
// (1.6): withAuth uses interceptors there.
const apiOld = withAuth(axiosOld.create({ baseURL: apiBase }), auth);
const api17 = withAuth(axios17.create({ baseURL: apiBase }), auth);
const api16 = withAuth(axios16.create({ baseURL: apiBase }), auth);

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

// For the tests, which drive both instances from the page.
window.example = { auth, api, apiOld, api17, api16, axios, axiosOld, axios17, axios16, withAuth, apiBase };
