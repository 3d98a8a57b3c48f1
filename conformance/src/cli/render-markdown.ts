/**
 * The Markdown view of a report: totals per tag, the full matrix (in a `<details>`
 * block), and the known gaps with their reasons and upstream links. The README's
 * conformance section is this text (see `scripts/update-readme-matrix.mjs`).
 *
 * @module
 */
import { formatTotals, LEGEND, SYMBOL, type Report, type ReportCell } from "./report.js";

/**
 * Renders the report as Markdown. `heading` is the level of the top heading (default 3).
 *
 * @example
 * ```ts
 * import { writeFile } from "node:fs/promises";
 * import { renderMarkdown, type Report } from "@sockets/conformance";
 * declare const report: Report;
 * await writeFile("MATRIX.md", renderMarkdown(report));
 * ```
 */
export function renderMarkdown(report: Report, heading: number = 3): string {
  const h = "#".repeat(heading);
  const names = report.columns.map((c) => c.name);
  const out: string[] = [];
  const table = (header: string[], rows: string[][]): void => {
    out.push(`| ${header.join(" | ")} |`, `| ${header.map((_, i) => (i === 0 ? "---" : ":---:")).join(" | ")} |`);
    for (const r of rows) out.push(`| ${r.join(" | ")} |`);
  };

  out.push(`${h} Totals per tag`, "");
  table(
    ["tag", ...names.map(_code)],
    [...report.tags, "all"].map((t) => [
      t === "all" ? "**all**" : _code(t),
      ...report.columns.map((c) => formatTotals(t === "all" ? c.totals : (c.byTag[t] ?? c.totals))),
    ]),
  );
  out.push(
    "",
    `Runtimes: ${report.columns.map((c) => `${_code(c.name)} ${c.runtime ?? "?"} (module ${_code(c.module)})`).join("; ")}.`,
    "",
  );
  out.push(`${LEGEND}. ${report.ok ? "Every result is as expected." : "**Some results are unexpected.**"}`, "");

  out.push(`<details><summary>All ${report.cases.length} cases</summary>`, "");
  table(
    ["case", "tags", ...names.map(_code)],
    report.cases.map((c) => [_code(c.id), c.tags.join(" "), ...names.map((n) => _cell(report.cells[n]?.[c.id]))]),
  );
  out.push("", "</details>", "");

  const gaps = report.columns.flatMap((c) =>
    report.cases.flatMap((k) => {
      const cell = report.cells[c.name]?.[k.id];
      return cell?.reason === undefined
        ? []
        : [
            `- ${_code(c.name)} ${_code(k.id)} (${SYMBOL[cell.status]}): ${cell.reason}${cell.link === undefined ? "" : ` ([upstream](${cell.link}))`}`,
          ];
    }),
  );
  if (gaps.length > 0) out.push(`${h} Known gaps`, "", ...gaps, "");
  return out.join("\n");
}

function _cell(cell: ReportCell | undefined): string {
  if (cell === undefined) return SYMBOL.skip;
  const symbol = SYMBOL[cell.status];
  // Skipped by the runner (the module has no listen() or udp()): the reason as a tooltip.
  if (cell.reason === undefined && cell.status === "skip" && cell.error?.name === "Skipped")
    return `<span title="${cell.error.message.replace(/["|\n]/g, " ")}">${symbol}</span>`;
  if (cell.reason === undefined) return symbol;
  const title = cell.reason.replace(/["|\n]/g, " ");
  return cell.link === undefined ? `<span title="${title}">${symbol}</span>` : `[${symbol}](${cell.link} "${title}")`;
}

function _code(text: string): string {
  return "`" + text.replace(/\|/g, "\\|") + "`";
}
