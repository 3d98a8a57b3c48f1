/**
 * The chart: per runtime, per scenario, bars of floor/native, @sockets/native,
 * @arrowood.dev/socket/native and @sockets/floor on a log scale, growing from the 1.0 line (up = costs more than native), with each
 * scenario's target as a red tick. Hand-written SVG, no dependencies.
 *
 * @module
 */
import { runtimeLabel, SCENARIOS } from "./_config.mjs";

const WIDTH = 960;
const PANEL_HEIGHT = 230;
const TOP = 56;
const LEFT = 56;
const RIGHT = 16;
const PLOT_TOP = 28;
const PLOT_BOTTOM = 44;
const COLORS = {
  floor: "#9ca3af",
  ours: "#2563eb",
  peer: "#f59e0b",
  oursFloor: "#059669",
  target: "#dc2626",
  grid: "#d1d5db",
  text: "#111827",
  muted: "#6b7280",
};

function _escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function _text(x, y, content, attrs = "") {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${_escape(content)}</text>`;
}

/** Renders the SVG for `analysis.ratios` of the runtimes and scenarios in `meta`. */
export function chart(analysis, meta) {
  const values = analysis.ratios
    .flatMap((r) => [r.oursNative?.median, r.floorNative?.median, r.oursFloor?.median, r.peerNative?.median, r.target])
    .filter((v) => v > 0);
  const lo = Math.min(0.5, 2 ** Math.floor(Math.log2(Math.min(...values, 1))));
  const hi = Math.min(32, Math.max(4, 2 ** Math.ceil(Math.log2(Math.max(...values, 1)))));
  const height = TOP + meta.runtimes.length * PANEL_HEIGHT + 8;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    _text(
      LEFT,
      20,
      `Cost relative to the runtime's native socket API (lower is better; log scale) — ${meta.date.slice(0, 10)}${meta.quick ? " (quick)" : ""}`,
      `font-size="14" font-weight="600" fill="${COLORS.text}"`,
    ),
    `<rect x="${LEFT}" y="30" width="12" height="12" fill="${COLORS.floor}"/>`,
    _text(LEFT + 16, 40, "floor / native", `fill="${COLORS.text}"`),
    `<rect x="${LEFT + 110}" y="30" width="12" height="12" fill="${COLORS.ours}"/>`,
    _text(LEFT + 126, 40, "@sockets / native", `fill="${COLORS.text}"`),
    `<rect x="${LEFT + 245}" y="30" width="12" height="12" fill="${COLORS.peer}"/>`,
    _text(LEFT + 261, 40, "@arrowood.dev/socket / native", `fill="${COLORS.text}"`),
    `<rect x="${LEFT + 450}" y="30" width="12" height="12" fill="${COLORS.oursFloor}"/>`,
    _text(LEFT + 466, 40, "@sockets / floor", `fill="${COLORS.text}"`),
    `<line x1="${LEFT + 580}" y1="36" x2="${LEFT + 602}" y2="36" stroke="${COLORS.target}" stroke-width="2" stroke-dasharray="4 2"/>`,
    _text(LEFT + 608, 40, "target (ours/native)", `fill="${COLORS.text}"`),
    _text(LEFT + 730, 40, "CPU per op; RSS for idle", `fill="${COLORS.muted}"`),
  ];
  meta.runtimes.forEach((runtime, index) => {
    const top = TOP + index * PANEL_HEIGHT;
    const y0 = top + PLOT_TOP;
    const y1 = top + PANEL_HEIGHT - PLOT_BOTTOM;
    const y = (v) => y1 - ((Math.log2(Math.max(lo, Math.min(hi, v))) - Math.log2(lo)) / (Math.log2(hi) - Math.log2(lo))) * (y1 - y0);
    out.push(_text(LEFT, top + 16, runtimeLabel(runtime, meta.versions), `font-size="13" font-weight="600" fill="${COLORS.text}"`));
    for (let tick = lo; tick <= hi + 1e-9; tick *= 2) {
      out.push(
        `<line x1="${LEFT}" y1="${y(tick).toFixed(1)}" x2="${WIDTH - RIGHT}" y2="${y(tick).toFixed(1)}" stroke="${tick === 1 ? "#374151" : COLORS.grid}" stroke-width="${tick === 1 ? 1.5 : 0.5}"/>`,
        _text(LEFT - 6, y(tick) + 4, `${tick}×`, `text-anchor="end" fill="${COLORS.muted}"`),
      );
    }
    const group = plotWidth / meta.scenarios.length;
    const bar = Math.min(22, group / 5);
    meta.scenarios.forEach((scenario, i) => {
      const ratio = analysis.ratios.find((r) => r.runtime === runtime && r.scenario === scenario);
      const cx = LEFT + group * i + group / 2;
      const names = {
        floor: "floor / native",
        ours: "@sockets / native",
        peer: "@arrowood.dev/socket / native",
        oursFloor: "@sockets / floor",
      };
      [
        ["floor", ratio?.floorNative, cx - 2 * bar - 2],
        ["ours", ratio?.oursNative, cx - bar - 1],
        ["peer", ratio?.peerNative, cx + 1],
        ["oursFloor", ratio?.oursFloor, cx + bar + 2],
      ].forEach(([impl, summary, x]) => {
        if (!summary) {
          const row = analysis.rows.find(
            (r) => r.runtime === runtime && r.scenario === scenario && r.impl === (impl === "oursFloor" ? "floor" : impl),
          );
          const label = row?.status === "failed" ? "failed" : "n/a";
          out.push(_text(x + bar / 2, y(1) + 12, label, `text-anchor="middle" font-size="10" fill="${COLORS.muted}"`));
          return;
        }
        const v = summary.median;
        const a = y(1);
        const b = y(v);
        out.push(
          `<rect x="${x.toFixed(1)}" y="${Math.min(a, b).toFixed(1)}" width="${bar.toFixed(1)}" height="${Math.max(1, Math.abs(b - a)).toFixed(1)}" fill="${COLORS[impl]}"><title>${_escape(`${runtime} ${SCENARIOS[scenario].title}: ${names[impl]} = ${v.toFixed(2)} (${summary.min.toFixed(2)}–${summary.max.toFixed(2)})`)}</title></rect>`,
          _text(x + bar / 2, v >= 1 ? b - 3 : b + 11, v.toFixed(2), `text-anchor="middle" font-size="10" fill="${COLORS.text}"`),
        );
      });
      const t = y(SCENARIOS[scenario].target);
      out.push(
        `<line x1="${(cx - 2 * bar - 6).toFixed(1)}" y1="${t.toFixed(1)}" x2="${(cx + 2 * bar + 6).toFixed(1)}" y2="${t.toFixed(1)}" stroke="${COLORS.target}" stroke-width="2" stroke-dasharray="4 2"/>`,
        _text(cx, y1 + 16, SCENARIOS[scenario].title, `text-anchor="middle" fill="${COLORS.text}"`),
      );
    });
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
