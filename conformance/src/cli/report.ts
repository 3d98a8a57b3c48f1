/**
 * The report: cases × columns with each cell classified against the expectations, plus
 * totals per column and per tag. The JSON file is this object; the terminal and Markdown
 * renderers and the README script read only this.
 *
 * @module
 */
import type { ErrorSummary } from "../runners/protocol.js";
import type { Column } from "./columns.js";
import { classify, isUnexpected, type CellStatus, type Expectations } from "./expectations.js";
import type { ColumnRun } from "./run-column.js";

/**
 * Counts of each cell status.
 *
 * @example
 * ```ts
 * import { formatTotals, type Totals } from "@sockets/conformance";
 * const totals: Totals = { pass: 37, fail: 0, xfail: 2, xpass: 0, skip: 1, total: 40 };
 * formatTotals(totals); // "37/40 ~2 –1"
 * ```
 */
export type Totals = Record<CellStatus, number> & { total: number };

/**
 * One cell. `reason`/`link` come from the expectations file.
 *
 * @example
 * ```ts
 * import type { Report, ReportCell } from "@sockets/conformance";
 * declare const report: Report;
 * const cell: ReportCell | undefined = report.cells["node"]?.["close/idempotent"];
 * if (cell?.status === "xfail") console.log(`known gap: ${cell.reason} ${cell.link ?? ""}`);
 * ```
 */
export interface ReportCell {
  status: CellStatus;
  ms?: number;
  error?: ErrorSummary;
  reason?: string;
  link?: string;
}

/**
 * One column's metadata and totals.
 *
 * @example
 * ```ts
 * import { formatTotals, type Report, type ReportColumn } from "@sockets/conformance";
 * declare const report: Report;
 * const summary = (c: ReportColumn): string => `${c.name} (${c.runtime ?? "?"}): ${formatTotals(c.totals)}`;
 * console.log(report.columns.map(summary).join("\n"));
 * ```
 */
export interface ReportColumn {
  name: string;
  target: string;
  module: string;
  runtime: string | null;
  ms: number;
  restarts: number;
  expectationsFile: string | null;
  totals: Totals;
  /** Totals over the cases carrying each tag. */
  byTag: Record<string, Totals>;
  /** Expectation entries naming no selected case (stale or filtered out). */
  unusedExpectations: string[];
}

/**
 * The whole report (written as JSON by `--json`).
 *
 * @example
 * ```ts
 * import { readFile } from "node:fs/promises";
 * import type { Report } from "@sockets/conformance";
 * const report = JSON.parse(await readFile("matrix.json", "utf8")) as Report;
 * console.log(report.ok, report.columns.map((c) => `${c.name}: ${c.totals.pass}/${c.totals.total}`));
 * ```
 */
export interface Report {
  version: 1;
  generatedAt: string;
  /** `true` when no cell is unexpected. */
  ok: boolean;
  selection: { tags: string[] | null; grep: string | null };
  cases: { id: string; title: string; tags: string[] }[];
  tags: string[];
  columns: ReportColumn[];
  /** column name → case ID → cell. */
  cells: Record<string, Record<string, ReportCell>>;
}

/** The input of {@link buildReport} for one column. */
export interface ColumnInput {
  column: Column;
  run: ColumnRun;
  expectations: Expectations;
  expectationsFile: string | null;
}

/**
 * Builds the report from the runs.
 *
 * @example
 * ```ts
 * import { buildReport } from "@sockets/conformance";
 * import { cases } from "@sockets/conformance/cases";
 * // One `{ column, run, expectations, expectationsFile }` per column, as the CLI collects them.
 * declare const inputs: Parameters<typeof buildReport>[1];
 * const report = buildReport(cases, inputs, { tags: null, grep: null });
 * ```
 */
export function buildReport(
  cases: readonly { id: string; title: string; tags: readonly string[] }[],
  inputs: readonly ColumnInput[],
  selection: Report["selection"],
): Report {
  const tags = [...new Set(cases.flatMap((c) => c.tags))];
  const cells: Report["cells"] = {};
  const columns: ReportColumn[] = [];
  for (const { column, run, expectations, expectationsFile } of inputs) {
    const byCase: Record<string, ReportCell> = {};
    const totals = emptyTotals();
    const byTag: Record<string, Totals> = Object.fromEntries(tags.map((t) => [t, emptyTotals()]));
    for (const c of cases) {
      const expectation = expectations[c.id];
      const outcome = run.outcomes.get(c.id);
      const raw = expectation?.status === "skip" || outcome === undefined ? "skip" : outcome.status;
      const cell: ReportCell = { status: classify(raw, expectation) };
      if (outcome !== undefined) cell.ms = outcome.ms;
      if (outcome?.error !== undefined) cell.error = outcome.error;
      if (expectation !== undefined) {
        cell.reason = expectation.reason;
        if (expectation.link !== undefined) cell.link = expectation.link;
      }
      byCase[c.id] = cell;
      _count(totals, cell.status);
      for (const t of c.tags) _count(byTag[t] ?? (byTag[t] = emptyTotals()), cell.status);
    }
    cells[column.name] = byCase;
    const selected = new Set(cases.map((c) => c.id));
    columns.push({
      name: column.name,
      target: column.target,
      module: column.module,
      runtime: run.runtime,
      ms: run.ms,
      restarts: run.restarts,
      expectationsFile,
      totals,
      byTag,
      unusedExpectations: Object.keys(expectations).filter((id) => !selected.has(id)),
    });
  }
  const ok = columns.every((c) => c.totals.fail === 0 && c.totals.xpass === 0);
  return {
    version: 1,
    generatedAt: new Date().toISOString(),
    ok,
    selection,
    cases: cases.map((c) => ({ id: c.id, title: c.title, tags: [...c.tags] })),
    tags,
    columns,
    cells,
  };
}

/**
 * Every unexpected cell, for the summary below the matrix.
 *
 * @example
 * ```ts
 * import { unexpectedCells, type Report } from "@sockets/conformance";
 * declare const report: Report;
 * for (const { column, id, cell } of unexpectedCells(report)) console.log(column, id, cell.error?.message);
 * ```
 */
export function unexpectedCells(report: Report): { column: string; id: string; cell: ReportCell }[] {
  const out: { column: string; id: string; cell: ReportCell }[] = [];
  for (const column of report.columns) {
    for (const c of report.cases) {
      const cell = report.cells[column.name]?.[c.id];
      if (cell !== undefined && isUnexpected(cell.status)) out.push({ column: column.name, id: c.id, cell });
    }
  }
  return out;
}

/**
 * All-zero totals.
 *
 * @example
 * ```ts
 * import { emptyTotals } from "./report.js";
 * emptyTotals().total; // 0
 * ```
 */
export function emptyTotals(): Totals {
  return { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, total: 0 };
}

function _count(totals: Totals, status: CellStatus): void {
  totals[status]++;
  totals.total++;
}

/**
 * The symbol of each cell status, shared by the terminal and Markdown output.
 *
 * @example
 * ```ts
 * import { SYMBOL } from "./report.js";
 * SYMBOL.xfail; // "~"
 * ```
 */
export const SYMBOL: Readonly<Record<CellStatus, string>> = { pass: "✓", fail: "✗", xfail: "~", xpass: "!", skip: "–" };

/** The legend line under every matrix. */
export const LEGEND: string = "✓ pass   ✗ fail   ~ expected fail (known gap)   ! unexpected pass   – skipped";

/**
 * `"37/40"` plus the non-zero other counts, e.g. `"37/40 ~2 –1"`.
 *
 * @example
 * ```ts
 * import { formatTotals } from "@sockets/conformance";
 * formatTotals({ pass: 3, fail: 0, xfail: 0, xpass: 0, skip: 0, total: 3 }); // "3/3"
 * formatTotals({ pass: 37, fail: 1, xfail: 2, xpass: 0, skip: 0, total: 40 }); // "37/40 ✗1 ~2"
 * ```
 */
export function formatTotals(t: Totals): string {
  const extra = (["fail", "xpass", "xfail", "skip"] as const).filter((s) => t[s] > 0).map((s) => `${SYMBOL[s]}${t[s]}`);
  return [`${t.pass}/${t.total}`, ...extra].join(" ");
}
