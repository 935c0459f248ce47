import { cookies } from "next/headers";
import { tokenrelay } from "../../lib/tokenrelay.js";

// Rendered on the server with the user's access token (refreshed by proxy.js if it was due).
export default async function Account() {
  const token = tokenrelay.accessToken(await cookies());
  let me = null;
  if (token) {
    const res = await fetch(`${tokenrelay.options.apiBase}/api/me`,
      { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" });
    if (res.ok) me = await res.json();
  }
  return <main><h1>Account</h1><p>Server saw: <span id="server-user">{me?.email ?? "nobody"}</span></p></main>;
}
