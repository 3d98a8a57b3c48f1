/**
 * Summarises V8 `.cpuprofile` files (from `pnpm bench --profile DIR`, which passes
 * `--cpu-prof` to node and bun clients): the functions with the most self time, with file
 * and line, and the share of time spent under each `@sockets` source file.
 *
 * Usage: `node src/profile-summary.mjs DIR_OR_FILE [--top N]`
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

function _files(path) {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { recursive: true })
    .filter((name) => String(name).endsWith(".cpuprofile"))
    .map((name) => join(path, String(name)));
}

function _short(url) {
  const text = url.replace(/^file:\/\//, "");
  const at = text.search(/packages\/|bench\/|node_modules\/|node:|internal\//);
  return at >= 0 ? text.slice(at) : text || "(native)";
}

function _area({ url, functionName }) {
  if (!url) return functionName.startsWith("(") ? functionName : "native code";
  if (url.includes("internal/webstreams")) return "web streams (runtime)";
  if (url.includes("internal/streams") || url.includes("stream_base_commons") || /node:net|node:tls|_tls_/.test(url))
    return "node streams/net";
  if (url.includes("/packages/core/")) return "@sockets/core";
  if (url.includes("/packages/")) return "@sockets/<runtime>";
  if (url.includes("/bench/")) return "bench scenario";
  if (url.includes("task_queues") || url.includes("promises") || url.includes("async_hooks")) return "ticks/promises (runtime)";
  return "other runtime JS";
}

/** Self time per function and the inclusive share per `packages/` file of one profile. */
export function summarize(profile, top = 25) {
  const { nodes, samples, timeDeltas } = profile;
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map();
  for (let i = 0; i < samples.length; i++) self.set(samples[i], (self.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0));
  let total = 0;
  const functions = new Map();
  const inclusiveFile = new Map();
  for (const [id, time] of self) {
    total += time;
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || "(anonymous)";
    const key = `${name}  ${_short(callFrame.url)}:${callFrame.lineNumber + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + time);
    // Inclusive per @sockets file: count each file once per sample stack.
    const seen = new Set();
    for (let cursor = id; cursor !== undefined; cursor = parent.get(cursor)) {
      const url = byId.get(cursor).callFrame.url;
      if (url.includes("/packages/") && !seen.has(url)) {
        seen.add(url);
        inclusiveFile.set(_short(url), (inclusiveFile.get(_short(url)) ?? 0) + time);
      }
    }
  }
  const areas = new Map();
  for (const [id, time] of self) {
    const area = _area(byId.get(id).callFrame);
    areas.set(area, (areas.get(area) ?? 0) + time);
  }
  const pct = (time) => `${((time / total) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`total ${(total / 1000).toFixed(0)} ms sampled`, "self time:"];
  for (const [key, time] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(time)}  ${key}`);
  lines.push("self time by area:");
  for (const [area, time] of [...areas].sort((a, b) => b[1] - a[1])) lines.push(`  ${pct(time)}  ${area}`);
  lines.push("inclusive, per @sockets file:");
  for (const [file, time] of [...inclusiveFile].sort((a, b) => b[1] - a[1])) lines.push(`  ${pct(time)}  ${file}`);
  return lines.join("\n");
}

const [target, flag, count] = process.argv.slice(2);
if (target) {
  for (const file of _files(target)) {
    console.log(`== ${file}`);
    console.log(summarize(JSON.parse(readFileSync(file, "utf8")), flag === "--top" ? Number(count) : 25));
  }
}
