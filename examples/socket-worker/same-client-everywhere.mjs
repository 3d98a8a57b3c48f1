// The same Socket Worker (app.mjs) on node, deno, bun (through sockets-serve) and workerd
// (through `workerd serve` and a generated config like config.capnp, on port 0), each
// driven by the same real client (Python's smtplib): the transcripts must be identical.
// Every server is stopped with SIGTERM, and must stop cleanly.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const cli = join(dirname(require.resolve("@sockets/connect/package.json")), "dist/cli/sockets-serve.js");
const TIMEOUT_MS = 20_000;

function waitFor(child, pattern, what) {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => reject(new Error(`${what}: no match for ${pattern} within ${TIMEOUT_MS} ms; output: ${seen}`)),
      TIMEOUT_MS,
    );
    const onData = (text) => {
      seen += text;
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", (text) => (seen += text));
    child.once("exit", (code) => reject(new Error(`${what} exited (${code}) before ${pattern}: ${seen}`)));
  });
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal });
    });
    child.kill("SIGTERM");
  });
}

function smtplib(host, port) {
  const result = spawnSync("python3", [join(here, "smtp-client.py"), host, String(port)], { encoding: "utf8", timeout: TIMEOUT_MS });
  if (result.status !== 0) throw new Error(`smtplib failed: ${result.stderr}`);
  return result.stdout;
}

async function viaSocketsServe(runtime) {
  const child = spawn(process.execPath, [cli, "app.mjs", "--listen", "127.0.0.1:0", "--runtime", runtime], {
    cwd: here,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let transcript;
  let code;
  try {
    const [, host, port] = await waitFor(child, /listening on (127\.0\.0\.1):(\d+)/, `sockets-serve --runtime ${runtime}`);
    transcript = smtplib(host, Number(port));
  } finally {
    ({ code } = await stop(child));
  }
  if (code !== 0) throw new Error(`sockets-serve --runtime ${runtime} did not stop cleanly on SIGTERM (exit ${code})`);
  return transcript;
}

async function viaWorkerd() {
  const dir = mkdtempSync(join(tmpdir(), "socket-worker-"));
  await build({
    entryPoints: [join(here, "app.mjs")],
    bundle: true,
    format: "esm",
    conditions: ["workerd"],
    external: ["cloudflare:*"],
    outfile: join(dir, "app.mjs"),
    logLevel: "warning",
  });
  const config = readFileSync(join(here, "config.capnp"), "utf8")
    .replace('"127.0.0.1:8025"', '"127.0.0.1:0"')
    .replace('embed "dist/app.mjs"', 'embed "app.mjs"');
  writeFileSync(join(dir, "config.capnp"), config);
  const workerd = join(dirname(require.resolve("workerd/package.json")), "bin/workerd");
  const child = spawn(workerd, ["serve", "config.capnp", "--control-fd", "3"], { cwd: dir, stdio: ["ignore", "pipe", "pipe", "pipe"] });
  try {
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("workerd did not report its port")), TIMEOUT_MS);
      let text = "";
      child.stdio[3].setEncoding("utf8").on("data", (chunk) => {
        text += chunk;
        const event = text
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l))
          .find((e) => e.event === "listen" && e.socket === "smtp");
        if (event) {
          clearTimeout(timer);
          resolve(event.port);
        }
      });
    });
    return smtplib("127.0.0.1", port);
  } finally {
    await stop(child);
  }
}

const transcripts = {};
for (const runtime of ["node", "deno", "bun"]) transcripts[runtime] = await viaSocketsServe(runtime);
transcripts.workerd = await viaWorkerd();
const reference = transcripts.node;
let same = true;
for (const [runtime, transcript] of Object.entries(transcripts)) {
  const ok = transcript === reference;
  same &&= ok;
  console.log(`${ok ? "✓" : "✗"} ${runtime}`);
}
console.log("\n" + reference);
if (!same) {
  for (const [runtime, transcript] of Object.entries(transcripts)) console.log(`--- ${runtime}\n${transcript}`);
  process.exit(1);
}
console.log(`${Object.keys(transcripts).length} passed, 0 failed`);
