// Finding: on @sockets/node, a connection the peer resets (RST) mid-stream sometimes ends the
// readable cleanly ({ done: true }) and resolves `closed`, instead of erroring both with
// ECONNRESET. The bytes before the reset are intact, but the truncation is reported as a
// clean end of stream (data loss reported as success). Deno and Bun always report
// ECONNRESET through the same proxy.
//
// Run: cd reliability && node findings/node-reset-reported-as-clean-end.mjs
// (NODE_EXTRA_CA_CERTS is set up by the script for the interleaved TLS connections.)
import { createServer } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { PeerGroup, createTestPki } from "@sockets/conformance/fixtures";
import { startFaultProxy } from "../src/fixtures/fault-proxy.mjs";

const pki = await createTestPki();
const group = new PeerGroup();
const echo = await group.listen(createServer({ allowHalfOpen: true }, (s) => s.pipe(s)), "127.0.0.1");
const tls = await group.listen(createTlsServer({ key: pki.leaf.keyPem, cert: pki.leaf.certPem, allowHalfOpen: true }, (s) => (group.track(s), s.pipe(s))), "127.0.0.1");
const proxy = await startFaultProxy(group, echo, { kind: "rst-after", bytes: 65_536 }, { faults: 0 });
const { connect } = await import("@sockets/node");
const outcomes = {};
for (let i = 0; i < 400; i++) {
  // A TLS echo in between (as in the soak), then a connection the proxy resets after 64 KiB.
  const t = connect(tls.replace("127.0.0.1", "localhost"), { secureTransport: "on", caCerts: [pki.ca.certPem] });
  const tw = t.writable.getWriter();
  await tw.write(new Uint8Array(16_384));
  await tw.close();
  for (const r = t.readable.getReader(); !(await r.read()).done; );
  await t.closed;

  const socket = connect(proxy);
  void socket.writable.getWriter().write(new Uint8Array(256 * 1024)).catch(() => {});
  const reader = socket.readable.getReader();
  let bytes = 0;
  let end;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
    }
    end = `clean end after ${bytes} bytes`;
  } catch (error) {
    end = `read rejected ${error.code}`;
  }
  const closed = await socket.closed.then(() => "closed resolved", (e) => `closed rejected ${e.code}`);
  const key = `${end}, ${closed}`;
  outcomes[key] = (outcomes[key] ?? 0) + 1;
}
console.log(outcomes);
console.log(Object.keys(outcomes).some((k) => k.startsWith("clean")) ? "REPRODUCED: a reset was reported as a clean end" : "not reproduced this time");
await group.close();
await pki.dispose();
