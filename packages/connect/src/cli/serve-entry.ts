/**
 * The script `sockets-serve` starts inside Deno or Bun (and runs in-process on Node):
 * `runServe` with this process's arguments, then exit with its code (sockets a handler
 * left open must not keep the process alive after a stop).
 *
 * @module
 */
import { runServe } from "./serve-main.js";

process.exit(await runServe(process.argv.slice(2)));
