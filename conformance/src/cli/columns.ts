/**
 * Turns the requested targets into matrix columns: which runtime, which implementation
 * under test, which runner entry, and how to bundle for it (export conditions).
 *
 * @module
 */
import type { RuntimeBinary } from "../runtimes/find-runtime.js";
import type { TargetName, TargetRequest } from "./args.js";

/**
 * One column of the matrix.
 *
 * @example
 * ```ts
 * import type { Column } from "./columns.js";
 * const column: Column = { name: "workerd", target: "workerd", module: "cloudflare:sockets", defaultModule: true };
 * ```
 */
export interface Column {
  /**
   * `node`, `node@22.23.5` (a Node line or a `--runtime-bin`, by its real version),
   * `workerd`, `workerd+@sockets/connect`, `node+@arrowood.dev/socket`, or the `--name` of
   * an exec column.
   */
  name: string;
  target: TargetName;
  /** Specifier of the implementation under test. */
  module: string;
  /** Whether `module` is the target's default. */
  defaultModule: boolean;
  /** The runtime binary the column runs on (`null`: an exec column's own command). */
  binary?: RuntimeBinary | null;
  /**
   * Expectation files to use, the first that exists: the column's own, then its line's
   * (`node@22`), then its target's (`node`). Default: `[name]`.
   */
  expectationNames?: string[];
}

/**
 * A target request with its runtime binary found.
 *
 * @example
 * ```ts
 * import { findRuntime } from "../runtimes/find-runtime.js";
 * import type { ResolvedRequest } from "./columns.js";
 * const request: ResolvedRequest = { target: "node", module: undefined, line: 22, binary: findRuntime("node@22") };
 * ```
 */
export interface ResolvedRequest extends TargetRequest {
  binary?: RuntimeBinary | null;
}

const DEFAULT_MODULE: Record<TargetName, string> = {
  node: "@sockets/node",
  deno: "@sockets/deno",
  bun: "@sockets/bun",
  workerd: "cloudflare:sockets",
  exec: "@sockets/connect",
};

/**
 * Builds the columns for the requested targets; a target named twice with the same module
 * is one column.
 *
 * @example
 * ```ts
 * import { planColumns } from "./columns.js";
 * planColumns([{ target: "workerd", module: "@sockets/connect" }], undefined).map((c) => c.name); // ["workerd+@sockets/connect"]
 * ```
 */
export function planColumns(requests: readonly ResolvedRequest[], execName: string | undefined): Column[] {
  const columns = new Map<string, Column>();
  for (const { target, module, binary = null } of requests) {
    const fallback = DEFAULT_MODULE[target];
    const chosen = module ?? fallback;
    const defaultModule = chosen === fallback;
    const suffix = defaultModule ? "" : `+${chosen}`;
    // A Node line or a binary given by path is named by its real version.
    const versioned = binary !== null && (binary.source === "path" || (binary.source === "npm" && target === "node"));
    const base = target === "exec" ? (execName ?? "exec") : versioned ? `${target}@${binary.version}` : target;
    const name = base + suffix;
    const major = versioned ? `${target}@${binary.version.split(".")[0]}${suffix}` : null;
    const expectationNames = [...new Set([name, ...(major === null ? [] : [major, target + suffix])])];
    if (!columns.has(name)) columns.set(name, { name, target, module: chosen, defaultModule, binary, expectationNames });
  }
  return [...columns.values()];
}

/**
 * The file name of a column's expectations: the column name with anything unsafe in a file
 * name replaced (`node+@arrowood.dev/socket` → `node+@arrowood.dev__socket.json`).
 *
 * @example
 * ```ts
 * import { expectationsFileName } from "./columns.js";
 * expectationsFileName("workerd"); // "workerd.json"
 * ```
 */
export function expectationsFileName(column: string): string {
  return column.replaceAll("/", "__").replace(/[^A-Za-z0-9@._+-]/g, "_") + ".json";
}
