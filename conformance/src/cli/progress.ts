/**
 * The live progress line on stderr: `[node] 37/112 close/flushes-pending-writes ✓`,
 * rewritten in place on a terminal. Off a terminal (CI logs) it prints only unexpected
 * results as they happen and one summary line per column.
 *
 * @module
 */
import type { CellStatus } from "./expectations.js";
import { SYMBOL } from "./report.js";

/**
 * Progress reporting for one run.
 *
 * @example
 * ```ts
 * import { Progress } from "./progress.js";
 * const progress = new Progress(process.stderr);
 * progress.begin("node", 112);
 * progress.running("close/idempotent");
 * progress.settled("close/idempotent", "pass");
 * progress.end();
 * ```
 */
export class Progress {
  readonly #out: NodeJS.WriteStream;
  readonly #live: boolean;
  #column = "";
  #total = 0;
  #done = 0;
  #counts: Record<CellStatus, number> = { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0 };
  readonly #seen = new Map<string, CellStatus>();
  #lastWhy = "";
  #repeats = 0;
  #started = 0;

  constructor(out: NodeJS.WriteStream) {
    this.#out = out;
    this.#live = out.isTTY === true && process.env["CI"] === undefined;
  }

  /** A column starts. */
  begin(column: string, total: number): void {
    this.#column = column;
    this.#total = total;
    this.#done = 0;
    this.#counts = { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0 };
    this.#seen.clear();
    this.#started = Date.now();
    this.#line(`starting ${column}…`);
  }

  /** A case starts running. */
  running(id: string): void {
    this.#line(`${id} …`);
  }

  /** A case has a result (a result can be revised: a late unhandled rejection). */
  settled(id: string, status: CellStatus, message?: string): void {
    const before = this.#seen.get(id);
    if (before === undefined) this.#done++;
    else this.#counts[before]--;
    this.#seen.set(id, status);
    this.#counts[status]++;
    if (status === "fail" || status === "xpass") {
      const why = (status === "xpass" ? "passes but is expected to fail" : (message ?? "failed")).split("\n")[0] ?? "";
      if (why === this.#lastWhy) this.#repeats++;
      else {
        this.#flushRepeats();
        this.#print(`[${this.#column}] ${SYMBOL[status]} ${id}: ${why}`);
      }
      this.#lastWhy = why;
    }
    this.#line(`${id} ${SYMBOL[status]}`);
  }

  /** A column is over. */
  end(): void {
    this.#flushRepeats();
    this.#lastWhy = "";
    const c = this.#counts;
    const summary = `[${this.#column}] ${this.#done}/${this.#total} in ${((Date.now() - this.#started) / 1000).toFixed(1)} s: ${c.pass} ${SYMBOL.pass}  ${c.xfail} ${SYMBOL.xfail}  ${c.skip} ${SYMBOL.skip}  ${c.fail} ${SYMBOL.fail}  ${c.xpass} ${SYMBOL.xpass}`;
    this.#print(summary);
  }

  /** Prints a message above the live line. */
  note(message: string): void {
    this.#print(message);
  }

  #flushRepeats(): void {
    if (this.#repeats > 0) this.#print(`[${this.#column}]   … and ${this.#repeats} more case(s) with the same failure`);
    this.#repeats = 0;
  }

  #line(text: string): void {
    if (!this.#live) return;
    const bad = this.#counts.fail + this.#counts.xpass;
    const line = `[${this.#column}] ${this.#done}/${this.#total} ${text}${bad > 0 ? `  (${bad} unexpected)` : ""}`;
    const width = this.#out.columns ?? 100;
    this.#out.write(`\r\x1b[K${line.length > width - 1 ? line.slice(0, width - 2) + "…" : line}`);
  }

  #print(text: string): void {
    this.#out.write(this.#live ? `\r\x1b[K${text}\n` : `${text}\n`);
  }
}
