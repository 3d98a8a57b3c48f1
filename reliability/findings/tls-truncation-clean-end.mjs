// Finding: on Node and on Bun, a TLS stream cut in the middle of a record and then closed
// with a TCP FIN (no close_notify: a truncation attack, RFC 8446 §6.1) ends the readable
// cleanly ({ done: true }) and resolves `closed`. The half record is silently dropped.
// Deno (rustls) reports it as an error (UnexpectedEof), which @sockets/deno turns into
// EUNKNOWN. Expected everywhere: the read rejects (ECONNRESET or ETLS) and `closed` rejects.
//
// Run: cd reliability && node findings/tls-truncation-clean-end.mjs
// Bun (the PKI fixtures do not load under Bun, so through the harness, which runs the
// same proxy in Node): node src/main.mjs --runtime=bun --only=fault/truncated --no-write
import { createServer as createTlsServer } from "node:tls";
import { PeerGroup, createTestPki } from "@sockets/conformance/fixtures";
import { startFaultProxy } from "../src/fixtures/fault-proxy.mjs";

const pki = await createTestPki();
const group = new PeerGroup();
const tls = await group.listen(
  createTlsServer({ key: pki.leaf.keyPem, cert: pki.leaf.certPem, allowHalfOpen: true }, (s) => (group.track(s), s.pipe(s))),
  "127.0.0.1",
);
// Relays TLS records whole until two large ones went through, then half of the third, then FIN.
const proxy = await startFaultProxy(group, tls, { kind: "truncate-record", records: 2 }, { faults: 0 });
const { connect } = await import(globalThis.Bun ? "@sockets/bun" : "@sockets/node");
const socket = connect(proxy.replace("127.0.0.1", "localhost"), { secureTransport: "on", caCerts: [pki.ca.certPem] });
const writer = socket.writable.getWriter();
void writer.write(new Uint8Array(256 * 1024)).catch(() => {});
const reader = socket.readable.getReader();
let bytes = 0;
let outcome;
try {
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
  }
  outcome = `BUG: clean end after ${bytes} of 262144 bytes (truncation not detected)`;
} catch (error) {
  outcome = `ok: read rejected ${error.code} after ${bytes} bytes`;
}
console.log(
  outcome,
  "| closed:",
  await socket.closed.then(
    () => "resolved",
    (e) => `rejected ${e.code}`,
  ),
);
await group.close();
await pki.dispose();
