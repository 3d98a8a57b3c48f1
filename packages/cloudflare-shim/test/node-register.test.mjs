/**
 * `node --import @sockets/cloudflare-shim/node-register` on the machine's Node and on every
 * pinned Node line: `cloudflare:sockets` resolves to our connect (a real echo round trip
 * over loopback, through `import` and `require`-free code alike), and nothing is printed on
 * stderr — on Node 26 `module.register()` would print `[DEP0205] DeprecationWarning`, so the
 * shim must use `module.registerHooks()` where Node has it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { findRuntime, nodeLines } from "@sockets/conformance/runtimes";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "shim-node-register-"));
const APP = join(scratch, "app.mjs");
// The app is a Worker's code: it only knows cloudflare:sockets.
writeFileSync(
  APP,
  `import { connect } from "cloudflare:sockets";
const socket = connect({ hostname: "127.0.0.1", port: Number(process.env.ECHO_PORT) });
const writer = socket.writable.getWriter();
await writer.write(new TextEncoder().encode("ping"));
const { value } = await socket.readable.getReader().read();
await socket.close();
console.log(new TextDecoder().decode(value), navigator.userAgent, typeof (await import("module")).registerHooks);
`,
);

let echo;
before(async () => {
  echo = net.createServer((socket) => socket.on("error", () => {}).pipe(socket));
  await new Promise((resolve) => echo.listen(0, "127.0.0.1", resolve));
});
after(() => {
  echo.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs the app under `node` with the shim; resolves its exit code and output. */
function runApp(node) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, ["--conditions=workerd", "--import", "@sockets/cloudflare-shim/node-register", APP], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, ECHO_PORT: String(echo.address().port), NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}

describe("node-register", () => {
  for (const node of [findRuntime("node"), ...nodeLines()]) {
    it(`maps cloudflare:sockets and prints nothing on stderr (node ${node.version})`, async () => {
      const { code, stdout, stderr } = await runApp(node.path);
      assert.equal(stderr, "", `stderr of node ${node.version}`);
      assert.equal(code, 0, stdout);
      const hasRegisterHooks = Number(node.version.split(".")[0]) >= 22;
      assert.equal(stdout, `ping Cloudflare-Workers ${hasRegisterHooks ? "function" : "undefined"}`);
    });
  }
});
