/**
 * `pnpm bench`: runs every scenario with every implementation on every runtime, interleaved
 * (for each repetition, runtime and scenario: native, floor, @sockets, @arrowood.dev/socket,
 * the order rotating with the repetition), one
 * fresh client process per measurement, against peer servers in a separate Node process on
 * another core. Writes a table (terminal + README), JSON and an SVG chart.
 *
 * Flags: see `_config.mjs` (`--help`).
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { createTestPki } from "@sockets/conformance/fixtures";
import { contextFor, IMPLS, IMPL_LABELS, NOT_APPLICABLE, parseArgs, SCENARIOS } from "./_config.mjs";
import { BENCH_DIR, oursBuilt, pinning, runClient, runtimeVersion, startPeerServer } from "./_processes.mjs";
import { header, markdown, updateReadme } from "./_report.mjs";
import { analyse } from "./_stats.mjs";
import { chart } from "./_svg.mjs";

function _log(text) {
  process.stderr.write(`${text}\n`);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const versions = {};
  const runtimes = [];
  const skipped = [];
  for (const runtime of options.runtimes) {
    const version = runtimeVersion(runtime);
    if (version === null) {
      _log(`${runtime}: not found, skipped`);
      continue;
    }
    versions[runtime] = version
      .replace(/^v/, "")
      .replace(/^(deno|bun) /i, "")
      .split(" ")[0];
    runtimes.push(runtime);
  }
  for (const runtime of runtimes) {
    for (const scenario of options.scenarios) {
      for (const impl of options.impls) {
        const reason =
          NOT_APPLICABLE[`${impl}/${scenario}`] ??
          (impl === "ours" && !oursBuilt(runtime) ? `@sockets/${runtime} is not built (its dist/index.js is missing)` : null);
        if (reason) skipped.push({ runtime, scenario, impl, reason });
      }
    }
  }

  const pki = await createTestPki();
  const server = await startPeerServer(join(pki.dir, "leaf.key"), join(pki.dir, "leaf.crt"));
  const env = { NODE_EXTRA_CA_CERTS: pki.caFile, DENO_CERT: pki.caFile, NO_COLOR: "1" };
  const timeoutMs = options.quick ? 30_000 : 120_000;
  const raw = [];
  const broken = new Set();
  const contexts = {};
  try {
    for (let rep = 1; rep <= options.reps; rep++) {
      for (const runtime of runtimes) {
        for (const scenario of options.scenarios) {
          const { ctx, warmup } = contextFor(scenario, options.quick, server.ports);
          contexts[scenario] = ctx;
          const line = [];
          // The order rotates with the repetition (native, floor, ours, peer; then floor, ours,
          // peer, native; …), so no implementation always runs right after the others: each
          // churn run leaves thousands of connections in TIME_WAIT and warms or cools caches
          // for the next. (A 4-repetition check on node churn found no order effect above the
          // noise; the rotation is a precaution, and costs nothing.)
          const order = options.impls.map((_, i) => options.impls[(i + rep - 1) % options.impls.length]);
          for (const impl of order) {
            const key = `${runtime}/${scenario}/${impl}`;
            if (broken.has(key) || skipped.some((s) => s.runtime === runtime && s.scenario === scenario && s.impl === impl)) continue;
            const profileDir = options.profile ? resolve(options.profile, `${runtime}-${impl}-${scenario}`) : undefined;
            const canProfile = profileDir && runtime !== "deno";
            if (profileDir && !canProfile) _log(`  ${key}: no --cpu-prof on deno (use V8 --prof by hand), not profiled`);
            if (canProfile) mkdirSync(profileDir, { recursive: true });
            const result = await runClient(
              runtime,
              { impl, scenario, ctx, warmup },
              { env, timeoutMs, profileDir: canProfile ? profileDir : undefined },
            );
            if (result.na) {
              skipped.push({ runtime, scenario, impl, reason: result.error });
              line.push(`${IMPL_LABELS[impl]} n/a`);
              continue;
            }
            raw.push({ runtime, scenario, impl, rep, ctx, result });
            if (!result.ok) {
              // A row that never worked is not retried (it only burns the time budget); one
              // that worked before keeps running, so an intermittent failure is counted.
              if (!raw.some((r) => r.result.ok && `${r.runtime}/${r.scenario}/${r.impl}` === key)) broken.add(key);
              line.push(`${IMPL_LABELS[impl]} FAILED`);
              _log(`  ${key}: ${result.error.split("\n").slice(0, 3).join(" | ")}`);
            } else {
              line.push(`${IMPL_LABELS[impl]} ${result.cpuMs.toFixed(0)} ms cpu / ${result.wallMs.toFixed(0)} ms`);
            }
          }
          _log(`rep ${rep}/${options.reps} ${runtime} ${scenario}: ${line.join(", ")}`);
        }
      }
    }
  } finally {
    await server.stop();
    await pki.dispose();
  }

  const scenarios = options.scenarios;
  const analysis = analyse(raw, skipped, runtimes, scenarios);
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const meta = {
    date: new Date().toISOString(),
    quick: options.quick,
    reps: options.reps,
    rotated: true,
    machine: `${process.platform}/${process.arch}, ${cpu}`,
    cpus: availableParallelism(),
    pinning,
    versions: { ...versions, "@arrowood.dev/socket": "0.2.0" },
    runtimes,
    scenarios,
    impls: IMPLS.filter((impl) => options.impls.includes(impl)),
    contexts: Object.fromEntries(Object.entries(contexts).map(([name, { ports: _ports, ...ctx }]) => [name, ctx])),
    scenarioDescriptions: Object.fromEntries(scenarios.map((s) => [s, SCENARIOS[s].what])),
    durationS: (performance.now() - started) / 1000,
  };
  const table = markdown(analysis, meta);
  const summary = header(meta);
  console.log(`\n${summary}\n\n${table}`);

  const results = join(BENCH_DIR, "results");
  const base = options.quick ? "quick" : "latest";
  const jsonFile = resolve(options.json ?? join(results, `${base}.json`));
  const svgFile = resolve(options.svg ?? join(results, `${base}.svg`));
  mkdirSync(dirname(jsonFile), { recursive: true });
  mkdirSync(dirname(svgFile), { recursive: true });
  writeFileSync(jsonFile, `${JSON.stringify({ meta, ...analysis }, null, 2)}\n`);
  writeFileSync(svgFile, chart(analysis, meta));
  _log(`wrote ${relative(process.cwd(), jsonFile)} and ${relative(process.cwd(), svgFile)}`);
  if (options.readme && !options.quick) {
    const readme = join(BENCH_DIR, "README.md");
    const image = relative(BENCH_DIR, svgFile).split("\\").join("/");
    updateReadme(readme, `${summary}\n\n![Ratios to native per runtime and scenario](${image})\n\n${table}`);
    _log(`updated ${relative(process.cwd(), readme)}`);
  }
}

main().catch((error) => {
  // A runtime that is not installed: one message with the fix (findRuntime's), exit 2.
  if (error?.name === "RuntimeSetupError") {
    _log(`bench: ${error.message}`);
    process.exitCode = 2;
    return;
  }
  console.error(error);
  process.exitCode = 1;
});
