/**
 * The Transport contract (packages/core/src/transport.ts) checked on the Deno transport
 * directly, over real loopback sockets: BYOB reads land in the caller's buffer, chunks
 * never share memory, half-open after the peer's FIN, writes larger than the kernel
 * buffer, close() silencing a pending read, and a cancel during the TLS handshake.
 */
import { Cancellation, type TransportEvents } from "@sockets/core";
import { openDenoTransport } from "../src/index.js";
import { equal, ok, rejection, text, utf8, within } from "./_assert.js";
import { caPem, startEcho, startGreeter, startSilent, startTlsEcho } from "./_servers.js";

interface Recorder extends TransportEvents {
  readonly chunks: Uint8Array[];
  ends: number;
  errors: unknown[];
}

function recorder(): Recorder {
  const r: Recorder = {
    chunks: [],
    ends: 0,
    errors: [],
    data: (chunk) => void r.chunks.push(chunk),
    end: () => void r.ends++,
    error: (error) => void r.errors.push(error),
  };
  return r;
}

const plain = (port: number, starttls = false) => ({ hostname: "127.0.0.1", port, tls: null, starttls, cancel: new Cancellation() });

Deno.test("pull(view) reads straight into the caller's view", async () => {
  const peer = startEcho();
  const events = recorder();
  const transport = await openDenoTransport(plain(peer.port), events);
  try {
    await transport.write(utf8("zero copy"));
    const view = new Uint8Array(new ArrayBuffer(256), 32, 128);
    await within(Promise.resolve(transport.pull(view)), 5000, "pull");
    equal(events.chunks.length, 1, "chunks");
    const chunk = events.chunks[0]!;
    ok(chunk.buffer === view.buffer && chunk.byteOffset === view.byteOffset, "the chunk is a view over the caller's buffer");
    equal(text(chunk), "zero copy", "bytes");
  } finally {
    transport.close();
    peer.stop();
  }
});

Deno.test("pull(null) hands out chunks that never share memory", async () => {
  const peer = startEcho();
  const events = recorder();
  const transport = await openDenoTransport(plain(peer.port), events);
  try {
    const big = new Uint8Array(256 * 1024).map((_, i) => i & 0xff);
    const writing = transport.write(big);
    let total = 0;
    while (total < big.byteLength) {
      await within(Promise.resolve(transport.pull(null)), 5000, "pull");
      total = events.chunks.reduce((sum, c) => sum + c.byteLength, 0);
    }
    await writing;
    const buffers = new Set(events.chunks.map((c) => c.buffer));
    equal(buffers.size, events.chunks.length, "one buffer per chunk");
    for (const c of events.chunks) {
      // Small reads are copied out of the scratch buffer: no 64 KiB allocation each.
      if (c.byteLength <= 32 * 1024) equal(c.buffer.byteLength, c.byteLength, "small chunk owns a right-sized buffer");
    }
    const joined = new Uint8Array(total);
    let at = 0;
    for (const c of events.chunks) joined.set(c, (at += c.byteLength) - c.byteLength);
    equal(joined, big, "bytes in order");
  } finally {
    transport.close();
    peer.stop();
  }
});

Deno.test("after the peer's FIN: end() once, and writes still reach the peer", async () => {
  let received!: (bytes: Uint8Array) => void;
  const got = new Promise<Uint8Array>((resolve) => (received = resolve));
  const peer = startGreeter(utf8("hello\n"), received);
  const events = recorder();
  const transport = await openDenoTransport(plain(peer.port), events);
  try {
    while (events.ends === 0) await within(Promise.resolve(transport.pull(new Uint8Array(64))), 5000, "pull");
    equal(events.chunks.map((c) => text(c)).join(""), "hello\n", "greeting");
    await transport.pull(new Uint8Array(64));
    equal(events.ends, 1, "end() fires once");
    await transport.write(utf8("after fin"));
    await transport.shutdown();
    equal(text(await within(got, 5000, "peer report")), "after fin", "peer received");
    equal(events.errors.length, 0, "no error");
  } finally {
    transport.close();
    peer.stop();
  }
});

Deno.test("a write larger than the socket buffers is delivered whole", async () => {
  const peer = startEcho();
  const events = recorder();
  const transport = await openDenoTransport(plain(peer.port), events);
  try {
    const size = 8 * 1024 * 1024;
    const writing = transport.write(new Uint8Array(size).fill(7));
    let total = 0;
    while (total < size) {
      await within(Promise.resolve(transport.pull(null)), 5000, "pull");
      total += events.chunks.pop()?.byteLength ?? 0;
    }
    await within(Promise.resolve(writing), 5000, "write");
    equal(total, size, "bytes echoed");
  } finally {
    transport.close();
    peer.stop();
  }
});

Deno.test("close() is idempotent and silences a pending read", async () => {
  const peer = startSilent();
  const events = recorder();
  const transport = await openDenoTransport(plain(peer.port), events);
  const pending = transport.pull(new Uint8Array(16));
  transport.close();
  transport.close();
  transport.abort();
  await within(Promise.resolve(pending), 5000, "pending pull settles");
  await within(peer.clientGone, 5000, "the peer sees the connection end");
  equal(events.chunks.length + events.ends + events.errors.length, 0, "no event after close()");
  peer.stop();
});

Deno.test("core's cancel stops a TLS handshake (Deno's signal covers only the TCP phase)", async () => {
  const peer = startSilent();
  const cancel = new Cancellation();
  const opening = openDenoTransport(
    {
      hostname: "127.0.0.1",
      port: peer.port,
      tls: { verifyName: "localhost", serverName: "localhost", alpn: [], caCerts: [] },
      starttls: false,
      cancel,
    },
    recorder(),
  );
  setTimeout(() => cancel.cancel(new Error("stop")), 50);
  const error = (await within(rejection(opening, "open"), 5000, "open")) as { code?: string };
  equal(error.code, "EABORTED", "code");
  // Not asserted: that the peer sees the connection end. Deno finishes a TLS handshake
  // before it shuts a TlsConn down (denoland/deno PR #14547), so against a silent peer
  // the socket stays open after close() until the peer speaks or hangs up (README).
  peer.stop();
});

Deno.test("TLS: opened only after a verified handshake, with ALPN", async () => {
  const peer = startTlsEcho();
  const events = recorder();
  const transport = await openDenoTransport(
    {
      hostname: "127.0.0.1",
      port: peer.port,
      tls: { verifyName: "127.0.0.1", serverName: null, alpn: ["x-test"], caCerts: [caPem] },
      starttls: false,
      cancel: new Cancellation(),
    },
    events,
  );
  try {
    equal(transport.info.alpn, "x-test", "alpn");
    equal(transport.info.remoteAddress, `127.0.0.1:${peer.port}`, "remoteAddress");
    await transport.write(utf8("secret"));
    await transport.pull(new Uint8Array(64));
    equal(text(events.chunks[0]), "secret", "echo");
  } finally {
    transport.close();
    peer.stop();
  }
});
