/**
 * The terminal view of a report: the matrix (cases × columns), totals per tag, and every
 * unexpected result with its error. Colour only on a TTY without `NO_COLOR`.
 *
 * @module
 */
import type { CellStatus } from "./expectations.js";
import { formatTotals, LEGEND, SYMBOL, unexpectedCells, type Report, type ReportCell } from "./report.js";

const COLOR: Record<CellStatus, string> = { pass: "32", fail: "31;1", xfail: "33", xpass: "35;1", skip: "2" };

/**
 * Renders the report for a terminal.
 *
 * @example
 * ```ts
 * import { renderTerminal, type Report } from "@sockets/conformance";
 * declare const report: Report;
 * process.stdout.write(renderTerminal(report, process.stdout.isTTY === true));
 * ```
 */
export function renderTerminal(report: Report, color: boolean): string {
  const paint = (code: string, text: string): string => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const names = report.columns.map((c) => c.name);
  const idWidth = Math.max(4, ...report.cases.map((c) => c.id.length));
  const widths = names.map((n) => Math.max(n.length, 3));
  const lines: string[] = [];
  const row = (first: string, cells: string[], raw: string[]): string =>
    first.padEnd(idWidth) +
    "  " +
    cells
      .map(
        (cell, i) =>
          " ".repeat(Math.max(0, Math.floor(((widths[i] ?? 3) - (raw[i] ?? "").length) / 2))) +
          cell +
          " ".repeat(Math.max(0, Math.ceil(((widths[i] ?? 3) - (raw[i] ?? "").length) / 2))),
      )
      .join("  ");

  lines.push(paint("1", row("case", names, names)));
  let area = "";
  for (const c of report.cases) {
    const prefix = c.id.split("/")[0] ?? "";
    if (prefix !== area && area !== "") lines.push("");
    area = prefix;
    const statuses = names.map((n) => report.cells[n]?.[c.id]?.status ?? "skip");
    lines.push(
      row(
        c.id,
        statuses.map((s) => paint(COLOR[s], SYMBOL[s])),
        statuses.map((s) => SYMBOL[s]),
      ),
    );
  }
  lines.push("", paint("2", LEGEND), "");

  const tagRows = [...report.tags, "all"];
  const totals = tagRows.map((t) => report.columns.map((c) => formatTotals(t === "all" ? c.totals : (c.byTag[t] ?? c.totals))));
  const tagWidth = Math.max(5, ...tagRows.map((t) => t.length));
  const colWidths = names.map((n, i) => Math.max(n.length, ...totals.map((r) => (r[i] ?? "").length)));
  lines.push(paint("1", ["tag".padEnd(tagWidth), ...names.map((n, i) => n.padEnd(colWidths[i] ?? 0))].join("  ")));
  tagRows.forEach((t, r) =>
    lines.push([t.padEnd(tagWidth), ...(totals[r] ?? []).map((cell, i) => cell.padEnd(colWidths[i] ?? 0))].join("  ")),
  );
  lines.push(
    paint(
      "2",
      ["time".padEnd(tagWidth), ...report.columns.map((c, i) => `${(c.ms / 1000).toFixed(1)} s`.padEnd(colWidths[i] ?? 0))].join("  "),
    ),
  );
  for (const c of report.columns)
    lines.push(
      paint(
        "2",
        `${c.name}: ${c.runtime ?? "runtime unknown"}, module ${c.module}${c.restarts > 0 ? `, runner restarted ${c.restarts}×` : ""}`,
      ),
    );
  for (const [column, reason, count] of _skipReasons(report))
    lines.push(paint("2", `${column}: ${count} case${count === 1 ? "" : "s"} skipped: ${reason}`));

  const bad = unexpectedCells(report);
  if (bad.length > 0) {
    lines.push("", paint("31;1", `${bad.length} unexpected result${bad.length === 1 ? "" : "s"}:`));
    const groups = new Map<string, { column: string; ids: string[]; cell: ReportCell }>();
    for (const { column, id, cell } of bad) {
      const key = `${column}\0${cell.status}\0${cell.error?.message ?? ""}`;
      const group = groups.get(key);
      if (group === undefined || cell.status === "xpass")
        groups.set(group === undefined ? key : `${key}\0${id}`, { column, ids: [id], cell });
      else group.ids.push(id);
    }
    for (const { column, ids, cell } of groups.values()) {
      const what = ids.length === 1 ? ids[0] : `${ids.length} cases (${ids.slice(0, 4).join(", ")}${ids.length > 4 ? ", …" : ""})`;
      if (cell.status === "xpass") {
        lines.push(
          `${paint(COLOR.xpass, SYMBOL.xpass)} [${column}] ${what}: passes, but its expectations file says it fails (${cell.reason ?? ""}). Remove the entry.`,
        );
      } else {
        lines.push(
          `${paint(COLOR.fail, SYMBOL.fail)} [${column}] ${what}: ${cell.error?.name ?? "Error"}: ${cell.error?.message ?? "failed"}`,
        );
        const at = cell.error?.stack
          ?.split("\n")
          .slice(1, 3)
          .map((l) => l.trim())
          .join(" ← ");
        if (at) lines.push(paint("2", `    ${at}`));
      }
    }
  }
  // With --tags/--grep, expectations for unselected cases are expected; otherwise they are stale.
  const filtered = report.selection.tags !== null || report.selection.grep !== null;
  for (const c of report.columns) {
    if (!filtered && c.unusedExpectations.length > 0)
      lines.push(
        paint(
          "33",
          `note: ${c.expectationsFile ?? c.name} lists ${c.unusedExpectations.length} case(s) the suite does not have (stale): ${c.unusedExpectations.join(", ")}`,
        ),
      );
  }
  lines.push(
    "",
    report.ok ? paint("32;1", "OK: every result is as expected.") : paint("31;1", "FAILED: unexpected results (see above)."),
    "",
  );
  return lines.join("\n");
}

/** Cases a runner skipped itself (a module without `listen()` or `udp()`), grouped by reason. */
function _skipReasons(report: Report): Array<[string, string, number]> {
  const out: Array<[string, string, number]> = [];
  for (const c of report.columns) {
    const counts = new Map<string, number>();
    for (const cell of Object.values(report.cells[c.name] ?? {})) {
      if (cell.status === "skip" && cell.error?.name === "Skipped")
        counts.set(cell.error.message, (counts.get(cell.error.message) ?? 0) + 1);
    }
    for (const [reason, count] of counts) out.push([c.name, reason, count]);
  }
  return out;
}
