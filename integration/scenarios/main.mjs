/**
 * The child side of the integration run: started by `run.mjs` under node, deno or bun with
 * the cloudflare-shim entry for that runtime, it runs the driver scenarios of one suite
 * (`suite` in `SOCKETS_IT_ENV`: "trusted" — the process trusts the test CA — or "untrusted" — it
 * trusts another CA only) one after another, each bounded in time, and prints one
 * `@@result {json}` line per scenario for the parent.
 *
 * @module
 */
import process from "node:process";
import { describe, within } from "./_check.mjs";
import { knownDriverDefects } from "./known-driver-defects.mjs";
import { scenarios as pgScenarios } from "./pg.mjs";
import { scenarios as postgresScenarios } from "./postgres.mjs";

const SCENARIO_TIMEOUT_MS = 30_000;

const env = JSON.parse(process.env.SOCKETS_IT_ENV ?? "{}");
const suite = env.suite;
const only = env.only ? new RegExp(env.only) : null;

const all = [
  ...pgScenarios.map((s) => ({ driver: "pg", ...s })),
  ...postgresScenarios, // postgres/… (4.x) and postgres3/… (3.x)
].filter((s) => s.suite === suite && (!only || only.test(`${s.driver}/${s.name}`)));

// Unhandled rejections are collected per scenario instead of ending the process: a
// scenario that leaves one fails, unless it is a listed driver defect re-emitting the
// error the scenario already got.
let unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(reason));

for (const scenario of all) {
  const id = `${scenario.driver}/${scenario.name}`;
  const started = performance.now();
  unhandled = [];
  let result;
  try {
    const outcome = await within(SCENARIO_TIMEOUT_MS, scenario.run(env), id);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let late rejections surface
    const detail = typeof outcome === "object" && outcome !== null ? outcome.detail : outcome;
    const delivered = typeof outcome === "object" && outcome !== null ? outcome.error : undefined;
    const known = knownDriverDefects.find((d) => d.id === id);
    const stray = unhandled.filter((reason) => !(known && reason === delivered));
    if (stray.length > 0) throw new Error(`Unhandled rejection during the scenario: ${stray.map(describe).join("; ")}`);
    const note = unhandled.length > 0 ? ` [tolerated driver defect: ${unhandled.length} re-emitted error(s), ${known.upstream}]` : "";
    result = { id, ok: true, ms: Math.round(performance.now() - started), detail: (detail ?? "") + note };
  } catch (error) {
    result = { id, ok: false, ms: Math.round(performance.now() - started), detail: describe(error), stack: error?.stack };
  }
  console.log(`@@result ${JSON.stringify(result)}`);
}
console.log("@@done");
// A driver that failed to close something must not keep the child alive.
process.exit(0);
