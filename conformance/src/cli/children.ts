/**
 * Every process the CLI starts goes through here, so every one of them is stopped:
 * each child gets its own process group (a wrapper such as `sh -c` or a runtime's npm
 * launcher cannot leave a grandchild behind), and stopping sends SIGTERM to the group,
 * waits up to 3 s, then SIGKILL.
 *
 * @module
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

const GRACE_MS = 3_000;
const live = new Set<ChildProcess>();

/**
 * Starts a child process in its own process group and tracks it until it exits.
 *
 * @example
 * ```ts
 * import { startChild, stopChild } from "./children.js";
 * const child = startChild(process.execPath, ["runner.mjs"], { stdio: ["ignore", "pipe", "pipe"] });
 * await stopChild(child);
 * ```
 */
export function startChild(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  live.add(child);
  child.once("exit", () => live.delete(child));
  child.once("error", () => live.delete(child));
  return child;
}

/**
 * Resolves when the child has exited (at once if it already has).
 *
 * @example
 * ```ts
 * import type { ChildProcess } from "node:child_process";
 * import { exited } from "./children.js";
 * declare const child: ChildProcess;
 * const code = await exited(child); // exit code, or the signal name
 * ```
 */
export function exited(child: ChildProcess): Promise<string> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(_describe(child.exitCode, child.signalCode));
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve(_describe(code, signal)));
    child.once("error", (error) => resolve(`spawn error: ${error.message}`));
  });
}

/**
 * Stops a child: SIGTERM to its process group, up to 3 s, then SIGKILL.
 *
 * @example
 * ```ts
 * import type { ChildProcess } from "node:child_process";
 * import { stopChild } from "./children.js";
 * declare const child: ChildProcess;
 * await stopChild(child);
 * ```
 */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (!live.has(child)) return;
  const done = exited(child);
  _signal(child, "SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    done.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), GRACE_MS))),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    _signal(child, "SIGKILL");
    await done;
  }
  // The group may still hold a grandchild after the leader exited.
  _signal(child, "SIGKILL");
}

/**
 * Stops every child still running.
 *
 * @example
 * ```ts
 * import { stopAllChildren } from "./children.js";
 * process.once("SIGINT", () => void stopAllChildren().then(() => process.exit(130)));
 * ```
 */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...live].map((child) => stopChild(child)));
}

function _signal(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

function _describe(code: number | null, signal: string | null): string {
  return signal !== null ? `killed by ${signal}` : `exit code ${code}`;
}
