/**
 * Runner entry for Bun (bundled with `@sockets/bun`). Bun implements
 * `process.on("unhandledRejection")` like Node; the heap figure is JSC's heap size after
 * a synchronous full collection (`Bun.gc(true)`). Open file descriptors are counted by the
 * parent from outside (`/proc/<pid>/fd`), asked for over stdin/stdout.
 *
 * @module
 */
import { heapSize } from "bun:jsc";
import { connect, listen } from "@sockets/bun";
import { scenarios } from "../scenarios/index.mjs";
import { createAsker } from "./_asker.mjs";
import { createRunner } from "./harness.mjs";

/* global __RELIABILITY_CONFIG__, Bun */
const host = {
  runtime: `bun ${Bun.version}`,
  write: (line) => new Promise((resolve) => process.stdout.write(line + "\n", () => resolve())),
  fds: () => asker.ask("fds"),
  drive: (request) => asker.ask("drive", { request }),
  heap: () => {
    Bun.gc(true);
    Bun.gc(true);
    return heapSize();
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
