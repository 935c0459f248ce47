"use client";
import { AuthProvider, useAuth } from "tokenrelay/react";
import Link from "next/link";
import { auth } from "./auth.js";

function Header() {
  const { status, isSignedIn, logout } = useAuth();
  return (
    <>
      <p>Status: <b id="status">{status}</b></p>
      <nav>
        <Link href="/account">Account</Link>
        {isSignedIn && <button id="logout" onClick={() => logout()}>Sign out</button>}
      </nav>
    </>
  );
}

export function Providers({ children }) {
  return (
    <AuthProvider client={auth}>
      <Header />
      {children}
    </AuthProvider>
  );
}
