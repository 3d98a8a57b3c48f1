/**
 * Bundles the scenarios for one runtime (esbuild with that runtime's conditions, as the
 * conformance CLI does), runs the bundle in the runtime with the least it needs, and
 * collects its protocol lines. A runtime that goes quiet for longer than the longest
 * scenario is stopped and its missing scenarios count as failures.
 *
 * @module
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { esbuild, findRuntime, startChild, stopChild } from "./_conformance-cli.mjs";
import { LINE_PREFIX } from "./runner/harness.mjs";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const PACKAGE_DIR = join(HERE, "..");
const QUIET_MS = 960_000;

/** `runtime` is node, deno, bun or a Node line (`node@26`, bundled as node). */
async function _bundle(runtime, config, outFile) {
  await esbuild.build({
    entryPoints: [join(HERE, "runner", `entry-${config.runtimeTag}.mjs`)],
    absWorkingDir: PACKAGE_DIR,
    bundle: true,
    format: "esm",
    target: "es2022",
    outfile: outFile,
    platform: config.runtimeTag === "deno" ? "neutral" : "node",
    mainFields: ["module", "main"],
    conditions: [config.runtimeTag],
    external: ["node:*", "bun", "bun:*"],
    define: { __RELIABILITY_CONFIG__: JSON.stringify(config) },
    logLevel: "silent",
    legalComments: "none",
  });
}

function _command(runtime, file, caFile) {
  if (runtime.startsWith("node"))
    return { command: findRuntime(runtime).path, args: ["--expose-gc", file], env: { NODE_EXTRA_CA_CERTS: caFile } };
  if (runtime === "bun") return { command: findRuntime("bun").path, args: [file], env: { NODE_EXTRA_CA_CERTS: caFile, DO_NOT_TRACK: "1" } };
  const net = ["127.0.0.1", "localhost", "[::1]", "sockets-reliability.invalid"].join(",");
  const args = ["run", "--no-prompt", "--no-config", "--no-lock", `--allow-net=${net}`, "--v8-flags=--expose-gc", file];
  return { command: findRuntime("deno").path, args, env: { DENO_CERT: caFile, DENO_NO_UPDATE_CHECK: "1" } };
}

/**
 * Runs every scenario on `runtime`; resolves `{ runtime, results, lateStrays, exit, stderr }`.
 * The runtime's questions are answered on its stdin (`runner/_asker.mjs`): `fds` (counted
 * here, from outside) and `drive` (passed to `drive(request)`, which runs Node clients).
 *
 * @example
 * ```js
 * const run = await runRuntime("deno", config, world.caFile, "/tmp/rel", (r) => console.log(r.id, r.status), world.drive);
 * ```
 */
export async function runRuntime(runtime, config, caFile, dir, onEvent, drive) {
  const file = join(dir, `reliability-${runtime.replace("@", "-")}.mjs`);
  await _bundle(runtime, config, file);
  const { command, args, env } = _command(runtime, file, caFile);
  const child = startChild(command, args, { cwd: dir, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["pipe", "pipe", "pipe"] });
  const run = { runtime, version: null, results: [], lateStrays: [], exit: null, stderr: "" };
  if (!child.stdout || !child.stderr) {
    // spawn failed outright (EMFILE, EAGAIN…): Node then gives the child no pipes.
    run.exit = await new Promise((resolve) => child.once("error", (error) => resolve(`spawn failed: ${error.message}`)));
    return run;
  }
  const answer = (message) => {
    if (child.stdin.writable) child.stdin.write(JSON.stringify(message) + "\n");
  };
  let buffer = "";
  let quiet;
  const arm = () => {
    clearTimeout(quiet);
    quiet = setTimeout(() => void stopChild(child), QUIET_MS);
  };
  arm();
  child.stdout.setEncoding("utf8").on("data", (text) => {
    buffer += text;
    let at;
    while ((at = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      if (!line.startsWith(LINE_PREFIX)) continue;
      arm();
      const event = JSON.parse(line.slice(LINE_PREFIX.length));
      if (event.type === "fds") {
        answer({ id: event.id, value: readdirSync(`/proc/${child.pid}/fd`).length });
        continue;
      }
      if (event.type === "drive") {
        // Independent Node clients against the runtime's listener (fixtures/server-driver.mjs).
        drive(event.request).then(
          (value) => answer({ id: event.id, value }),
          (error) => answer({ id: event.id, error: String(error?.stack ?? error) }),
        );
        continue;
      }
      if (event.type === "hello") run.version = event.runtime;
      if (event.type === "result") run.results.push(event);
      if (event.type === "done") run.lateStrays = event.lateStrays;
      onEvent(event);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (text) => (run.stderr = (run.stderr + text).slice(-4_000)));
  run.exit = await new Promise((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
  clearTimeout(quiet);
  await stopChild(child);
  return run;
}
