/**
 * The Markdown report (also printed to the terminal) and the generated block of
 * `bench/README.md`.
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import { IMPLS, IMPL_LABELS, METRICS, runtimeLabel, SCENARIOS } from "./_config.mjs";

const START = "<!-- bench:results:start -->";
const END = "<!-- bench:results:end -->";

function _num(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function _cell(row, which) {
  if (!row) return "–";
  if (row.status === "n/a") return "n/a¹";
  if (row.status === "failed") return "failed²";
  const s = row[which];
  return `${_num(s.median)} ±${Math.round(s.spread * 100)}%`;
}

function _ratio(summary) {
  if (!summary) return "–";
  return `${summary.median.toFixed(2)} (${summary.min.toFixed(2)}–${summary.max.toFixed(2)})`;
}

function _size(scenario, ctx) {
  const kind = SCENARIOS[scenario].kind;
  if (kind === "bytes") return `${ctx.bytes / 1024 / 1024} MiB`;
  if (kind === "rounds") return `${ctx.rounds.toLocaleString("en")} × ${ctx.message} B`;
  if (kind === "datagrams") return `${ctx.datagrams.toLocaleString("en")}`;
  return `${ctx.connections.toLocaleString("en")} conns`;
}

/**
 * One compact matrix: a row per scenario, a column per runtime, each cell
 * `ours/native · ours/floor` with ✗ where ours/native misses the target or ours/floor
 * is above 1.1.
 */
export function summaryMatrix(analysis, meta) {
  const lines = [
    `| scenario (target ours/native) | ${meta.runtimes.map((r) => runtimeLabel(r, meta.versions)).join(" | ")} |`,
    `|---|${meta.runtimes.map(() => "--:").join("|")}|`,
  ];
  for (const scenario of meta.scenarios) {
    const cells = meta.runtimes.map((runtime) => {
      const ratio = analysis.ratios.find((r) => r.runtime === runtime && r.scenario === scenario);
      if (!ratio?.oursNative) return "–";
      const native = `${ratio.oursNative.median.toFixed(2)}${ratio.meetsTarget ? "" : "✗"}`;
      const floor = ratio.oursFloor ? `${ratio.oursFloor.median.toFixed(2)}${ratio.meetsFloor ? "" : "✗"}` : "–";
      return `${native} · ${floor}`;
    });
    lines.push(`| ${SCENARIOS[scenario].title} (≤ ${SCENARIOS[scenario].target}) | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** The report as Markdown: the summary matrix, one table per runtime, then the notes on n/a and failures. */
export function markdown(analysis, meta) {
  const lines = [
    "Summary: **ours/native · ours/floor** (medians of the paired per-repetition ratios; ✗ = ours/native above the target, or ours/floor above 1.1).",
    "",
    summaryMatrix(analysis, meta),
    "",
  ];
  const notes = [];
  for (const runtime of meta.runtimes) {
    lines.push(`#### ${runtimeLabel(runtime, meta.versions)}`, "");
    lines.push(
      `| scenario | metric | ${IMPLS.map((impl) => IMPL_LABELS[impl]).join(" | ")} | ours/native | floor/native | ours/floor | ours/peer | target | |`,
      `|---|---|${IMPLS.map(() => "--:").join("|")}|--:|--:|--:|--:|--:|:-:|`,
    );
    for (const scenario of meta.scenarios) {
      const rows = IMPLS.map((impl) => analysis.rows.find((r) => r.runtime === runtime && r.scenario === scenario && r.impl === impl));
      const ratio = analysis.ratios.find((r) => r.runtime === runtime && r.scenario === scenario);
      const metric = METRICS[SCENARIOS[scenario].kind];
      const verdict = [
        ratio.meetsTarget === null ? null : ratio.meetsTarget ? "✓" : "✗",
        ratio.meetsFloor === null ? null : ratio.meetsFloor ? "floor ✓" : "floor ✗",
        ratio.beatsPeer === false ? "≥ peer" : null,
      ]
        .filter(Boolean)
        .join(" ");
      const name = `${SCENARIOS[scenario].title} (${_size(scenario, meta.contexts[scenario])})`;
      lines.push(
        `| ${name} | ${metric.primary.label} | ${rows.map((row) => _cell(row, "primary")).join(" | ")} | ${_ratio(ratio.oursNative)} | ${_ratio(ratio.floorNative)} | ${_ratio(ratio.oursFloor)} | ${_ratio(ratio.oursPeer)} | ≤ ${ratio.target} | ${verdict} |`,
        `| | ${metric.secondary.label} | ${rows.map((row) => _cell(row, "secondary")).join(" | ")} | | | | | | |`,
      );
      for (const row of rows) {
        if (!row?.reason) continue;
        const status = row.status === "ok" ? `failed ${row.failures} of ${row.attempts} runs; the cells use the others` : row.status;
        const text = `${SCENARIOS[scenario].title} · ${IMPL_LABELS[row.impl]} (${status}): ${row.reason}`;
        const same = notes.find((note) => note.text === text);
        if (same) same.runtimes.push(runtime);
        else notes.push({ text, runtimes: [runtime] });
      }
    }
    lines.push("");
  }
  if (notes.length > 0) {
    lines.push(
      "¹ not applicable, ² failed in every run; notes:",
      "",
      ...notes.map((note) => `- ${note.runtimes.join(", ")} · ${note.text}`),
      "",
    );
  }
  return lines.join("\n");
}

/** A few lines on how the run was made. */
export function header(meta) {
  const versions = meta.runtimes.map((r) => runtimeLabel(r, meta.versions)).join(", ");
  return [
    `Run ${meta.date} on ${meta.machine} (${meta.cpus} cores); ${versions}.`,
    `${meta.quick ? "Quick mode" : "Full mode"}: ${meta.reps} repetition${meta.reps === 1 ? "" : "s"}, implementations interleaved per repetition (${meta.impls.map((impl) => IMPL_LABELS[impl]).join(", ")}${meta.rotated ? ", the order rotating with the repetition" : ""}); pinning: ${meta.pinning}. Cells: median ±half the range over the median; ratios: median of the per-repetition ratios (min–max). Lower is better everywhere. Verdicts: ✓/✗ ours/native against the target; floor ✓/✗ ours/floor ≤ 1.1; "≥ peer" where @arrowood.dev/socket costs less than ours. Total ${Math.round(meta.durationS)} s.`,
  ].join("\n");
}

/** Replaces the generated block of the README at `file` with `body`. */
export function updateReadme(file, body) {
  const text = readFileSync(file, "utf8");
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file} has no ${START} … ${END} block to update`);
  writeFileSync(file, `${text.slice(0, start + START.length)}\n${body}\n${text.slice(end)}`);
}
