import { AuthClient } from "tokenrelay";
import { run } from "./run.js";

run(AuthClient);
