// A server component (no "use client"): tokenrelay imports and runs on the server, inert there.
import { AuthClient, isTokenRelayError } from "tokenrelay";

export const dynamic = "force-dynamic"; // rendered for each request, not only by the build

export default async function ServerPage() {
  const auth = new AuthClient({ apiBase: process.env.NEXT_PUBLIC_API_BASE || "http://127.0.0.1:8000" });
  const started = await auth.start();
  const refused = await auth.fetch("/api/me").then(() => null, (e) => e);
  const text = `on the server: state ${auth.state.status}, start() ${started.status}, `
    + `fetch() ${isTokenRelayError(refused) ? refused.code : "answered"}`;
  return <p id="server-render">{text}</p>;
}
