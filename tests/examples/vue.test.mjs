// The Vite 7 Vue example with vue-router and authGuard, with the packed package (Vite 7's dev
// pre-bundling is where a `new URL("x.wasm", import.meta.url)` breaks: the default entry has none).
import { viteExample } from "../e2e/lib/vite-example.mjs";

viteExample("vue", "sign in, reload: 1 refresh; unmounted, no lock is held");
