// Child processes of the selection run: every one recorded, bounded in time, and stopped
// on exit (SIGTERM, then SIGKILL after 3 s: some workerd builds sit through SIGTERM).
import { spawn } from "node:child_process";

const running = new Set();

/** Runs a command to completion (or `timeoutMs`); resolves { code, stdout, stderr }. */
export function run(command, args, { cwd, env, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeoutMs} ms)`;
      stop(child);
    }, timeoutMs);
    child.on("error", (error) => {
      stderr += String(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code: code ?? signal, stdout, stderr });
    });
  });
}

/** Starts a long-lived child; the caller stops it with `stop`. */
export function start(command, args, options) {
  const child = spawn(command, args, options);
  running.add(child);
  child.on("exit", () => running.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after 3 s; resolves once the child has exited. */
export function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 3_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Stops everything still running. */
export async function stopAll() {
  await Promise.all([...running].map(stop));
}
