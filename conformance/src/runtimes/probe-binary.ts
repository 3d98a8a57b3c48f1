/**
 * Checks that a binary given by path (`--runtime-bin`) is the runtime it is meant to be, by
 * its `--version` output, and reads its real version from it. The three runtimes print
 * distinct shapes: `v22.23.5` (node), `deno 2.9.6 (…)` (deno), `1.4.5` (bun).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { RuntimeSetupError } from "./runtime-setup-error.js";

/**
 * A runtime a binary can be given for.
 *
 * @example
 * ```ts
 * import { probeBinary, type BinaryRuntime } from "@sockets/conformance/runtimes";
 * const runtime: BinaryRuntime = "deno";
 * probeBinary(runtime, "/usr/local/bin/deno"); // e.g. "2.9.6", or a RuntimeSetupError
 * ```
 */
export type BinaryRuntime = "node" | "deno" | "bun";

const VERSION_LINE: Record<BinaryRuntime, { pattern: RegExp; shape: string }> = {
  node: { pattern: /^v(\d+\.\d+\.\d+\S*)$/, shape: `"v<major>.<minor>.<patch>"` },
  deno: { pattern: /^deno (\d+\.\d+\.\d+\S*)/, shape: `"deno <major>.<minor>.<patch> (…)"` },
  bun: { pattern: /^(\d+\.\d+\.\d+\S*)$/, shape: `"<major>.<minor>.<patch>"` },
};

/**
 * Runs `path --version` and returns the version (`"22.23.5"`); throws a
 * {@link RuntimeSetupError} if the file is missing, not executable, or not `runtime`.
 *
 * @example
 * ```ts
 * import { probeBinary } from "@sockets/conformance/runtimes";
 * probeBinary("node", process.execPath); // e.g. "20.20.2"
 * ```
 */
export function probeBinary(runtime: BinaryRuntime, path: string): string {
  const fix = `Pass the path of a ${runtime} binary, e.g. --runtime-bin "$(command -v ${runtime})"`;
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new RuntimeSetupError(`--runtime-bin "${path}" does not exist`, fix);
  }
  if (!isFile) throw new RuntimeSetupError(`--runtime-bin "${path}" is not a file`, fix);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new RuntimeSetupError(
      `--runtime-bin "${path}" is not executable`,
      `Make it executable (chmod +x "${path}") or ${fix.charAt(0).toLowerCase()}${fix.slice(1)}`,
    );
  }
  const result = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 20_000, env: { ...process.env, NO_COLOR: "1" } });
  const first = `${result.stdout ?? ""}`.trim().split("\n")[0]?.trim() ?? "";
  const { pattern, shape } = VERSION_LINE[runtime];
  const version = pattern.exec(first)?.[1];
  if (result.error !== undefined || result.status !== 0 || version === undefined) {
    const said =
      result.error !== undefined
        ? `failed to start (${result.error.message})`
        : `printed "${first.slice(0, 80)}" (exit ${result.status ?? result.signal})`;
    throw new RuntimeSetupError(`--runtime-bin "${path}" is not a ${runtime} binary: "${path} --version" ${said}, expected ${shape}`, fix);
  }
  return version;
}
