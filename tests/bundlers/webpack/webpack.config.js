// Nothing here is about tokenrelay: two pages, one per entry, and the default asset rules.
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export default {
  mode: "production",
  entry: { default: "./src/default.js", slim: "./src/slim.js" },
  output: { path: path.join(here, "dist"), filename: "[name].js", clean: true },
};
