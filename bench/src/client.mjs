/**
 * One measurement: runs one scenario with one implementation inside the runtime that
 * executes this file (node, deno or bun), then prints one line `RESULT {json}`.
 *
 * Usage (from `main.mjs`): `<runtime> client.mjs '<json>'` with
 * `{ impl: "native" | "floor" | "ours" | "peer", scenario, ctx, warmup }`.
 *
 * What is measured:
 * - throughput, ping-pong and churn: wall time and the process's own CPU time
 *   (`process.cpuUsage()`: user + system, all threads) around the scenario, after a
 *   warm-up run of the same scenario at a small size (JIT, module loading, first TLS
 *   context) that is not counted;
 * - idle: RSS and JS heap after a full GC, before and after opening the connections
 *   (each with its greeting read and a read pending), divided by the count.
 *
 * @module
 */
import process from "node:process";
import { pathToFileURL } from "node:url";
import { portableScenarios } from "./scenarios/portable.mjs";
import { portableServerScenarios } from "./scenarios/server-portable.mjs";
import { portableUdpScenarios } from "./scenarios/udp-portable.mjs";

const runtime = typeof globalThis.Deno !== "undefined" ? "deno" : typeof globalThis.Bun !== "undefined" ? "bun" : "node";

async function loadScenarios(impl) {
  if (impl === "native") {
    // SOCKETS_BENCH_NATIVE: another native scenario module (exporting `scenarios`), to A/B
    // a baseline against the workspace's.
    const override = process.env.SOCKETS_BENCH_NATIVE;
    const client = (await import(override ? pathToFileURL(override).href : `./scenarios/native-${runtime}.mjs`)).scenarios;
    const server = (await import(`./scenarios/server-native-${runtime}.mjs`)).serverScenarios;
    const datagram = (await import(`./scenarios/udp-native-${runtime}.mjs`)).udpScenarios;
    return { ...client, ...server, ...datagram };
  }
  if (impl === "ours" || impl === "floor") {
    // SOCKETS_BENCH_OURS: another build of ours (a path to a module exporting connect and
    // listen), for before/after comparisons of a change without touching the workspace.
    const override = process.env.SOCKETS_BENCH_OURS;
    const specifier = impl === "floor" ? `./floor/floor-${runtime}.mjs` : override ? pathToFileURL(override).href : `@sockets/${runtime}`;
    const module = await import(specifier);
    const server = typeof module.listen === "function" ? portableServerScenarios(module.listen) : {};
    const datagram = typeof module.udp === "function" ? portableUdpScenarios(module.udp) : {};
    return { ...portableScenarios(module.connect), ...server, ...datagram };
  }
  if (impl === "peer") return portableScenarios((await import("@arrowood.dev/socket")).connect);
  throw new Error(`Unknown implementation ${JSON.stringify(impl)}: expected native, floor, ours or peer`);
}

let jsc = null;
async function collect() {
  if (runtime === "bun") {
    globalThis.Bun.gc(true);
    jsc ??= await import("bun:jsc");
  } else if (typeof globalThis.gc === "function") {
    globalThis.gc();
    globalThis.gc();
  } else {
    throw new Error("No GC hook: run node with --expose-gc, deno with --v8-flags=--expose-gc");
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: runtime === "bun" ? jsc.heapStats().heapSize : heapUsed };
}

function timed(start, cpu0) {
  const cpu = process.cpuUsage(cpu0);
  return {
    wallMs: performance.now() - start,
    cpuMs: (cpu.user + cpu.system) / 1000,
    userMs: cpu.user / 1000,
    systemMs: cpu.system / 1000,
  };
}

async function measure(run, ctx) {
  await collect();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const bytes = await run(ctx);
  return { ...timed(start, cpu0), bytes };
}

async function measureIdle(run, ctx) {
  const before = await collect();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const handle = await run(ctx);
  const time = timed(start, cpu0);
  const after = await collect();
  if (handle.count !== ctx.connections) throw new Error(`Opened ${handle.count} of ${ctx.connections}`);
  await handle.close();
  return {
    ...time,
    rssPerConn: (after.rss - before.rss) / ctx.connections,
    heapPerConn: (after.heap - before.heap) / ctx.connections,
  };
}

async function main() {
  const job = JSON.parse(process.argv[2]);
  const scenarios = await loadScenarios(job.impl);
  const run = scenarios[job.scenario];
  if (typeof run !== "function") {
    // A build without listen() or udp(): not applicable, said so (never a silent skip).
    const missing = job.scenario.startsWith("udp") ? "udp()" : "listen()";
    return report({
      ok: false,
      na: true,
      impl: job.impl,
      error: `This build of ${job.impl === "ours" ? `@sockets/${runtime}` : job.impl} exports no ${missing}`,
    });
  }
  let result;
  if (job.scenario === "idle") {
    const warm = await run(job.warmup);
    await warm.close();
    result = await measureIdle(run, job.ctx);
  } else {
    await run(job.warmup);
    result = await measure(run, job.ctx);
  }
  report({ ok: true, impl: job.impl, scenario: job.scenario, ...result });
}

let reported = false;
function report(result) {
  reported = true;
  process.stdout.write(`RESULT ${JSON.stringify({ runtime, ...result })}\n`);
}

// The event loop emptied while the scenario was still waiting: a read or write that never
// settles (no socket left to wake it). Reported as such instead of a silent exit.
process.on("exit", () => {
  if (!reported)
    report({ ok: false, error: "Stalled: the event loop emptied before the scenario finished (a read or write never settled)" });
});

main().then(
  () => process.exit(0),
  (error) => {
    report({ ok: false, error: String(error?.stack ?? error) });
    process.exit(1);
  },
);
