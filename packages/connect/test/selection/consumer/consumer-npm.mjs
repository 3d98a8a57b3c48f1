// deno with an npm: specifier: Deno's own npm resolver fetches the package (from the
// local registry run-all.mjs serves the packed tarballs on) into its global cache.
import * as m from "npm:@sockets/connect";
import { args, check } from "./check.mjs";

console.log(JSON.stringify(await check(m, args()[0])));
