"use client";
// tokenrelay/react: the client's state as React state. The client is made by the app (at module
// scope); these bindings only read it, so StrictMode and HMR remounts never make a second one.
import { createContext, createElement, useCallback, useContext, useEffect, useMemo, useRef, useSyncExternalStore } from "react";

/** What the server renders and hydration starts from: the session is not known yet. */
const UNKNOWN = Object.freeze({ status: "unknown", user: null, expiresAt: null, error: null });
const serverSnapshot = () => UNKNOWN;

const AuthContext = createContext(null);
/** Clients started by a provider: StrictMode's second effect and HMR remounts start none again. */
const started = new WeakSet();

/** Provides `client` to `useAuth()` and calls `client.start()` once, when first mounted. */
export function AuthProvider({ client, children }) {
  useEffect(() => {
    if (started.has(client)) return;
    started.add(client);
    // The outcome is in the state; start() rejects only when the client was disposed.
    client.start().catch(() => {});
  }, [client]);
  return createElement(AuthContext.Provider, { value: client }, children);
}

function useClient(client) {
  const provided = useContext(AuthContext);
  const found = client ?? provided;
  if (!found) throw new Error("tokenrelay/react: no client (wrap the app in <AuthProvider client={auth}> or pass one)");
  return found;
}

/** The state of `client` (default: the provider's), re-rendering on every change. */
export function useAuthState(client) {
  const auth = useClient(client);
  const subscribe = useCallback((onChange) => auth.subscribe(onChange), [auth]);
  const snapshot = useCallback(() => auth.state, [auth]);
  return useSyncExternalStore(subscribe, snapshot, serverSnapshot);
}

/** The state of the provider's client, its parts, and its methods. */
export function useAuth() {
  const client = useClient();
  const state = useAuthState(client);
  const methods = useMemo(() => ({
    login: (credentials) => client.login(credentials),
    logout: () => client.logout(),
    fetch: (input, init) => client.fetch(input, init),
  }), [client]);
  const { status, user, error } = state;
  return {
    state, status, user, error,
    isLoading: status === "unknown",
    isSignedIn: status === "signedIn" || (status === "refreshing" && user !== null),
    ...methods,
    client,
  };
}

/**
 * Renders `children` only when signed in (also while a signed-in session refreshes),
 * `fallback` when signed out, and nothing while the session is not known yet, so neither
 * side flashes. Calls `onSignedOut` once per sign-out, never while the state is unknown.
 */
export function RequireAuth({ children, fallback = null, onSignedOut }) {
  const { status, isSignedIn } = useAuth();
  const reported = useRef(false);
  const latest = useRef(onSignedOut);
  latest.current = onSignedOut;
  useEffect(() => {
    if (status === "signedOut" && !reported.current) {
      reported.current = true;
      latest.current?.();
    } else if (status !== "signedOut") {
      reported.current = false;
    }
  }, [status]);
  if (isSignedIn) return children;
  return status === "signedOut" ? fallback : null;
}
