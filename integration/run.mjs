/**
 * Integration run: real drivers (pg + pg-cloudflare, postgres) over `cloudflare:sockets` →
 * `@sockets/connect`, against a real PostgreSQL, on node, deno and bun.
 *
 * 1. A fresh test PKI (the conformance fixtures' generator) and a PostgreSQL server on
 *    127.0.0.1 with `ssl = on` and a certificate from the test CA (lib/pg-server.mjs).
 * 2. For each runtime, two child processes started with the README's command line
 *    (lib/runtimes.mjs): suite "trusted" (the process trusts the test CA through
 *    NODE_EXTRA_CA_CERTS / DENO_CERT) and suite "untrusted" (it trusts only another CA, so
 *    verification of the server must fail).
 * 3. A pass list per runtime; exit status 1 if anything failed, crashed or timed out.
 *
 * Everything is stopped on the way out, also on errors and Ctrl-C.
 *
 * Usage: node run.mjs [--runtime node,node@26,deno,bun] [--only <regexp on driver/scenario>]
 * (`node@26`: a pinned Node line, see @sockets/node-lines)
 *
 * @module
 */
import { spawn } from "node:child_process";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { createTestPki, unusedPort } from "@sockets/conformance/fixtures";
import { startPostgres } from "./lib/pg-server.mjs";
import { shimCommand } from "./lib/runtimes.mjs";

const HERE = import.meta.dirname;
const CHILD_TIMEOUT_MS = 120_000;

const { values: args } = parseArgs({
  options: { runtime: { type: "string", default: "node,deno,bun" }, only: { type: "string" } },
});
const runtimes = args.runtime
  .split(",")
  .map((r) => r.trim())
  .filter(Boolean);

const cleanups = [];
const children = new Set();
let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    for (const child of children) child.kill("SIGKILL");
    for (const fn of cleanups.reverse()) await fn().catch((e) => console.error(`cleanup: ${e.message}`));
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}

/**
 * Runs one example under `runtime`: a pass when it exits 0 having printed a row that says
 * the connection is TLS (`tls: true`). The example runs from a scratch copy in `.run/` so
 * its bare imports resolve to this package's dependencies.
 */
async function runExample(runtime, name, env) {
  const copy = join(HERE, ".run", "examples", `${name}.mjs`);
  await mkdir(dirname(copy), { recursive: true });
  await copyFile(join(HERE, "..", "examples", name, "main.mjs"), copy);
  const argv = shimCommand(runtime, HERE, copy);
  const started = performance.now();
  const { code, output } = await new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: HERE, env, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let output = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code: code ?? signal, output: output.trim() });
    });
  });
  const ok = code === 0 && /tls: true/.test(output);
  const result = {
    id: `examples/${name}`,
    ok,
    ms: Math.round(performance.now() - started),
    detail: ok ? output.replace(/\s+/g, " ") : `exit ${code}: ${output}`,
  };
  console.log(`  ${runtime.padEnd(4)} ${ok ? "pass" : "FAIL"} ${result.id} (${result.ms} ms) ${result.detail}`);
  return result;
}

/** Runs one child; resolves with its results (a crash or timeout becomes a failure). */
function runChild(runtime, suite, env) {
  const argv = shimCommand(runtime, HERE, join("scenarios", "main.mjs"));
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: HERE, env, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    const results = [];
    let stdout = "";
    let stderr = "";
    let done = false;
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${CHILD_TIMEOUT_MS} ms)`;
      child.kill("SIGKILL");
    }, CHILD_TIMEOUT_MS);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      let newline;
      while ((newline = stdout.indexOf("\n")) >= 0) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        if (line.startsWith("@@result ")) {
          const result = JSON.parse(line.slice("@@result ".length));
          results.push(result);
          console.log(`  ${runtime.padEnd(4)} ${result.ok ? "pass" : "FAIL"} ${result.id} (${result.ms} ms) ${result.detail}`);
        } else if (line === "@@done") done = true;
        else if (line.trim()) console.log(`  ${runtime.padEnd(4)} | ${line}`);
      }
    });
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (!done || code !== 0) {
        const crash = {
          id: `(${suite} suite process)`,
          ok: false,
          ms: 0,
          detail: `exited with ${code ?? signal} before finishing:\n${stderr.trim()}`,
        };
        console.log(`  ${runtime.padEnd(4)} FAIL ${crash.id} ${crash.detail}`);
        results.push(crash);
      }
      for (const r of results) if (!r.ok && r.stack) console.log(`    ${r.stack.split("\n").slice(0, 6).join("\n    ")}`);
      resolve(results);
    });
  });
}

async function main() {
  const started = performance.now();
  cleanups.push(() => rm(join(HERE, ".run"), { recursive: true, force: true }));
  const pki = await createTestPki();
  cleanups.push(() => pki.dispose());
  const server = await startPostgres(pki.leaf);
  cleanups.push(() => server.stop());
  // A refused port that parallel suites cannot take (below the ephemeral range).
  const closedPort = await unusedPort("tcp", "127.0.0.1");
  console.log(`${server.version} on ${server.host}:${server.port} (ssl = on, SCRAM-SHA-256, server certificate from the test CA)`);

  const base = { ...process.env, NO_COLOR: "1" };
  for (const key of Object.keys(base)) if (key.startsWith("PG")) delete base[key]; // drivers read PG* variables
  const connection = {
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database: server.database,
    closedPort,
    only: args.only,
  };
  const trust = { trusted: pki.caFile, untrusted: join(pki.dir, "private-ca.pem") };

  const summary = [];
  for (const runtime of runtimes) {
    console.log(`\n${runtime}: ${shimCommand(runtime, HERE, "scenarios/main.mjs").slice(1).join(" ")}`);
    const results = [];
    for (const suite of ["trusted", "untrusted"]) {
      const env = {
        ...base,
        NODE_EXTRA_CA_CERTS: trust[suite],
        DENO_CERT: trust[suite],
        SOCKETS_IT_ENV: JSON.stringify({ ...connection, suite }),
      };
      results.push(...(await runChild(runtime, suite, env)));
    }
    if (args.only === undefined) {
      const url = `postgres://${server.user}:${server.password}@localhost:${server.port}/${server.database}?sslmode=verify-full`;
      const env = { ...base, NODE_EXTRA_CA_CERTS: trust.trusted, DENO_CERT: trust.trusted, DATABASE_URL: url };
      for (const name of ["pg", "postgres"]) results.push(await runExample(runtime, name, env));
    }
    summary.push({ runtime, results });
  }

  console.log("\nPass list");
  let failed = 0;
  for (const { runtime, results } of summary) {
    const passed = results.filter((r) => r.ok);
    failed += results.length - passed.length;
    console.log(`  ${runtime}: ${passed.length}/${results.length} passed`);
    for (const r of results) console.log(`    ${r.ok ? "✓" : "✗"} ${r.id}`);
  }
  console.log(`\n${failed === 0 ? "All passed" : `${failed} failed`} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return failed === 0 ? 0 : 1;
}

let status = 1;
try {
  status = await main();
} catch (error) {
  console.error(error);
} finally {
  await cleanup();
}
process.exit(status);
