/**
 * Runner entry for Deno (bundled with `@sockets/deno`). Deno reports unhandled rejections
 * and uncaught errors as cancelable global events; `preventDefault()` keeps the run alive
 * and the running scenario fails. Needs `--v8-flags=--expose-gc` for heap figures after GC.
 * Deno 2.9 refuses `/proc/self/fd` without `--allow-all` ("Requires all access"), so open
 * file descriptors are counted by the parent from outside (`/proc/<pid>/fd`), asked for
 * over stdin/stdout; the run keeps its narrow `--allow-net` sandbox.
 *
 * @module
 */
import { connect, listen } from "@sockets/deno";
import { scenarios } from "../scenarios/index.mjs";
import { createAsker } from "./_asker.mjs";
import { createRunner } from "./harness.mjs";

/* global __RELIABILITY_CONFIG__, Deno */
const host = {
  runtime: `deno ${Deno.version.deno}`,
  write: (line) => console.log(line),
  fds: () => asker.ask("fds"),
  drive: (request) => asker.ask("drive", { request }),
  heap: () => {
    globalThis.gc?.();
    globalThis.gc?.();
    return Deno.memoryUsage().heapUsed;
  },
};
const asker = createAsker((line) => console.log(line));
const decoder = new TextDecoder();
(async () => {
  for await (const chunk of Deno.stdin.readable) asker.feed(decoder.decode(chunk, { stream: true }));
})();
const runner = createRunner(host, connect, __RELIABILITY_CONFIG__, listen);
globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  runner.stray(event.reason);
});
globalThis.addEventListener("error", (event) => {
  event.preventDefault();
  runner.stray(event.error, "Uncaught exception");
});
runner.run(scenarios).then(
  () => Deno.exit(0),
  (error) => {
    console.error(error);
    Deno.exit(70);
  },
);
