/**
 * A running runner, seen from the CLI: a queue of protocol events read from a byte
 * stream (a child's stdout, or workerd's response body), the tail of everything else the
 * runtime printed, and a way to stop it.
 *
 * @module
 */
import { decodeEvent, type RunnerEvent } from "../runners/protocol.js";

/** What {@link RunnerHandle.next} yields besides events. */
export type EndOfEvents = "end" | "timeout";

/**
 * One runner process (or workerd request).
 *
 * @example
 * ```ts
 * import type { RunnerHandle } from "./runner-handle.js";
 * async function drain(handle: RunnerHandle) {
 *   for (let e = await handle.next(30_000); typeof e !== "string"; e = await handle.next(30_000)) console.log(e);
 *   await handle.stop();
 * }
 * ```
 */
export interface RunnerHandle {
  /** The next event, `"end"` when the stream ended, `"timeout"` when none came in time. */
  next(timeoutMs: number): Promise<RunnerEvent | EndOfEvents>;
  /** The last lines of the runtime's own output, and how it exited if it did. */
  tail(): string;
  /** Stops everything this runner started. */
  stop(): Promise<void>;
}

const TAIL_LINES = 30;

/**
 * Collects protocol events and a tail of other output from text streams.
 *
 * @example
 * ```ts
 * import { EventQueue } from "./runner-handle.js";
 * const queue = new EventQueue(false);
 * queue.feed("@@sockets-conformance {\"type\":\"done\"}\n", "stdout");
 * queue.end();
 * await queue.next(1000); // { type: "done" }
 * ```
 */
export class EventQueue {
  readonly #events: (RunnerEvent | "end")[] = [];
  readonly #tail: string[] = [];
  readonly #partial = new Map<string, string>();
  #wake: (() => void) | null = null;
  #ended = false;
  readonly #verbose: boolean;
  note = "";

  constructor(verbose: boolean) {
    this.#verbose = verbose;
  }

  /** Feeds a chunk of text from the named stream. */
  feed(text: string, stream: string): void {
    const lines = ((this.#partial.get(stream) ?? "") + text).split("\n");
    this.#partial.set(stream, lines.pop() ?? "");
    for (const line of lines) this.#line(line);
  }

  /** Marks the end of input: flushes partial lines, then `"end"`. */
  end(): void {
    if (this.#ended) return;
    for (const rest of this.#partial.values()) if (rest !== "") this.#line(rest);
    this.#partial.clear();
    this.#ended = true;
    this.#push("end");
  }

  next(timeoutMs: number): Promise<RunnerEvent | EndOfEvents> {
    const first = this.#events.shift();
    if (first !== undefined) {
      if (first === "end") this.#events.unshift("end");
      return Promise.resolve(first);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve("timeout");
      }, timeoutMs);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve(this.next(0));
      };
    });
  }

  tail(): string {
    return [...this.#tail, this.note].filter(Boolean).join("\n");
  }

  #line(line: string): void {
    const event = decodeEvent(line);
    if (event !== null) return this.#push(event);
    if (line.trim() === "") return;
    if (this.#verbose) process.stderr.write(`  | ${line}\n`);
    this.#tail.push(line.length > 500 ? line.slice(0, 500) + "…" : line);
    if (this.#tail.length > TAIL_LINES) this.#tail.shift();
  }

  #push(event: RunnerEvent | "end"): void {
    this.#events.push(event);
    this.#wake?.();
  }
}
