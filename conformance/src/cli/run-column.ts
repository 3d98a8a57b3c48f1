/**
 * Runs one column's cases through a runner and collects the results, whatever the runner
 * does: a case that hangs past its limit (the runtime stopped answering) or a runner that
 * dies mid-case fails that case, and a fresh runner continues with the cases left. A
 * runner that dies before its first line fails every case with its output as the reason.
 *
 * @module
 */
import type { ErrorSummary, RunnerEvent } from "../runners/protocol.js";
import type { RunnerHandle } from "./runner-handle.js";

/**
 * The raw result of one case in one column.
 *
 * @example
 * ```ts
 * import type { CaseOutcome } from "./run-column.js";
 * const outcome: CaseOutcome = { status: "fail", ms: 12, error: { name: "Error", message: "boom" } };
 * ```
 */
export interface CaseOutcome {
  status: "pass" | "fail" | "skip";
  ms: number;
  error?: ErrorSummary;
}

/**
 * Everything one column produced.
 *
 * @example
 * ```ts
 * import type { ColumnRun } from "./run-column.js";
 * const empty: ColumnRun = { runtime: null, outcomes: new Map(), ms: 0, restarts: 0 };
 * ```
 */
export interface ColumnRun {
  /** What the runner reported as its runtime, e.g. `deno 2.9.6`. */
  runtime: string | null;
  outcomes: Map<string, CaseOutcome>;
  ms: number;
  restarts: number;
}

/** Progress notifications for the live line. */
export type ColumnProgress = { kind: "start"; id: string } | { kind: "result"; id: string; outcome: CaseOutcome };

/** Extra time a runner gets beyond a case's own limit before the CLI gives up on it. */
const GRACE_MS = 15_000;
const STARTUP_MS = 60_000;
const BETWEEN_MS = 30_000;

/**
 * Runs `ids` in order, restarting the runner after a crash or hang.
 *
 * @example
 * ```ts
 * import { runColumn } from "./run-column.js";
 * const run = await runColumn(["close/idempotent"], new Map(), (ids) => startRunner(ids), console.log);
 * ```
 */
export async function runColumn(
  ids: readonly string[],
  limits: ReadonlyMap<string, number>,
  start: (ids: readonly string[]) => Promise<RunnerHandle>,
  progress: (event: ColumnProgress) => void,
): Promise<ColumnRun> {
  const started = Date.now();
  const run: ColumnRun = { runtime: null, outcomes: new Map(), ms: 0, restarts: 0 };
  const settle = (id: string, outcome: CaseOutcome): void => {
    run.outcomes.set(id, outcome);
    progress({ kind: "result", id, outcome });
  };
  let remaining = [...ids];
  while (remaining.length > 0) {
    let handle: RunnerHandle;
    try {
      handle = await start(remaining);
    } catch (error) {
      for (const id of remaining) settle(id, _failure(0, "RunnerError", (error as Error).message));
      break;
    }
    let hello = false;
    let current: string | null = null;
    let since = Date.now();
    let wait = STARTUP_MS;
    let stopped: string | null = null;
    for (;;) {
      const event: RunnerEvent | "end" | "timeout" = await handle.next(wait);
      if (event === "end" || event === "timeout") {
        stopped = event === "timeout" ? `the runner gave no sign of life for ${Math.round(wait / 1000)} s` : "the runner exited";
        break;
      }
      if (event.type === "hello") {
        hello = true;
        run.runtime ??= event.runtime;
        wait = BETWEEN_MS;
      } else if (event.type === "start") {
        current = event.id;
        since = Date.now();
        wait = (limits.get(event.id) ?? 10_000) + GRACE_MS;
        progress({ kind: "start", id: event.id });
      } else if (event.type === "result") {
        current = null;
        remaining = remaining.filter((id) => id !== event.id);
        settle(event.id, { status: event.status, ms: event.ms, ...(event.error === undefined ? {} : { error: event.error }) });
        wait = BETWEEN_MS;
      } else if (event.type === "late") {
        const before = run.outcomes.get(event.id);
        const message = before?.error === undefined ? event.error.message : `${before.error.message}; then: ${event.error.message}`;
        settle(event.id, { status: "fail", ms: before?.ms ?? 0, error: { ...(before?.error ?? event.error), message } });
      } else if (event.type === "done") {
        break;
      }
    }
    if (stopped !== null) await new Promise((resolve) => setTimeout(resolve, 50)); // let the exit status land in the tail
    const tail = handle.tail();
    await handle.stop();
    if (stopped === null) break;
    const detail = `${stopped}${tail === "" ? "" : `. Its last output:\n${tail}`}`;
    if (!hello && run.runtime === null) {
      for (const id of remaining) settle(id, _failure(0, "RunnerError", `The runner failed to start: ${detail}`));
      break;
    }
    // The case that was running is to blame; if its start line was lost with the runner,
    // the first case not yet reported is (each attempt retires at least one case).
    const blamed = current ?? remaining[0];
    if (blamed !== undefined) {
      remaining = remaining.filter((other) => other !== blamed);
      settle(blamed, _failure(current === null ? 0 : Date.now() - since, "RunnerError", `During this case ${detail}`));
    }
    if (remaining.length > 0) run.restarts++;
  }
  run.ms = Date.now() - started;
  return run;
}

function _failure(ms: number, name: string, message: string): CaseOutcome {
  return { status: "fail", ms, error: { name, message } };
}
