import path from "node:path";
import { fileURLToPath } from "node:url";

// This folder is the project root (the repository around it has lockfiles of its own).
const root = path.dirname(fileURLToPath(import.meta.url));

/** @type {import("next").NextConfig} */
export default { turbopack: { root }, outputFileTracingRoot: root };
