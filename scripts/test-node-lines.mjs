#!/usr/bin/env node
// Runs @sockets/node's tests on every pinned Node line (@sockets/node-lines: Node 22, 24,
// 26), one line after another; `turbo run test` has already run them on the machine's Node.
// The other suites take the lines as runtimes of their own (the conformance matrix's
// node@22… columns, `integration/run.mjs --runtime node@22,…`, `reliability --runtime=node@22,…`).
//
// Usage: node scripts/test-node-lines.mjs            exit 1 if any line failed, 2 if a line is missing
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { nodeLines, RuntimeSetupError, SETUP_EXIT_CODE } from "@sockets/conformance/runtimes";

const PACKAGE_DIR = fileURLToPath(new URL("../packages/node/", import.meta.url));
const VITEST = fileURLToPath(new URL("../packages/node/node_modules/vitest/vitest.mjs", import.meta.url));

let lines;
try {
  lines = nodeLines();
} catch (error) {
  if (!(error instanceof RuntimeSetupError)) throw error;
  console.error(`test-node-lines: ${error.message}`);
  process.exit(SETUP_EXIT_CODE);
}
const failed = [];
for (const line of lines) {
  console.log(`\n@sockets/node tests on Node ${line.version} (${line.path})`);
  const started = performance.now();
  const { status, signal } = spawnSync(line.path, [VITEST, "run"], {
    cwd: PACKAGE_DIR,
    stdio: "inherit",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  console.log(
    `Node ${line.version}: ${status === 0 ? "passed" : `FAILED (${signal ?? `exit ${status}`})`} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  if (status !== 0) failed.push(line.version);
}
console.log(`\n@sockets/node on ${lines.length} Node lines: ${lines.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length === 0 ? 0 : 1);
