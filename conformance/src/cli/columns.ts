/**
 * Turns the requested targets into matrix columns: which runtime, which implementation
 * under test, which runner entry, and how to bundle for it (export conditions).
 *
 * @module
 */
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
  /** `node`, `workerd`, `workerd+@sockets/connect`, `node+@arrowood.dev/socket`, or the `--name` of an exec column. */
  name: string;
  target: TargetName;
  /** Specifier of the implementation under test. */
  module: string;
  /** Whether `module` is the target's default. */
  defaultModule: boolean;
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
export function planColumns(requests: readonly TargetRequest[], execName: string | undefined): Column[] {
  const columns = new Map<string, Column>();
  for (const { target, module } of requests) {
    const fallback = DEFAULT_MODULE[target];
    const chosen = module ?? fallback;
    const defaultModule = chosen === fallback;
    const base = target === "exec" ? (execName ?? "exec") : target;
    const name = defaultModule ? base : `${base}+${chosen}`;
    if (!columns.has(name)) columns.set(name, { name, target, module: chosen, defaultModule });
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
