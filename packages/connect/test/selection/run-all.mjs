#!/usr/bin/env node
// Proves which branch of @sockets/connect each runtime's OWN resolver selects (not
// vitest's, which has its own condition list). The packages are packed as they would be
// published and installed into a throwaway consumer project; then:
//
//   node         node consumer.mjs                          → runtime "node"
//   deno         deno run consumer.mjs (node_modules)       → runtime "deno"
//   deno-npm     deno run consumer-npm.mjs                  → runtime "deno"
//                (`import "npm:@sockets/connect"`, fetched by Deno's npm resolver from a
//                local registry serving the tarballs, into an empty DENO_DIR)
//   bun          bun consumer.mjs                           → runtime "bun"
//   workerd      esbuild with conditions workerd/worker/browser, cloudflare:* external,
//                served by the real workerd binary          → runtime "workerd"
//   browser      esbuild with the browser condition, evaluated in a browser-like realm
//                (and in plain Node): importing does not throw, connect() throws the
//                SocketError naming the environment and the supported runtimes.
//
// Each runtime also does one echo round trip on 127.0.0.1 through the selected connect().
// Usage: node test/selection/run-all.mjs [check …]   (default: all checks)
import { mkdtemp, mkdir, readFile, rm, cp } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { bundle } from "./_bundle.mjs";
import { run, stopAll } from "./_children.mjs";
import { makeConsumer, packAll } from "./_pack.mjs";
import { startRegistry } from "./_registry.mjs";
import { fetchFromWorkerd } from "./_workerd.mjs";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const FIXTURES = fileURLToPath(new URL("./consumer/", import.meta.url));
const BIN = (name) => join(ROOT, "node_modules", ".bin", name);
const ALL = ["node", "deno", "deno-npm", "bun", "workerd", "browser"];
const SUPPORTED = "node, deno, bun and workerd";

const only = process.argv.slice(2);
const unknown = only.filter((c) => !ALL.includes(c));
if (unknown.length > 0) {
  console.error(`Unknown check ${JSON.stringify(unknown[0])}: expected any of ${ALL.join(", ")}`);
  process.exit(2);
}
const selected = only.length > 0 ? only : ALL;

/** Every branch's value exports, sorted (the shared declaration in src/index.ts). */
const EXPORTS = '["SocketError","adopt","connect","listen","runtime","serve","udp"]';

/** Asserts a runtime's report; returns a list of problems (empty: pass). */
function judge(expected, stdout) {
  const line = stdout.trim().split("\n").at(-1) ?? "";
  let report;
  try {
    report = JSON.parse(line);
  } catch {
    return [`no JSON report on stdout: ${JSON.stringify(line.slice(0, 300))}`];
  }
  const problems = [];
  if (report.runtime !== expected) problems.push(`runtime tag is ${JSON.stringify(report.runtime)}, expected "${expected}"`);
  if (JSON.stringify(report.exports) !== EXPORTS) problems.push(`exports are ${JSON.stringify(report.exports)}, expected ${EXPORTS}`);
  const invalid = report.invalid;
  if (!(invalid?.socketError && invalid.typeError && invalid.code === "EINVAL")) {
    problems.push(`connect("no-port-here") gave ${JSON.stringify(invalid)}, expected a synchronous SocketError EINVAL`);
  }
  if (report.echo !== `ping from ${expected}`) problems.push(`echo round trip returned ${JSON.stringify(report.echo)}`);
  return problems;
}

function processFailure(result) {
  return [`exit ${result.code}`, result.stderr.trim().slice(-2000)].filter(Boolean);
}

/** Evaluates the browser bundle in `context` (a vm realm, or null for this one) and checks the default branch. */
function judgeBrowser(code, context, expectInMessage) {
  const problems = [];
  let m;
  try {
    if (context === null) {
      vm.runInThisContext(code, { filename: "browser-bundle.js" });
      m = globalThis.__selection.m;
    } else {
      vm.runInContext(code, context, { filename: "browser-bundle.js" });
      m = vm.runInContext("__selection.m", context);
    }
  } catch (error) {
    return [`importing the browser bundle threw: ${error?.stack ?? error}`];
  }
  if (m.runtime !== "unsupported") problems.push(`runtime tag is ${JSON.stringify(m.runtime)}, expected "unsupported"`);
  const RealmTypeError = context === null ? TypeError : vm.runInContext("TypeError", context);
  try {
    m.connect("127.0.0.1:5432");
    problems.push("connect() did not throw");
  } catch (error) {
    if (!(error instanceof m.SocketError)) problems.push(`connect() threw ${error?.constructor?.name}, not the exported SocketError`);
    if (!(error instanceof RealmTypeError)) problems.push("the SocketError is not a TypeError");
    if (error?.code !== "EINVAL") problems.push(`code is ${JSON.stringify(error?.code)}, expected "EINVAL"`);
    const message = String(error?.message);
    for (const part of ["SocketError: ", SUPPORTED, ...expectInMessage]) {
      if (!message.includes(part)) problems.push(`message ${JSON.stringify(message)} does not contain ${JSON.stringify(part)}`);
    }
  }
  return problems;
}

async function main() {
  const tmp = await mkdtemp(join(tmpdir(), "sockets-selection-"));
  const echoServer = createServer((socket) => {
    socket.on("error", () => {});
    socket.pipe(socket);
  });
  await new Promise((resolve) => echoServer.listen(0, "127.0.0.1", resolve));
  const echo = `127.0.0.1:${echoServer.address().port}`;
  const consumer = join(tmp, "consumer");
  const results = [];
  let registry;
  try {
    console.log(`Packing @sockets/* into ${tmp} and installing them into a consumer project …`);
    const tarballs = await packAll(ROOT, join(tmp, "tarballs"));
    await makeConsumer(consumer, tarballs, FIXTURES);

    const checks = {
      node: async () => {
        const r = await run(process.execPath, ["consumer.mjs", echo], { cwd: consumer });
        return r.code === 0 ? judge("node", r.stdout) : processFailure(r);
      },
      deno: async () => {
        const env = { DENO_DIR: join(tmp, "deno-dir-node-modules"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
        const r = await run(BIN("deno"), ["run", "--allow-net", "consumer.mjs", echo], { cwd: consumer, env });
        return r.code === 0 ? judge("deno", r.stdout) : processFailure(r);
      },
      "deno-npm": async () => {
        registry ??= await startRegistry(tarballs);
        const dir = join(tmp, "deno-npm");
        await mkdir(dir, { recursive: true });
        for (const file of ["check.mjs", "consumer-npm.mjs"]) await cp(join(FIXTURES, file), join(dir, file));
        const env = { DENO_DIR: join(tmp, "deno-dir-npm"), NPM_CONFIG_REGISTRY: registry.url, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
        const r = await run(BIN("deno"), ["run", "--allow-net", "--node-modules-dir=none", "--no-lock", "consumer-npm.mjs", echo], {
          cwd: dir,
          env,
        });
        return r.code === 0 ? judge("deno", r.stdout) : processFailure(r);
      },
      bun: async () => {
        const r = await run(BIN("bun"), ["consumer.mjs", echo], { cwd: consumer, env: { NO_COLOR: "1" } });
        return r.code === 0 ? judge("bun", r.stdout) : processFailure(r);
      },
      workerd: async () => {
        const module = join(tmp, "workerd", "worker.mjs");
        await bundle({ entry: "./worker.mjs", outfile: module, cwd: consumer, platform: "workerd" });
        const r = await fetchFromWorkerd({ root: ROOT, binary: BIN("workerd"), module, path: `/?echo=${encodeURIComponent(echo)}` });
        return r.status === 200 ? judge("workerd", r.body) : [`HTTP ${r.status}: ${r.body.slice(0, 2000)}`, r.log.slice(-2000)];
      },
      browser: async () => {
        const outfile = join(tmp, "browser", "bundle.js");
        await bundle({ entry: "./browser.mjs", outfile, cwd: consumer, platform: "browser" });
        const code = await readFile(outfile, "utf8");
        const agent = "Mozilla/5.0 (X11; Linux x86_64) selection-test";
        const realm = vm.createContext({ document: {}, navigator: { userAgent: agent } });
        realm.window = realm;
        return [
          ...judgeBrowser(code, realm, [`a browser (user agent "${agent}")`]).map((p) => `browser realm: ${p}`),
          ...judgeBrowser(code, null, [`Node.js ${process.versions.node}`, 'without the "node" export condition']).map(
            (p) => `node realm: ${p}`,
          ),
        ];
      },
    };

    for (const name of selected) {
      let problems;
      try {
        problems = await checks[name]();
      } catch (error) {
        problems = [String(error?.stack ?? error)];
      }
      results.push({ name, problems });
      console.log(
        `${problems.length === 0 ? "PASS" : "FAIL"}  ${name}${problems.map((p) => `\n      ${p.replaceAll("\n", "\n      ")}`).join("")}`,
      );
    }
  } finally {
    await registry?.close();
    echoServer.close();
    await stopAll();
  }
  const failed = results.filter((r) => r.problems.length > 0).length + (results.length < selected.length ? 1 : 0);
  if (failed === 0 && process.env.SOCKETS_SELECTION_KEEP === undefined) await rm(tmp, { recursive: true, force: true });
  else console.log(`Kept ${tmp} for inspection.`);
  console.log(`${results.length - failed}/${selected.length} selection checks passed.`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(error?.stack ?? error);
    await stopAll();
    process.exit(1);
  },
);
