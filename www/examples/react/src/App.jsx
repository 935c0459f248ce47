import { useEffect, useState } from "react";
import { AuthProvider, RequireAuth, useAuth } from "tokenrelay/react";
import { auth } from "./auth.js";

// A two-page router in a few lines: the example needs no router package.
function usePath() {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const onPop = () => setPath(location.pathname + location.search);
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  const go = (to, replace = false) => {
    history[replace ? "replaceState" : "pushState"](null, "", to);
    setPath(to);
  };
  return [path, go];
}

function Login({ go }) {
  const { login, error } = useAuth();
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await login({ email: form.get("email"), password: form.get("password") }).catch(() => {});
    go(new URLSearchParams(location.search).get("redirect") || "/", true);
  };
  return (
    <form id="login-form" onSubmit={submit}>
      <input name="email" defaultValue="demo@example.com" />
      <input name="password" type="password" defaultValue="demo" />
      <button id="login">Sign in</button>
      {error && <p id="error">{error.message}</p>}
    </form>
  );
}

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

function Shell({ onUnmount }) {
  const [path, go] = usePath();
  const { status, isSignedIn, logout } = useAuth();
  return (
    <main>
      <p>Status: <b id="status">{status}</b></p>
      <nav>
        <a href="/account" onClick={(e) => { e.preventDefault(); go("/account"); }}>Account</a>
        {isSignedIn && <button id="logout" onClick={() => logout()}>Sign out</button>}
        <button id="unmount" onClick={() => { onUnmount(); auth.dispose(); }}>Unmount</button>
      </nav>
      {path.startsWith("/login") ? <Login go={go} /> : path.startsWith("/account") ? (
        <RequireAuth fallback={<p id="signed-out">Signed out.</p>} onSignedOut={() => go(`/login?redirect=${encodeURIComponent(path)}`, true)}>
          <Account />
        </RequireAuth>
      ) : <p id="home">Home</p>}
    </main>
  );
}

export function App({ onUnmount }) {
  return (
    <AuthProvider client={auth}>
      <Shell onUnmount={onUnmount} />
    </AuthProvider>
  );
}
