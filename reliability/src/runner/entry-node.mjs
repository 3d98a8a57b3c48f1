/**
 * Runner entry for Node (bundled with `@sockets/node`). Unhandled rejections and uncaught
 * exceptions are caught with `process.on(...)` and charged to the running scenario.
 * Needs `--expose-gc` for heap figures after GC. Open file descriptors are counted by the
 * parent from outside (`/proc/<pid>/fd`), asked for over stdin/stdout.
 *
 * @module
 */
import { connect, listen } from "@sockets/node";
import { scenarios } from "../scenarios/index.mjs";
import { createAsker } from "./_asker.mjs";
import { createRunner } from "./harness.mjs";

/* global __RELIABILITY_CONFIG__ */
const host = {
  runtime: `node ${process.version}`,
  write: (line) => new Promise((resolve) => process.stdout.write(line + "\n", () => resolve())),
  fds: () => asker.ask("fds"),
  drive: (request) => asker.ask("drive", { request }),
  heap: () => {
    globalThis.gc?.();
    globalThis.gc?.();
    return process.memoryUsage().heapUsed;
  },
};
/** Asks the parent (which counts /proc/<pid>/fd and runs the Node clients) over stdout; answers come on stdin. */
const asker = createAsker((line) => process.stdout.write(line + "\n"));
process.stdin.setEncoding("utf8").on("data", (text) => asker.feed(text));
const runner = createRunner(host, connect, __RELIABILITY_CONFIG__, listen);
process.on("unhandledRejection", (reason) => runner.stray(reason));
process.on("uncaughtException", (error) => runner.stray(error, "Uncaught exception"));
runner.run(scenarios).then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(70);
  },
);
