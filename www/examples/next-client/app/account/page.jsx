"use client";
import { useState } from "react";
import { usePathname, useRouter } from "next/navigation";
import { RequireAuth, useAuth } from "tokenrelay/react";

function Account() {
  const { user, fetch } = useAuth();
  const [result, setResult] = useState("");
  const burst = async () => {
    setResult("");
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch("/api/me").then((r) => r.status)));
    setResult(answers.join(","));
  };
  return (
    <section id="account">
      <p>Signed in as <b id="user">{String(user?.email)}</b></p>
      <button id="burst" onClick={burst}>20 calls</button>
      <output id="burst-result">{result}</output>
    </section>
  );
}

export default function AccountPage() {
  const router = useRouter();
  const path = usePathname();
  return (
    <RequireAuth fallback={<p id="signed-out">Signed out.</p>} onSignedOut={() => router.replace(`/login?redirect=${encodeURIComponent(path)}`)}>
      <Account />
    </RequireAuth>
  );
}
