/**
 * `sockets-conformance`: starts the fixture peers once, runs every column's cases through
 * its runner, classifies the results against the expectations, prints the matrix, writes
 * the JSON and Markdown reports, and stops everything it started, on every exit path
 * (including SIGINT/SIGTERM).
 *
 * @module
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ConformanceCase } from "../cases/types.js";
import { parseCliArgs, USAGE, type CliOptions } from "./args.js";
import { stopAllChildren } from "./children.js";
import { findRuntime } from "../runtimes/find-runtime.js";
import { RuntimeSetupError, SETUP_EXIT_CODE } from "../runtimes/runtime-setup-error.js";
import { planColumns, type Column, type ResolvedRequest } from "./columns.js";
import { classify, loadExpectations, type Expectations } from "./expectations.js";
import { Progress } from "./progress.js";
import { renderMarkdown } from "./render-markdown.js";
import { renderTerminal } from "./render-terminal.js";
import { buildReport, type ColumnInput } from "./report.js";
import { runColumn } from "./run-column.js";
import { runnerStarter } from "./start-runner.js";

const DEFAULT_EXPECTATIONS = fileURLToPath(new URL("../../expectations", import.meta.url));

/**
 * Selects cases: every tag of a case must be in `tags` (so `spec` excludes a case that
 * also needs `ext:codes`), and `grep` must match its ID or title.
 *
 * @example
 * ```ts
 * import { selectCases } from "@sockets/conformance";
 * import { cases } from "@sockets/conformance/cases";
 * const specOnly = selectCases(cases, ["spec"], undefined);
 * const closeCases = selectCases(cases, undefined, /^close\//);
 * ```
 */
export function selectCases<C extends Pick<ConformanceCase, "id" | "title" | "tags">>(
  cases: readonly C[],
  tags: readonly string[] | undefined,
  grep: RegExp | undefined,
): C[] {
  return cases.filter(
    (c) => (tags === undefined || c.tags.every((t) => tags.includes(t))) && (grep === undefined || grep.test(c.id) || grep.test(c.title)),
  );
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code:
 * 0 all as expected, 1 unexpected results, 2 usage or setup error.
 *
 * @example
 * ```ts
 * import { runCli } from "@sockets/conformance";
 * process.exitCode = await runCli(["--target", "node", "--tags", "spec"]);
 * ```
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCliArgs(argv);
  } catch (error) {
    process.stderr.write(`sockets-conformance: ${(error as Error).message}\nRun with --help for usage.\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { cases } = (await import("../cases/index.js")) as { cases: readonly ConformanceCase[] };
  const selected = selectCases(cases, options.tags, options.grep);
  if (options.list) {
    const width = Math.max(0, ...selected.map((c) => c.id.length));
    for (const c of selected) process.stdout.write(`${c.id.padEnd(width)}  [${c.tags.join(" ")}]  ${c.title}\n`);
    process.stdout.write(`${selected.length} of ${cases.length} cases\n`);
    return 0;
  }
  if (selected.length === 0) {
    process.stderr.write(
      `sockets-conformance: no case matches --tags ${options.tags?.join(",") ?? "(any)"} --grep ${options.grep?.source ?? "(any)"}\n`,
    );
    return 2;
  }
  // Every runtime is found (and a --runtime-bin checked) before anything starts: a machine
  // that lacks one gets one message with the fix and exit code 2, not a matrix of failures.
  let columns: Column[];
  try {
    columns = planColumns(options.targets.map(_withBinary), options.name);
  } catch (error) {
    if (!(error instanceof RuntimeSetupError)) throw error;
    process.stderr.write(`sockets-conformance: ${error.message}\n`);
    return SETUP_EXIT_CODE;
  }
  const loaded: { expectations: Expectations; file: string | null }[] = [];
  try {
    for (const column of columns)
      loaded.push(
        options.useExpectations
          ? _loadFirst(options.expectations ?? DEFAULT_EXPECTATIONS, column.expectationNames ?? [column.name])
          : { expectations: {}, file: null },
      );
  } catch (error) {
    process.stderr.write(`sockets-conformance: ${(error as Error).message}\n`);
    return 2;
  }

  const cleanup = _cleanup();
  const progress = new Progress(process.stderr);
  const inputs: ColumnInput[] = [];
  try {
    const { startFixtures } = await import("../fixtures/index.js");
    const fixtures = await startFixtures();
    cleanup.add(() => fixtures.close());
    const dir = await mkdtemp(join(tmpdir(), "sockets-conformance-"));
    cleanup.add(() => rm(dir, { recursive: true, force: true }));
    const context = {
      dir,
      peers: fixtures.peers,
      privateCa: fixtures.privateCa,
      serverTls: fixtures.serverTls,
      caFile: fixtures.caFile,
      defaultTimeout: options.timeout,
      exec: options.exec,
      conditions: options.conditions,
      verbose: options.verbose,
    };
    const limits = new Map(selected.map((c) => [c.id, c.timeout ?? options.timeout] as const));
    for (const [index, column] of columns.entries()) {
      const { expectations, file } = loaded[index] ?? { expectations: {}, file: null };
      const ids = selected.filter((c) => expectations[c.id]?.status !== "skip").map((c) => c.id);
      progress.begin(column.name, selected.length);
      for (const c of selected) if (expectations[c.id]?.status === "skip") progress.settled(c.id, "skip");
      const run = await runColumn(ids, limits, runnerStarter(column, context), (event) => {
        if (event.kind === "start") return progress.running(event.id);
        const { status, error } = event.outcome;
        progress.settled(event.id, classify(status, expectations[event.id]), error && `${error.name}: ${error.message}`);
      });
      progress.end();
      inputs.push({ column, run, expectations, expectationsFile: file });
    }
  } catch (error) {
    process.stderr.write(`\nsockets-conformance: ${(error as Error).stack ?? String(error)}\n`);
    await cleanup.run();
    return 2;
  }
  await cleanup.run();

  const report = buildReport(selected, inputs, { tags: options.tags ?? null, grep: options.grep?.source ?? null });
  process.stdout.write(renderTerminal(report, process.stdout.isTTY === true && process.env["NO_COLOR"] === undefined));
  if (options.json !== undefined) await _write(options.json, JSON.stringify(report, null, 2) + "\n");
  if (options.markdown !== undefined) await _write(options.markdown, renderMarkdown(report));
  return report.ok ? 0 : 1;
}

/** Finds the binary a target runs on (exec columns run their own command). */
function _withBinary(request: CliOptions["targets"][number]): ResolvedRequest {
  if (request.target === "exec") return { ...request, binary: null };
  const spec = request.line === undefined ? request.target : `${request.target}@${request.line}`;
  return { ...request, binary: findRuntime(spec, { bin: request.bin }) };
}

/** The expectations of the first name that has a file (every name shares a single file). */
function _loadFirst(path: string, names: readonly string[]): { expectations: Expectations; file: string | null } {
  for (const name of names) {
    const found = loadExpectations(path, name);
    if (found.file !== null) return found;
  }
  return { expectations: {}, file: null };
}

async function _write(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  process.stderr.write(`wrote ${file}\n`);
}

/** Runs registered cleanups once: children first, then the rest; also on SIGINT/SIGTERM. */
function _cleanup(): { add(task: () => unknown): void; run(): Promise<void> } {
  const tasks: (() => unknown)[] = [];
  let running: Promise<void> | null = null;
  const run = (): Promise<void> =>
    (running ??= (async () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await stopAllChildren();
      for (const task of tasks.reverse()) {
        try {
          await task();
        } catch (error) {
          process.stderr.write(`sockets-conformance: cleanup failed: ${(error as Error).message}\n`);
        }
      }
    })());
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\nsockets-conformance: ${signal}, stopping everything it started…\n`);
    void run().then(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return { add: (task) => void tasks.push(task), run };
}
