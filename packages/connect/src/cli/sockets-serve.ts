#!/usr/bin/env node
/**
 * `sockets-serve`: runs a Socket Worker module (`export default { connect(socket) {…} }`)
 * as a TCP server on Node, Deno or Bun.
 *
 * It lives in `@sockets/connect` because that is the package a handler module already
 * imports (`adopt`, `connect`) and the one whose export conditions pick the runtime's
 * implementation: the same installed package serves on all three, with no extra
 * dependency. On Node it runs in this process; for `--runtime deno|bun` it starts that
 * runtime on `serve-entry.js` (binary from `--runtime-bin`, else the `deno`/`bun` npm
 * package, else `PATH`), forwards SIGINT/SIGTERM and exits with its code.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseServeArgs, USAGE } from "./serve-args.js";

// The npm packages ship the binaries: deno at the package root, bun as bin/bun.exe (also on Linux).
const NPM_BINARY: Record<"deno" | "bun", readonly string[]> = { deno: ["deno", "deno.exe"], bun: ["bin/bun.exe", "bin/bun"] };

function findRuntime(name: "deno" | "bun"): string {
  try {
    const manifest = createRequire(pathToFileURL(join(process.cwd(), "noop.js")).href).resolve(`${name}/package.json`);
    for (const candidate of NPM_BINARY[name]) {
      const path = join(dirname(manifest), candidate);
      if (existsSync(path)) return path;
    }
  } catch {
    // Not installed here: try PATH.
  }
  return name;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let runtime: "node" | "deno" | "bun";
  let runtimeBin: string | undefined;
  try {
    ({ runtime, runtimeBin } = parseServeArgs(argv));
  } catch (error) {
    const message = (error as Error).message;
    if (message === USAGE) {
      console.log(USAGE);
      return 0;
    }
    console.error(`sockets-serve: ${message}`);
    return 2;
  }
  if (runtime === "node" && runtimeBin === undefined) {
    const { runServe } = await import("./serve-main.js");
    return runServe(argv);
  }
  const entry = fileURLToPath(new URL("./serve-entry.js", import.meta.url));
  const binary = runtimeBin ?? (runtime === "node" ? process.execPath : findRuntime(runtime));
  const command =
    runtime === "deno" ? ["run", "--no-prompt", "--allow-net", "--allow-read", "--allow-env", entry, ...argv] : [entry, ...argv];
  const child = spawn(binary, command, { stdio: "inherit" });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  return new Promise<number>((resolve) => {
    child.once("error", (error) => {
      console.error(
        `sockets-serve: cannot start ${runtime} (${binary}): ${error.message}; install it (npm i -D ${runtime}) or pass --runtime-bin`,
      );
      resolve(2);
    });
    child.once("exit", (code, signal) => resolve(code ?? (signal === null ? 1 : 0)));
  });
}

process.exit(await main());
