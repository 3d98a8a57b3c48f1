// node, bun, and deno with node_modules: the bare specifier, resolved by the runtime itself.
import * as m from "@sockets/connect";
import { args, check } from "./check.mjs";

console.log(JSON.stringify(await check(m, args()[0])));
