// tokenrelay/react: <AuthProvider>, useAuth(), useAuthState() and <RequireAuth>.
import type { ReactNode } from "react";
import type { AuthClient, AuthState, AuthStatus, AuthUser, AuthError } from "./lib/types.js";

/** The client as React code sees it (both entries' `AuthClient` fit). */
type Client = Pick<AuthClient, "state" | "subscribe" | "start" | "login" | "logout" | "fetch">;

export interface AuthProviderProps {
  /** A client made once, at module scope; the provider starts it and never disposes it. */
  client: Client;
  children?: ReactNode;
}
/** Provides `client` to `useAuth()` and calls `client.start()` once mounted. */
export declare function AuthProvider(props: AuthProviderProps): ReactNode;

/** The state of `client` (default: the provider's), re-rendering on every change. */
export declare function useAuthState(client?: Client): AuthState;

/** What `useAuth()` returns. */
export interface UseAuthResult {
  readonly state: AuthState;
  readonly status: AuthStatus;
  readonly user: AuthUser | null;
  readonly error: AuthError | null;
  /** `status === "unknown"`: `start()` has not settled yet. */
  readonly isLoading: boolean;
  /** Signed in, also while a signed-in session refreshes. */
  readonly isSignedIn: boolean;
  login(credentials: unknown): Promise<AuthState>;
  logout(): Promise<AuthState & { readonly confirmed: boolean }>;
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  readonly client: Client;
}
/** The state of the provider's client, its parts, and its methods. */
export declare function useAuth(): UseAuthResult;

export interface RequireAuthProps {
  children?: ReactNode;
  /** Shown when signed out (nothing is shown while the state is unknown). Default: nothing. */
  fallback?: ReactNode;
  /** Called once per sign-out (never while the state is unknown), e.g. to navigate to login. */
  onSignedOut?: () => void;
}
/** Renders `children` only when signed in, `fallback` when signed out, nothing before it is known. */
export declare function RequireAuth(props: RequireAuthProps): ReactNode;
