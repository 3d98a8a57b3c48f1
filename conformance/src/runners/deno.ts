/**
 * Runner entry for Deno.
 *
 * Deno reports unhandled rejections and uncaught errors as cancelable global events
 * (`unhandledrejection`, `error`); `preventDefault()` keeps the process alive so the case
 * fails instead of the run. Results go to stdout through `console.log` (synchronous in
 * Deno). `Deno.exit` ends the run even if the implementation left sockets open.
 *
 * @module
 */
import type { Implementation } from "./run-cases.js";
import type { ConformanceCase } from "../cases/types.js";
import type { RunnerConfig } from "./protocol.js";
import { createCaseRunner } from "./run-cases.js";

declare const Deno: { version: { deno: string }; exit(code?: number): never };

/**
 * Runs the cases in this Deno process and exits.
 *
 * @example
 * ```ts
 * import { connect } from "@sockets/deno";
 * import { cases } from "@sockets/conformance/cases";
 * import { runOnDeno } from "./deno.js";
 * runOnDeno({ connect }, cases, config);
 * ```
 */
export function runOnDeno(impl: Implementation, cases: readonly ConformanceCase[], config: RunnerConfig): void {
  const runner = createCaseRunner({ cases, ...impl, config, runtime: `deno ${Deno.version.deno}`, write: (line) => console.log(line) });
  globalThis.addEventListener("unhandledrejection", (event: PromiseRejectionEvent) => {
    event.preventDefault();
    runner.stray(event.reason, undefined, event.promise);
  });
  globalThis.addEventListener("error", (event: ErrorEvent) => {
    event.preventDefault();
    runner.stray(event.error, "Uncaught exception");
  });
  runner.run().then(
    () => Deno.exit(0),
    (error: unknown) => {
      console.error(error);
      Deno.exit(70);
    },
  );
}
