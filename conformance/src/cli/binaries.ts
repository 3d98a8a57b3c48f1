/**
 * Finds the target runtimes' binaries through their npm packages (`deno`, `bun`,
 * `workerd`), resolved from the current directory first, then from this package, and never
 * from `PATH`: the run uses exactly the versions the lockfile pins.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/** A runtime whose binary comes from npm. */
export type NpmRuntime = "deno" | "bun" | "workerd";

const BIN: Record<NpmRuntime, readonly string[]> = {
  deno: ["deno", "deno.exe"],
  bun: ["bin/bun.exe", "bin/bun"],
  workerd: ["bin/workerd", "bin/workerd.exe"],
};

/**
 * The binary of a runtime and its npm package version.
 *
 * @example
 * ```ts
 * import { findBinary } from "./binaries.js";
 * const { path, version } = findBinary("workerd"); // ".../workerd/bin/workerd", "1.20261117.1"
 * ```
 */
export function findBinary(runtime: NpmRuntime): { path: string; version: string } {
  const bases = [pathToFileURL(join(process.cwd(), "noop.js")).href, import.meta.url];
  for (const base of bases) {
    let manifest: string;
    try {
      manifest = createRequire(base).resolve(`${runtime}/package.json`);
    } catch {
      continue;
    }
    const version = (createRequire(base)(manifest) as { version: string }).version;
    for (const candidate of BIN[runtime]) {
      const path = join(dirname(manifest), candidate);
      if (existsSync(path)) return { path, version };
    }
    throw new Error(`The npm package "${runtime}@${version}" has no binary at ${BIN[runtime].join(" or ")}: its install script did not run (allow it in pnpm-workspace.yaml allowBuilds, then reinstall)`);
  }
  throw new Error(`Cannot find the npm package "${runtime}" from ${process.cwd()} or @sockets/conformance: install it (npm i -D ${runtime}) to run --target ${runtime}`);
}
