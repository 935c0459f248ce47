// tokenrelay/react as a React 19 app uses it.
import { AuthClient } from "tokenrelay";
import { AuthProvider, RequireAuth, useAuth, useAuthState } from "tokenrelay/react";
import type { AuthState } from "tokenrelay";

const auth = new AuthClient({ apiBase: "https://api.example.com" });

function Profile() {
  const { user, status, isLoading, isSignedIn, error, login, logout, fetch, client, state } = useAuth();
  const other: AuthState = useAuthState(auth);
  const same: AuthState = useAuthState();
  const email = typeof user?.email === "string" ? user.email : "";
  const onClick = async () => {
    await login({ email, password: "x" });
    const res: Response = await fetch("/api/me");
    await logout();
    console.log(res.status, client.state.status);
  };
  // @ts-expect-error the result is read-only
  useAuth().status = "signedIn";
  return <button onClick={onClick} disabled={isLoading || !isSignedIn}>{status} {error?.message} {state.status} {other.status} {same.status}</button>;
}

export function App() {
  return (
    <AuthProvider client={auth}>
      <RequireAuth fallback={<p>Please sign in</p>} onSignedOut={() => console.log("signed out")}>
        <Profile />
      </RequireAuth>
      {/* @ts-expect-error a client is required */}
      <AuthProvider>x</AuthProvider>
    </AuthProvider>
  );
}
