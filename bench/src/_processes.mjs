/**
 * Process plumbing: finding the runtimes, pinning (client on core 0, peer server on core 1
 * when `taskset` exists and there are two cores), starting the peer server and running one
 * client measurement with a time limit. Every process started here is stopped here.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findRuntime } from "@sockets/conformance/runtimes";

const here = dirname(fileURLToPath(import.meta.url));
export const BENCH_DIR = resolve(here, "..");
const CLIENT = join(here, "client.mjs");
const PEER_SERVER = join(here, "peer-server.mjs");

/**
 * The runtime's binary: the machine's Node for `node`, the pinned `@sockets/node-lines`
 * builds for `node@22` …, the deno and bun npm packages at the lockfile's versions (never PATH).
 */
function _binary(name) {
  return findRuntime(name).path;
}

/** `node@22` → `node`: which scenario files and flags a runtime spec uses. */
export function engineOf(runtime) {
  return runtime.startsWith("node") ? "node" : runtime;
}

/** `taskset -c <core>` prefix, or none when pinning is unavailable. */
function _pin(core) {
  if (!existsSync("/usr/bin/taskset") || availableParallelism() < 2) return [];
  return ["/usr/bin/taskset", "-c", String(core)];
}

export const pinning = _pin(0).length > 0 ? "client on core 0, peer server on core 1 (taskset)" : "none (no taskset or one core)";

/** The command line that runs `client.mjs` on `runtime`, plus profiling flags. */
function _clientCommand(runtime, profileDir, scenario) {
  const prof = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--cpu-prof-interval=100"] : [];
  if (engineOf(runtime) === "node") return [_binary(runtime), "--expose-gc", ...prof, CLIENT];
  // Deno's UDP (`Deno.listenDatagram`) needs --unstable-net; given only to the UDP scenarios.
  const unstable = scenario.startsWith("udp") ? ["--unstable-net"] : [];
  if (runtime === "deno") return [_binary("deno"), "run", "-A", "--no-lock", ...unstable, "--v8-flags=--expose-gc", CLIENT];
  if (runtime === "bun") return [_binary("bun"), ...prof, CLIENT];
  throw new Error(`Unknown runtime "${runtime}"`);
}

/** The runtime's version string, or `null` when it is not installed or does not start. */
export function runtimeVersion(runtime) {
  let command;
  try {
    command = _binary(runtime);
  } catch (error) {
    if (runtime.startsWith("node@") && error?.name === "RuntimeSetupError") return null;
    throw error;
  }
  const result = spawnSync(command, ["--version"], { encoding: "utf8", timeout: 20_000 });
  if (result.status !== 0) return null;
  return result.stdout.trim().split("\n")[0];
}

/** Whether our package for `runtime` is built (its `dist/index.js` exists). */
export function oursBuilt(runtime) {
  return existsSync(resolve(BENCH_DIR, "..", "packages", engineOf(runtime), "dist", "index.js"));
}

/**
 * Starts the peer server pinned to core 1; resolves with `{ ports, stop }` once it listens.
 */
export function startPeerServer(keyFile, certFile) {
  const [command, ...args] = [..._pin(1), process.execPath, PEER_SERVER, keyFile, certFile];
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
  const stop = () =>
    new Promise((resolveStop) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
      const kill = setTimeout(() => child.kill("SIGKILL"), 3000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolveStop();
      });
      child.stdin.end();
      child.kill("SIGTERM");
    });
  return new Promise((resolveStart, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      stop();
      reject(new Error("The peer server did not start within 20 s"));
    }, 20_000);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`The peer server exited with code ${code} before listening`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const newline = out.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      const { ports } = JSON.parse(out.slice(0, newline));
      resolveStart({ ports, stop });
    });
  });
}

/**
 * Runs one measurement in a fresh client process pinned to core 0; resolves with the
 * parsed result (`ok: false` with the error on failure or timeout, never throws).
 */
export function runClient(runtime, job, { env, timeoutMs, profileDir }) {
  const [command, ...args] = [..._pin(0), ..._clientCommand(runtime, profileDir, job.scenario), JSON.stringify(job)];
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { cwd: BENCH_DIR, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      resolveRun({ ok: false, error: `Could not start ${command}: ${error.message}` });
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((text) => text.startsWith("RESULT "));
      if (timedOut) return resolveRun({ ok: false, error: `Timed out after ${timeoutMs / 1000} s` });
      if (line === undefined) {
        const tail = (stderr || stdout).trim().split("\n").slice(-6).join("\n");
        return resolveRun({ ok: false, error: `Exited with code ${code} without a result: ${tail}` });
      }
      resolveRun(JSON.parse(line.slice("RESULT ".length)));
    });
  });
}
