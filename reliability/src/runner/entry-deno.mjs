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
import { connect } from "@sockets/deno";
import { scenarios } from "../scenarios/index.mjs";
import { createRunner, LINE_PREFIX } from "./harness.mjs";

/* global __RELIABILITY_CONFIG__, Deno */
const host = {
  runtime: `deno ${Deno.version.deno}`,
  write: (line) => console.log(line),
  fds: () => askParent("fds"),
  heap: () => {
    globalThis.gc?.();
    globalThis.gc?.();
    return Deno.memoryUsage().heapUsed;
  },
};
const answers = [];
const decoder = new TextDecoder();
let stdinText = "";
(async () => {
  for await (const chunk of Deno.stdin.readable) {
    stdinText += decoder.decode(chunk, { stream: true });
    let at;
    while ((at = stdinText.indexOf("\n")) >= 0) {
      answers.shift()?.(Number(stdinText.slice(0, at)));
      stdinText = stdinText.slice(at + 1);
    }
  }
})();
/** Asks the parent and reads its answer line from stdin. */
function askParent(type) {
  return new Promise((resolve) => {
    answers.push(resolve);
    console.log(LINE_PREFIX + JSON.stringify({ type }));
  });
}
const runner = createRunner(host, connect, __RELIABILITY_CONFIG__);
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
