/**
 * The wire protocol between the CLI (on Node) and a runner (inside the target runtime).
 *
 * A runner writes one line per event: the {@link LINE_PREFIX} followed by a JSON
 * {@link RunnerEvent}. Anything else the runtime prints is not part of the protocol (the
 * CLI keeps the last lines for diagnostics). Portable: no runtime globals.
 *
 * @module
 */
import type { PeerDirectory } from "../cases/types.js";

/**
 * Marks a protocol line; other output of the runtime is ignored.
 *
 * @example
 * ```ts
 * import { LINE_PREFIX } from "@sockets/conformance";
 * const isEvent = (line: string) => line.startsWith(LINE_PREFIX);
 * ```
 */
export const LINE_PREFIX: string = "@@sockets-conformance ";

/**
 * What the CLI bakes into a runner bundle.
 *
 * @example
 * ```ts
 * import type { RunnerConfig } from "@sockets/conformance";
 * import { startFixtures } from "@sockets/conformance/fixtures";
 * const fixtures = await startFixtures();
 * const config: RunnerConfig = { peers: fixtures.peers, privateCa: fixtures.privateCa, serverTls: fixtures.serverTls, ids: ["close/idempotent"], defaultTimeout: 10_000, settleMs: 25 };
 * ```
 */
export interface RunnerConfig {
  readonly peers: PeerDirectory;
  /** PEM of the private CA (for `caCerts` cases). */
  readonly privateCa: string;
  /** The case IDs to run, in order. */
  readonly ids: readonly string[];
  /** Per-case time limit when a case sets none, in milliseconds. */
  readonly defaultTimeout: number;
  /** How long to wait after a case for late unhandled rejections, in milliseconds. */
  readonly settleMs: number;
  /** The runtime's name and version when the CLI knows it better than the runner. */
  readonly runtime?: string;
  /** A server certificate (test CA; `localhost`, `127.0.0.1`, `::1`) and its key, for `server` cases. */
  readonly serverTls: { readonly cert: string; readonly key: string };
}

/**
 * A failure as it crosses the process boundary.
 *
 * @example
 * ```ts
 * import type { ErrorSummary } from "@sockets/conformance";
 * const e: ErrorSummary = { name: "AssertionError", message: "expected 3, got 2" };
 * ```
 */
export interface ErrorSummary {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

/**
 * One event from a runner. `late` reports an unhandled rejection or uncaught error that
 * surfaced after its case had already been reported: the CLI turns that case into a failure.
 *
 * @example
 * ```ts
 * import type { RunnerEvent } from "@sockets/conformance";
 * const event: RunnerEvent = { type: "result", id: "close/idempotent", status: "pass", ms: 3 };
 * ```
 */
export type RunnerEvent =
  | { type: "hello"; runtime: string; total: number }
  | { type: "start"; id: string }
  | { type: "result"; id: string; status: "pass" | "fail" | "skip"; ms: number; error?: ErrorSummary }
  | { type: "late"; id: string; error: ErrorSummary }
  | { type: "done" };

/**
 * Turns any thrown value into an {@link ErrorSummary}.
 *
 * @example
 * ```ts
 * import { summarizeError } from "@sockets/conformance";
 * summarizeError(new TypeError("bad")); // { name: "TypeError", message: "bad", stack: "…" }
 * ```
 */
export function summarizeError(error: unknown): ErrorSummary {
  if (error instanceof Error || (typeof error === "object" && error !== null && "message" in error)) {
    const e = error as { name?: unknown; message?: unknown; code?: unknown; stack?: unknown };
    const summary: ErrorSummary = { name: String(e.name ?? "Error"), message: String(e.message) };
    if (typeof e.code === "string") summary.code = e.code;
    if (typeof e.stack === "string") summary.stack = e.stack.split("\n").slice(0, 8).join("\n");
    return summary;
  }
  return { name: typeof error, message: _describe(error) };
}

/**
 * Encodes one event as a protocol line (without the trailing newline).
 *
 * @example
 * ```ts
 * import { encodeEvent } from "@sockets/conformance";
 * console.log(encodeEvent({ type: "done" }));
 * ```
 */
export function encodeEvent(event: RunnerEvent): string {
  return LINE_PREFIX + JSON.stringify(event);
}

/**
 * Decodes a protocol line, or returns `null` for any other output.
 *
 * @example
 * ```ts
 * import { decodeEvent, encodeEvent } from "@sockets/conformance";
 * decodeEvent(encodeEvent({ type: "done" })); // { type: "done" }
 * decodeEvent("some runtime warning"); // null
 * ```
 */
export function decodeEvent(line: string): RunnerEvent | null {
  const at = line.indexOf(LINE_PREFIX);
  if (at === -1) return null;
  try {
    return JSON.parse(line.slice(at + LINE_PREFIX.length)) as RunnerEvent;
  } catch {
    return null;
  }
}

function _describe(value: unknown): string {
  try {
    return typeof value === "string" ? value : String(JSON.stringify(value) ?? value);
  } catch {
    return String(value);
  }
}
