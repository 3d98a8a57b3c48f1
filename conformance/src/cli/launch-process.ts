/**
 * Starts a runner as a child process (node, deno, bun, or an `--exec` command) and reads
 * its protocol lines from stdout; stderr only feeds the diagnostic tail.
 *
 * @module
 */
import { exited, startChild, stopChild } from "./children.js";
import { EventQueue, type RunnerHandle } from "./runner-handle.js";

/**
 * How to start one runner process.
 *
 * @example
 * ```ts
 * import type { ProcessSpec } from "./launch-process.js";
 * const spec: ProcessSpec = { command: process.execPath, args: ["runner.mjs"], env: { NODE_EXTRA_CA_CERTS: "ca.pem" }, cwd: "/tmp" };
 * ```
 */
export interface ProcessSpec {
  command: string;
  args: readonly string[];
  /** Added to the CLI's own environment. */
  env: Record<string, string>;
  cwd: string;
  /** Run `command` through the shell (for `--exec`). */
  shell?: boolean;
}

/**
 * Starts the process and returns its handle.
 *
 * @example
 * ```ts
 * import { launchProcess } from "./launch-process.js";
 * const handle = launchProcess({ command: process.execPath, args: ["runner.mjs"], env: {}, cwd: "/tmp" }, false);
 * ```
 */
export function launchProcess(spec: ProcessSpec, verbose: boolean): RunnerHandle {
  const queue = new EventQueue(verbose);
  const child = startChild(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...spec.env },
    stdio: ["ignore", "pipe", "pipe"],
    shell: spec.shell ?? false,
  });
  child.stdout?.setEncoding("utf8").on("data", (text: string) => queue.feed(text, "stdout"));
  child.stderr?.setEncoding("utf8").on("data", (text: string) => queue.feed(text, "stderr"));
  let open = 2;
  const closeOne = (): void => {
    if (--open === 0) void exited(child).then((how) => ((queue.note = `(${how})`), queue.end()));
  };
  child.stdout?.on("close", closeOne);
  child.stderr?.on("close", closeOne);
  child.once("error", (error) => {
    queue.note = `Cannot start ${spec.command}: ${error.message}`;
    queue.end();
  });
  return {
    next: (ms) => queue.next(ms),
    tail: () => queue.tail(),
    stop: () => stopChild(child),
  };
}
