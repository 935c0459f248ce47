import { useEffect, useState } from "react";
import { QueryClientProvider, useQuery } from "@tanstack/react-query";
import { AuthProvider, RequireAuth, useAuth } from "tokenrelay/react";
import { auth } from "./auth.js";
import { queryClient } from "./queries.js";

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
      <Profiles />
    </section>
  );
}

// TanStack Query: the queryFn hands its signal to auth.fetch. When a query's last component
// unmounts, TanStack aborts the signal and the call rejects at once with an AbortError, even
// while it waits for a refresh (which goes on for the other queries); TanStack ignores it: no
// error state.
const me = async ({ signal }) => {
  const res = await auth.fetch("/api/me", { signal });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
};

function Profile({ name, round, onSettled }) {
  const { data, error, isPending } = useQuery({
    queryKey: ["me", name, round],
    // `me` as is, and what its promise settled with, when, in the log below.
    queryFn: (context) => me(context).then(
      (claims) => { onSettled(name, "ok"); return claims; },
      (e) => { onSettled(name, e.name); throw e; },
    ),
  });
  return (
    <p id={`profile-${name}`}>
      {error ? <span className="query-error">{error.message}</span> : isPending ? "Loading" : data.email}
    </p>
  );
}

// Two profile panels that load at once; one can be closed while they load.
function Profiles() {
  const [round, setRound] = useState(0);
  const [open, setOpen] = useState({ kept: false, closed: false });
  const [log, setLog] = useState([]);
  const onSettled = (name, outcome) => {
    const at = performance.now();
    setLog((entries) => [...entries, { name, outcome, at }]);
  };
  const load = () => {
    setLog([]);
    setRound((r) => r + 1);
    setOpen({ kept: true, closed: true });
  };
  return (
    <div id="profiles">
      <button id="profiles-load" onClick={load}>Load two profiles</button>
      <button id="profiles-close-one" onClick={() => setOpen((o) => ({ ...o, closed: false }))}>Close one</button>
      <button id="profiles-close-all" onClick={() => setOpen({ kept: false, closed: false })}>Close both</button>
      {open.kept && <Profile name="kept" round={round} onSettled={onSettled} />}
      {open.closed && <Profile name="closed" round={round} onSettled={onSettled} />}
      <ol id="query-log">
        {log.map(({ name, outcome, at }) => (
          <li key={name} data-name={name} data-outcome={outcome} data-at={at}>{name}: {outcome}</li>
        ))}
      </ol>
    </div>
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
      <QueryClientProvider client={queryClient}>
        <Shell onUnmount={onUnmount} />
      </QueryClientProvider>
    </AuthProvider>
  );
}
