/**
 * Runner entry for Bun. Bun implements `process.on("unhandledRejection")` and
 * `process.stdout` like Node, so this is the Node entry with Bun's version in the report.
 *
 * @module
 */
import type { Implementation } from "./run-cases.js";
import type { ConformanceCase } from "../cases/types.js";
import type { RunnerConfig } from "./protocol.js";
import { runInProcess } from "./node.js";

declare const Bun: { version: string };

/**
 * Runs the cases in this Bun process and exits.
 *
 * @example
 * ```ts
 * import { connect } from "@sockets/bun";
 * import { cases } from "@sockets/conformance/cases";
 * import { runOnBun } from "./bun.js";
 * runOnBun({ connect }, cases, config);
 * ```
 */
export function runOnBun(impl: Implementation, cases: readonly ConformanceCase[], config: RunnerConfig): void {
  runInProcess(impl, cases, config, `bun ${Bun.version}`);
}
