/**
 * The Deno transport and listener against core's seams: the shared contract cases of
 * @sockets/transport-contract (over Node peers in a child process; the datagram cases need
 * --unstable-net: datagram-contract.test.ts), plus what is the Deno transport's own: small reads copied out of a reused scratch buffer into right-sized ones, and a
 * write larger than the kernel buffers (Deno's `write` may write part of it).
 */
import { Cancellation, type TransportEvents } from "@sockets/core";
import { listenerCases, runTransportCase, transportCases, type ExpectedFailure } from "@sockets/transport-contract";
import { openDenoListener, openDenoTransport } from "../src/index.js";
import { startPeers, stopPeers } from "./_contract-peers.js";
import { equal, within } from "./_assert.js";
import { startEcho } from "./_servers.js";

/** Cases Deno cannot pass, with the reason (runtime gaps are data, not `if`s in the cases). */
const expectedFailures: Record<string, ExpectedFailure> = {
  "abort/reset": {
    reason: "Deno.Conn has no way to send RST (no SO_LINGER; only node:net got resetAndDestroy): abort() is a close(), the peer sees a FIN",
    link: "https://github.com/denoland/deno/pull/33415",
  },
  "listener/abort-unclaimed": {
    reason: "Deno.Conn has no way to send RST (no SO_LINGER): an accepted connection's abort() is a close(), the client sees a FIN",
    link: "https://github.com/denoland/deno/pull/33415",
  },
  "open/tls-cancelled-handshake-closes": {
    reason:
      "Deno finishes a TLS handshake before it closes a TlsConn: against a peer that never answers, the socket stays open until the peer acts (README)",
    link: "https://github.com/denoland/deno/pull/14547",
  },
  "starttls/cancelled": {
    reason:
      "Deno finishes a TLS handshake before it closes a TlsConn: against a peer that never answers, the socket stays open until the peer acts (README)",
    link: "https://github.com/denoland/deno/pull/14547",
  },
};

const peers = await startPeers();

for (const testCase of [...transportCases, ...listenerCases]) {
  Deno.test(`${testCase.id}: ${testCase.title}`, () =>
    runTransportCase(testCase, { open: openDenoTransport, openListener: openDenoListener, ...peers, expectedFailures }),
  );
}

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

Deno.test("stop the contract peers", () => stopPeers(peers));
