/**
 * Runner entry for `--exec`: any runtime that can run an ES module.
 *
 * Nothing is known about the host, so everything is feature-detected: `process.on` (Node
 * style) or global `unhandledrejection`/`error` events (web style) for stray errors,
 * `console.log` for output, and `process.exit`/`Deno.exit` when present. Without an exit
 * function the CLI stops the process after the `done` line.
 *
 * @module
 */
import type { Implementation } from "./run-cases.js";
import type { ConformanceCase } from "../cases/types.js";
import type { RunnerConfig } from "./protocol.js";
import { createCaseRunner } from "./run-cases.js";

interface _Host {
  process?: {
    version?: string;
    versions?: Record<string, string>;
    on?: (event: string, listener: (value: unknown, promise?: unknown) => void) => void;
    exit?: (code?: number) => void;
  };
  Deno?: { version?: { deno?: string }; exit?: (code?: number) => void };
  navigator?: { userAgent?: string };
  addEventListener?: (type: string, listener: (event: Event) => void) => void;
}

/**
 * Runs the cases in an unknown ES module runtime.
 *
 * @example
 * ```ts
 * import { connect } from "my-socket-impl";
 * import { cases } from "@sockets/conformance/cases";
 * import { runAnywhere } from "./exec.js";
 * runAnywhere({ connect }, cases, config);
 * ```
 */
export function runAnywhere(impl: Implementation, cases: readonly ConformanceCase[], config: RunnerConfig): void {
  const host = globalThis as unknown as _Host;
  const runner = createCaseRunner({ cases, ...impl, config, runtime: _describe(host), write: (line) => console.log(line) });
  if (typeof host.process?.on === "function") {
    host.process.on("unhandledRejection", (reason, promise) => runner.stray(reason, undefined, promise as Promise<unknown>));
    host.process.on("uncaughtException", (error) => runner.stray(error, "Uncaught exception"));
  } else if (typeof host.addEventListener === "function") {
    host.addEventListener("unhandledrejection", (event) => {
      event.preventDefault();
      runner.stray((event as PromiseRejectionEvent).reason, undefined, (event as PromiseRejectionEvent).promise);
    });
    host.addEventListener("error", (event) => {
      event.preventDefault();
      runner.stray((event as ErrorEvent).error, "Uncaught exception");
    });
  }
  const exit = host.Deno?.exit ?? host.process?.exit;
  runner.run().then(
    () => exit?.(0),
    (error: unknown) => {
      console.error(error);
      exit?.(70);
    },
  );
}

function _describe(host: _Host): string {
  if (host.Deno?.version?.deno !== undefined) return `deno ${host.Deno.version.deno}`;
  const bun = host.process?.versions?.["bun"];
  if (bun !== undefined) return `bun ${bun}`;
  if (host.process?.version !== undefined) return `node ${host.process.version}`;
  return host.navigator?.userAgent ?? "unknown runtime";
}
