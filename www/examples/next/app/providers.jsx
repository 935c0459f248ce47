"use client";
import { AuthProvider, useAuth } from "tokenrelay/react";
import { auth } from "../lib/auth-client.js";

function StatusBar() {
  const { status, user, isSignedIn, logout } = useAuth();
  return (
    <p>
      Status: <span id="status">{status}</span> <span id="user">{user?.email ?? ""}</span>{" "}
      {isSignedIn && <button id="logout" onClick={() => logout()}>Sign out</button>}
    </p>
  );
}

export function Providers({ children }) {
  return <AuthProvider client={auth}><StatusBar />{children}</AuthProvider>;
}
