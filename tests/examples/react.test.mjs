// The Vite 8 React example (StrictMode on) with the packed package.
import { viteExample } from "../e2e/lib/vite-example.mjs";

viteExample("react", "StrictMode's double effects make 1 refresh; unmounted, no lock is held",
  { guardFollowsSignOut: true });
