/**
 * Runner entry for Node (bundled with `@sockets/node`). Unhandled rejections and uncaught
 * exceptions are caught with `process.on(...)` and charged to the running scenario.
 * Needs `--expose-gc` for heap figures after GC. Open file descriptors are counted by the
 * parent from outside (`/proc/<pid>/fd`), asked for over stdin/stdout.
 *
 * @module
 */
import { connect } from "@sockets/node";
import { scenarios } from "../scenarios/index.mjs";
import { createRunner, LINE_PREFIX } from "./harness.mjs";

/* global __RELIABILITY_CONFIG__ */
const host = {
  runtime: `node ${process.version}`,
  write: (line) => new Promise((resolve) => process.stdout.write(line + "\n", () => resolve())),
  fds: () => askParent("fds"),
  heap: () => {
    globalThis.gc?.();
    globalThis.gc?.();
    return process.memoryUsage().heapUsed;
  },
};
/** Asks the parent (which counts /proc/<pid>/fd from outside) and reads its answer line from stdin. */
const answers = [];
let stdinText = "";
process.stdin.setEncoding("utf8").on("data", (text) => {
  stdinText += text;
  let at;
  while ((at = stdinText.indexOf("\n")) >= 0) {
    answers.shift()?.(Number(stdinText.slice(0, at)));
    stdinText = stdinText.slice(at + 1);
  }
});
function askParent(type) {
  return new Promise((resolve) => {
    answers.push(resolve);
    process.stdout.write(LINE_PREFIX + JSON.stringify({ type }) + "\n");
  });
}
const runner = createRunner(host, connect, __RELIABILITY_CONFIG__);
process.on("unhandledRejection", (reason) => runner.stray(reason));
process.on("uncaughtException", (error) => runner.stray(error, "Uncaught exception"));
runner.run(scenarios).then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(70);
  },
);
