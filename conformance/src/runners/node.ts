/**
 * Runner entry for Node (also used by Bun, whose `process` behaves the same here).
 *
 * Results go to stdout, one protocol line each. Unhandled rejections and uncaught
 * exceptions are caught with `process.on(...)`, so a defective implementation fails the
 * case it happened in instead of killing the process. The process exits once the last
 * line is written, even if the implementation under test left sockets open.
 *
 * @module
 */
import type { Implementation } from "./run-cases.js";
import type { ConformanceCase } from "../cases/types.js";
import type { RunnerConfig } from "./protocol.js";
import { createCaseRunner } from "./run-cases.js";

/**
 * Runs the cases in this Node (or Bun) process and exits.
 *
 * @example
 * ```ts
 * import { connect } from "@sockets/node";
 * import { cases } from "@sockets/conformance/cases";
 * import { runInProcess } from "./node.js";
 * runInProcess({ connect }, cases, config, `node ${process.version}`);
 * ```
 */
export function runInProcess(
  impl: Implementation,
  cases: readonly ConformanceCase[],
  config: RunnerConfig,
  runtime: string = `node ${process.version}`,
): void {
  const runner = createCaseRunner({
    cases,
    ...impl,
    config,
    runtime,
    write: (line) => new Promise<void>((resolve) => process.stdout.write(line + "\n", () => resolve())),
  });
  process.on("unhandledRejection", (reason, promise) => runner.stray(reason, undefined, promise));
  process.on("uncaughtException", (error) => runner.stray(error, "Uncaught exception"));
  runner.run().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(70);
    },
  );
}
