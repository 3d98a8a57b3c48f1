// Finding: on Deno, `close()` on a `Deno.TlsConn` whose server handshake is still waiting
// for the client does not close the TCP socket: a client that connected and never sent a
// byte (slowloris) keeps the connection, and the server process keeps its file descriptor,
// until the client itself sends or hangs up. Expected: close() closes the socket (the
// client sees EOF), as Node and Bun do when @sockets' handshakeTimeout gives up on it.
// @sockets/deno counts such a client in stats.failed at the timeout, but cannot free it.
//
// Run: cd reliability && node findings/deno-tls-close-mid-handshake.mjs
// (the harness's view: node src/main.mjs --runtime=deno --only=server/tls-slowloris-timed-out --no-write)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestPki, findRuntime } from "./_deps.mjs";

const pki = await createTestPki();
const dir = mkdtempSync(join(tmpdir(), "deno-tls-close-"));
const script = join(dir, "repro.mjs");
writeFileSync(
  script,
  `const cert = ${JSON.stringify(pki.leaf.certPem)}, key = ${JSON.stringify(pki.leaf.keyPem)};
const listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert, key });
const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }); // never sends
const conn = await listener.accept();
const handshake = conn.handshake().then(() => "completed", (e) => e.name);
await new Promise((r) => setTimeout(r, 300));
conn.close(); // the server gives up on the handshake
const t0 = performance.now();
const seen = await Promise.race([
  client.read(new Uint8Array(16)).then((n) => (n === null ? "EOF" : n + " bytes"), (e) => e.name),
  new Promise((r) => setTimeout(() => r(null), 3000)),
]);
console.log(seen === null
  ? "BUG: the client is still connected 3 s after the server's close() of its TlsConn"
  : "ok: the client saw " + seen + " " + Math.round(performance.now() - t0) + " ms after close()");
client.close();
console.log("server handshake:", await handshake);
listener.close();
`,
);
const deno = findRuntime("deno");
const run = spawnSync(deno.path, ["run", "--no-prompt", "--allow-net=127.0.0.1", script], {
  encoding: "utf8",
  env: { ...process.env, NO_COLOR: "1" },
});
process.stdout.write(`deno ${deno.version}\n${run.stdout}${run.stderr}`);
rmSync(dir, { recursive: true, force: true });
await pki.dispose();
