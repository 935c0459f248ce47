// The Next 16 example www/examples/next with tokenrelay/next, on both runtimes of Next's
// middleware: proxy.js (Node) and middleware.edge.js (the edge runtime, built with EDGE=1). The
// scenarios are in next-suite.mjs.
import path from "node:path";
import { root } from "../e2e/lib/server.mjs";
import { prepareConsumer } from "../e2e/lib/pack.mjs";
import { nextSuite, RUNTIMES } from "./next-suite.mjs";

const dir = path.join(root, "www/examples/next");
nextSuite({ prepare: async () => { prepareConsumer(dir); return dir; }, runtimes: RUNTIMES });
