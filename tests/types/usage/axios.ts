// tokenrelay/axios with real axios instances: 1.21 (fetch adapter) and 1.11 (interceptors).
import axios from "axios";
import axiosOld from "axios-1-11";
import { AuthClient } from "tokenrelay";
import { withAuth } from "tokenrelay/axios";

const auth = new AuthClient({ apiBase: "https://api.example.com" });
const api = withAuth(axios.create({ baseURL: "https://api.example.com" }), auth);
const apiOld = withAuth(axiosOld.create({ baseURL: "https://api.example.com" }), auth);

export async function use(): Promise<void> {
  const { status, data } = await api.get<{ email: string }>("/api/me");
  const email: string = data.email;
  const old: number = (await apiOld.post("/api/echo", { note: "kept" })).status;
  const allowed: boolean = await auth.sendsToken("https://api.example.com/api/me");
  console.log(status, email, old, allowed);
  // @ts-expect-error: not an axios instance
  withAuth({}, auth);
  // @ts-expect-error: not a tokenrelay client
  withAuth(axios.create(), { fetch: globalThis.fetch });
}
