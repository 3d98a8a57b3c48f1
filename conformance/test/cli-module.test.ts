/**
 * The CLI with `--module`: a third-party module's `listen()` reaches the `server` cases (here
 * through a default export), and a module without one gets them reported as skipped, with
 * the reason, never failed. Runs the real CLI in-process against a node runner.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run-cli.js";
import type { Report } from "../src/cli/report.js";

const THIRD_PARTY = fileURLToPath(new URL("./fixtures/third-party-impl.mjs", import.meta.url));
const CASES = "^server/(listen-port-zero|accept-echo-host-client)$";
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sockets-conformance-cli-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(module: string, name: string): Promise<{ code: number; report: Report }> {
  const json = join(dir, `${name}.json`);
  const code = await runCli(["--target", "node", "--module", module, "--grep", CASES, "--no-expectations", "--json", json]);
  return { code, report: JSON.parse(await readFile(json, "utf8")) as Report };
}

describe("sockets-conformance --module", () => {
  it("runs the server cases on a third-party module's listen()", async () => {
    const { code, report } = await run(THIRD_PARTY, "third-party");
    const cells = Object.values(report.cells)[0] ?? {};
    expect(Object.fromEntries(Object.entries(cells).map(([id, cell]) => [id, cell.status]))).toEqual({
      "server/listen-port-zero": "pass",
      "server/accept-echo-host-client": "pass",
    });
    expect(code).toBe(0);
  });

  it("reports the server cases as skipped, with the reason, for a module without listen()", async () => {
    const { code, report } = await run("@arrowood.dev/socket", "connect-only");
    const cells = Object.values(report.cells)[0] ?? {};
    for (const cell of Object.values(cells)) {
      expect(cell.status).toBe("skip");
      expect(cell.error?.message).toBe("the module under test exports no listen()");
    }
    expect(Object.keys(cells)).toHaveLength(2);
    expect(report.columns[0]?.totals.skip).toBe(2);
    expect(code).toBe(0);
  });
});
