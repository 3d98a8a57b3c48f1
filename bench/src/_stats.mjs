/**
 * Medians, spreads and the paired ratios (rep i of one implementation over rep i of
 * native: the runs of one rep were interleaved, so they saw the same machine load).
 *
 * @module
 */
import { IMPLS, METRICS, SCENARIOS } from "./_config.mjs";

/** The median of a non-empty list. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `{ median, min, max, spread, n }`, spread = half the range over the median; `null` if empty. */
export function summarize(values) {
  if (values.length === 0) return null;
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { median: m, min, max, spread: m === 0 ? 0 : (max - min) / 2 / Math.abs(m), n: values.length };
}

/** Paired ratios of `a` over `b` for the reps where both succeeded. */
function _paired(a, b) {
  if (!a || !b) return null;
  const byRep = new Map(b.samples.map((sample) => [sample.rep, sample.primary]));
  const ratios = [];
  for (const sample of a.samples) {
    const other = byRep.get(sample.rep);
    if (other !== undefined && other > 0 && sample.primary > 0) ratios.push(sample.primary / other);
  }
  return summarize(ratios);
}

/**
 * Turns raw measurements into rows (per runtime × scenario × implementation) and ratios
 * (per runtime × scenario).
 *
 * @param raw `{ runtime, scenario, impl, rep, ctx, result }[]`
 * @param skipped `{ runtime, scenario, impl, reason }[]`
 */
export function analyse(raw, skipped, runtimes, scenarios) {
  const rows = [];
  for (const runtime of runtimes) {
    for (const scenario of scenarios) {
      const metric = METRICS[SCENARIOS[scenario].kind];
      for (const impl of IMPLS) {
        const skip = skipped.find((s) => s.runtime === runtime && s.scenario === scenario && s.impl === impl);
        const runs = raw.filter((r) => r.runtime === runtime && r.scenario === scenario && r.impl === impl);
        if (skip && runs.length === 0) {
          rows.push({ runtime, scenario, impl, status: "n/a", reason: skip.reason, samples: [] });
          continue;
        }
        if (runs.length === 0) continue;
        const good = runs.filter((r) => r.result.ok);
        const samples = good.map(({ rep, ctx, result }) => ({
          rep,
          wallMs: result.wallMs,
          cpuMs: result.cpuMs,
          userMs: result.userMs,
          systemMs: result.systemMs,
          ...(result.bytes !== undefined ? { bytes: result.bytes } : {}),
          ...(result.rssPerConn !== undefined ? { rssPerConn: result.rssPerConn, heapPerConn: result.heapPerConn } : {}),
          primary: metric.primary.of(result, ctx),
          secondary: metric.secondary.of(result, ctx),
        }));
        const failure = runs.find((r) => !r.result.ok);
        rows.push({
          runtime,
          scenario,
          impl,
          status: samples.length > 0 ? "ok" : "failed",
          ...(failure
            ? { reason: failure.result.error.split("\n")[0].slice(0, 300), failures: runs.length - good.length, attempts: runs.length }
            : {}),
          samples,
          primary: summarize(samples.map((s) => s.primary)),
          secondary: summarize(samples.map((s) => s.secondary)),
        });
      }
    }
  }
  const ratios = [];
  for (const runtime of runtimes) {
    for (const scenario of scenarios) {
      const find = (impl) => rows.find((r) => r.runtime === runtime && r.scenario === scenario && r.impl === impl && r.status === "ok");
      const native = find("native");
      const floor = find("floor");
      const ours = find("ours");
      const peer = find("peer");
      const oursNative = _paired(ours, native);
      const floorNative = _paired(floor, native);
      const oursFloor = _paired(ours, floor);
      const peerNative = _paired(peer, native);
      const oursPeer = _paired(ours, peer);
      const target = SCENARIOS[scenario].target;
      ratios.push({
        runtime,
        scenario,
        metric: METRICS[SCENARIOS[scenario].kind].primary.label,
        target,
        oursNative,
        floorNative,
        oursFloor,
        peerNative,
        oursPeer,
        // Judged on the two decimals shown, so a cell never reads "1.10 ✗".
        meetsTarget: oursNative ? Number(oursNative.median.toFixed(2)) <= target : null,
        meetsFloor: oursFloor ? Number(oursFloor.median.toFixed(2)) <= 1.1 : null,
        beatsPeer: oursPeer ? oursPeer.median < 1 : null,
      });
    }
  }
  return { rows, ratios };
}
