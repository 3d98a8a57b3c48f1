/**
 * Before/after for one change: runs the "ours" implementation from the workspace (A) and
 * from another build (B: a module exporting `connect`, e.g. a patched copy of the dist
 * files) interleaved, A B A B …, against the same peer server, and prints the paired
 * ratios B/A of CPU per operation. Native runs in the same rounds as the reference.
 *
 * Usage: node src/ab.mjs --module PATH [--impl ours|native] [--runtime node] [--scenario pingPong,upload] [--reps 5] [--quick]
 *
 * With `--impl native`, A is the workspace's native scenarios and B the module at PATH
 * (exporting `scenarios`, like `scenarios/native-node.mjs`): a baseline's A/B.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { createTestPki } from "@sockets/conformance/fixtures";
import { contextFor, METRICS, SCENARIOS } from "./_config.mjs";
import { runClient, startPeerServer } from "./_processes.mjs";
import { median } from "./_stats.mjs";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const modulePath = flag("--module", null);
if (!modulePath) throw new Error("Missing --module PATH (the build to compare with the workspace's)");
const runtime = flag("--runtime", "node");
const scenarios = flag("--scenario", "pingPong,upload,download,downloadByob,churn").split(",");
const reps = Number(flag("--reps", "5"));
const quick = args.includes("--quick");
const impl = flag("--impl", "ours");
const overrideVar = impl === "native" ? "SOCKETS_BENCH_NATIVE" : "SOCKETS_BENCH_OURS";

const pki = await createTestPki();
const server = await startPeerServer(join(pki.dir, "leaf.key"), join(pki.dir, "leaf.crt"));
const env = { NODE_EXTRA_CA_CERTS: pki.caFile, DENO_CERT: pki.caFile, NO_COLOR: "1" };
try {
  for (const scenario of scenarios) {
    const { ctx, warmup } = contextFor(scenario, quick, server.ports);
    const metric = METRICS[SCENARIOS[scenario].kind].primary;
    const values = { native: [], a: [], b: [] };
    for (let rep = 0; rep < reps; rep++) {
      for (const [label, which, extra] of [
        ["native", "native", {}],
        ["a", impl, {}],
        ["b", impl, { [overrideVar]: resolve(modulePath) }],
      ]) {
        const result = await runClient(runtime, { impl: which, scenario, ctx, warmup }, { env: { ...env, ...extra }, timeoutMs: 120_000 });
        if (!result.ok) throw new Error(`${label} ${scenario}: ${result.error}`);
        values[label].push(metric.of(result, ctx));
      }
    }
    const ratios = (x, y) => median(values[x].map((v, i) => v / values[y][i]));
    console.log(
      `${runtime} ${scenario} (${metric.label}): native ${median(values.native).toFixed(1)}, A ${median(values.a).toFixed(1)}, B ${median(values.b).toFixed(1)}; A/native ${ratios("a", "native").toFixed(2)}, B/native ${ratios("b", "native").toFixed(2)}, B/A ${ratios("b", "a").toFixed(2)}`,
    );
  }
} finally {
  await server.stop();
  await pki.dispose();
}
