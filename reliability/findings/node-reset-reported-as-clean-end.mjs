// Finding: Node 20 (libuv 1.46) reports a peer's RST as a clean end in two situations.
// Raw node:net / node:tls only, no @sockets code: this is the runtime's behaviour.
//
// 1. Plain TCP: data and an RST arrive while the socket is paused. On resume libuv reads the
//    data (a partial read), sees POLLHUP and reports EOF without the read that would have
//    returned ECONNRESET (libuv/libuv#2319, fixed upstream by libuv/libuv#4997).
//    @sockets/node works around it with a zero-byte write at 'end' (src/_reset-probe.ts).
// 2. TLS after our own end(): the RST arrives before our close_notify is written; that write
//    fails with ECONNRESET, which TLSWrap ignores once shutting down ("Ignoring error after
//    shutdown", src/crypto/crypto_tls.cc), the shutdown's ENOTCONN is ignored too, and the
//    next read ends cleanly. No API is left that could tell: not worked around.
//
// Run: node reliability/findings/node-reset-reported-as-clean-end.mjs
// Prints one line per situation: what Node reported, 20 times each.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";

const dir = mkdtempSync(join(tmpdir(), "finding-"));
execFileSync(
  "openssl",
  [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "k.pem",
    "-out",
    "c.pem",
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost",
  ],
  { cwd: dir, stdio: "ignore" },
);
const key = readFileSync(join(dir, "k.pem"));
const cert = readFileSync(join(dir, "c.pem"));
rmSync(dir, { recursive: true });

/**
 * A peer that sends 100 bytes (plain) or 1 MiB (TLS: more than the client's stream buffers,
 * so the client stops reading the TCP socket), then resets the TCP connection.
 */
async function peer(secure) {
  const server = net.createServer((raw) => {
    raw.on("error", () => {});
    const send = (socket) => socket.write(Buffer.alloc(secure ? 1 << 20 : 100, 7), () => setTimeout(() => raw.resetAndDestroy(), 20));
    if (!secure) return send(raw);
    const s = new tls.TLSSocket(raw, { isServer: true, key, cert });
    s.on("error", () => {});
    s.once("secure", () => send(s));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function once(port, secure) {
  const socket = secure
    ? tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: cert, allowHalfOpen: true })
    : net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
  socket.pause(); // before the connect: nothing is read until resume()
  await new Promise((resolve) => socket.once(secure ? "secureConnect" : "connect", resolve));
  let bytes = 0;
  const outcome = new Promise((resolve) => {
    socket.on("data", (chunk) => (bytes += chunk.length));
    socket.on("end", () => resolve(`'end' after ${bytes} bytes`));
    socket.on("error", (error) => resolve(`'error' ${error.code} after ${bytes} bytes`));
  });
  await new Promise((resolve) => setTimeout(resolve, 150)); // data and RST are in our kernel now
  if (secure) socket.end(); // our half-close: close_notify + FIN
  socket.resume();
  const result = await outcome;
  socket.destroy();
  return result;
}

for (const secure of [false, true]) {
  const server = await peer(secure);
  const seen = {};
  for (let i = 0; i < 20; i++) {
    const result = await once(server.address().port, secure);
    seen[result] = (seen[result] ?? 0) + 1;
  }
  server.close();
  console.log(`${secure ? "TLS, after our end()" : "plain, paused"}: ${JSON.stringify(seen)} (expected: 'error' ECONNRESET)`);
}
