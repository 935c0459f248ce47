import { AuthClient } from "tokenrelay/slim";
import { run } from "./run.js";

run(AuthClient);
