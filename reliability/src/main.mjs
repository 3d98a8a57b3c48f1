/**
 * `node src/main.mjs [--ci | --soak | --quick] [--runtime=node,deno,bun] [--only=<prefix>]`
 *
 * Starts the fixture peers, the TLS matrix, the ledger and the fault proxies in this Node
 * process; runs every scenario inside node, deno and bun (one bundle each); checks the
 * results against `expectations.json` (known runtime bugs, each with a reason and a
 * link); writes `results/<mode>.json` and regenerates RELIABILITY.md from every mode's
 * latest results. Exits non-zero on any unexpected result, stray rejection or crash.
 *
 * @module
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findRuntime, stopAllChildren } from "./_conformance-cli.mjs";
import { MODES, parseArgs } from "./_modes.mjs";
import { startWorld } from "./fixtures/index.mjs";
import { renderReliability } from "./report.mjs";
import { runRuntime } from "./run-runtime.mjs";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const expectations = JSON.parse(await readFile(join(PACKAGE_DIR, "expectations.json"), "utf8"));
  const sizes = MODES[args.mode];
  // Every runtime is found before anything starts: a missing one is one message, exit 2.
  for (const runtime of args.runtimes) findRuntime(runtime);
  const world = await startWorld();
  const dir = await mkdtemp(join(tmpdir(), "sockets-reliability-"));
  const started = Date.now();
  const runs = [];
  let unexpected = 0;
  try {
    for (const runtime of args.runtimes) {
      // A Node line (node@26) runs the node scenarios; its own expectations come first.
      const base = runtime.split("@")[0];
      const config = { mode: args.mode, sizes, seed: args.seed, runtimeTag: base, only: args.only, ...world.directory };
      const t0 = Date.now();
      process.stdout.write(`\n${runtime}\n`);
      const run = await runRuntime(
        runtime,
        config,
        world.caFile,
        dir,
        (event) => {
          if (event.type !== "result") return;
          const expected = expectations[runtime]?.[event.id] ?? expectations[base]?.[event.id];
          event.expected = expected?.status ?? "pass";
          const ok = event.status === event.expected || event.expected === "flaky";
          if (!ok) unexpected++;
          const mark = ok ? (event.status === "pass" ? "ok  " : "known") : "FAIL";
          const why =
            event.status === "pass"
              ? ""
              : `\n       ${event.error ? `${event.error.name}: ${event.error.message}` : ""}${event.strays ? ` ${event.strays.length} stray error(s), first: ${JSON.stringify(event.strays[0])}` : ""}`;
          process.stdout.write(`  ${mark} ${event.id} (${event.ms} ms)${why}\n`);
          // An unexpected result always shows its figures (error code, byte counts): a CI log
          // is often the only trace of a rare outcome.
          if (args.verbose || !ok) process.stdout.write(`       ${JSON.stringify(event.figures)}\n`);
        },
        world.drive,
      );
      run.seconds = Math.round((Date.now() - t0) / 100) / 10;
      if (run.exit !== 0) {
        unexpected++;
        process.stdout.write(`  FAIL ${runtime} exited with ${run.exit}\n${run.stderr}\n`);
      }
      if (run.lateStrays.length > 0) {
        unexpected++;
        process.stdout.write(`  FAIL stray errors between scenarios: ${JSON.stringify(run.lateStrays)}\n`);
      }
      runs.push(run);
    }
  } finally {
    await stopAllChildren();
    await world.close();
    await rm(dir, { recursive: true, force: true });
  }
  const report = {
    mode: args.mode,
    sizes,
    seed: args.seed,
    date: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    node: process.version,
    only: args.only ?? null,
    proxy: world.stats,
    unexpected,
    runs: runs.map(({ stderr: _stderr, ...rest }) => rest),
  };
  if (args.write && args.only === undefined) {
    await mkdir(join(PACKAGE_DIR, "results"), { recursive: true });
    await writeFile(join(PACKAGE_DIR, "results", `${args.mode}.json`), JSON.stringify(report, null, 2) + "\n");
    const all = {};
    for (const mode of Object.keys(MODES)) {
      try {
        all[mode] = JSON.parse(await readFile(join(PACKAGE_DIR, "results", `${mode}.json`), "utf8"));
      } catch {
        // that mode has not been run here yet
      }
    }
    await writeFile(join(PACKAGE_DIR, "RELIABILITY.md"), renderReliability(all, expectations));
  }
  process.stdout.write(
    `\n${unexpected === 0 ? "all as expected" : `${unexpected} unexpected result(s)`} in ${report.seconds} s (mode ${args.mode})\n`,
  );
  process.exitCode = unexpected === 0 ? 0 : 1;
}

process.once("SIGINT", () => void stopAllChildren().then(() => process.exit(130)));
try {
  await main();
} catch (error) {
  if (error?.name !== "RuntimeSetupError") throw error;
  process.stderr.write(`reliability: ${error.message}\n`);
  process.exitCode = 2;
}
