/**
 * `udp()` (tag `udp`): both modes, message boundaries up to the largest datagram, many
 * peers on one bound socket, the bounded receive queue under a flood, an oversized send,
 * an unreachable peer, `close()` with a read pending, bad input. The peers are the host's
 * own `node:dgram` sockets (`udpEcho`, `udpFlood`, `udpPeers`), never the implementation's.
 *
 * @module
 */
import type { UDPMessage, UDPSocket, UDPSocketOptions } from "@sockets/core";
import { assertSocketError, equal, ok, rejects, throwsSync } from "./assert.js";
import { bytes, pattern, portOf, sleep, stateAfter, text, token, withTimeout } from "./helpers.js";
import type { CaseContext, ConformanceCase } from "./types.js";

/** The largest UDP payload over IPv4 (65 535 − 8 − 20). */
const MAX_IPV4_PAYLOAD = 65_507;

/** Opens a socket, runs `body`, and closes it whatever happens. */
async function withUdp<T>(ctx: CaseContext, options: UDPSocketOptions, body: (socket: UDPSocket) => Promise<T>): Promise<T> {
  const socket = ctx.udp!(options);
  try {
    await withTimeout(socket.opened, 5_000, "udp socket opened");
    return await body(socket);
  } finally {
    await withTimeout(
      socket.close().catch(() => {}),
      5_000,
      "close() during cleanup",
    ).catch(() => {});
  }
}

/** One write through a writer taken for it (after a failed datagram `socket.writable` is a fresh stream). */
async function send(socket: UDPSocket, chunk: Parameters<WritableStreamDefaultWriter<unknown>["write"]>[0]): Promise<void> {
  const writer = socket.writable.getWriter();
  try {
    await writer.write(chunk as never);
  } finally {
    writer.releaseLock();
  }
}

/** A write that must be refused with a SocketError (with `code` when given), and send nothing. */
async function refused(socket: UDPSocket, chunk: Parameters<typeof send>[1], what: string, code?: string): Promise<void> {
  assertSocketError(await rejects(send(socket, chunk), what), what, code);
}

/** The next datagram, within `ms`. */
async function receive(socket: UDPSocket, what: string, ms = 5_000): Promise<UDPMessage> {
  const reader = socket.readable.getReader();
  try {
    const { done, value } = await withTimeout(reader.read(), ms, what);
    ok(!done && value !== undefined, `${what}: the readable ended instead of giving a datagram`);
    ok(value.data instanceof Uint8Array, `${what}: data is a Uint8Array`);
    return value;
  } finally {
    reader.releaseLock();
  }
}

const hostOf = (address: string): string => address.slice(0, address.lastIndexOf(":")).replace(/^\[|\]$/g, "");
const peer = (address: string): { remoteAddress: string; remotePort: number } => ({
  remoteAddress: hostOf(address),
  remotePort: portOf(address),
});

export const udpCases: readonly ConformanceCase[] = [
  {
    id: "udp/connected-round-trip",
    title: "connected mode: a bare BufferSource and a { data } message each reach the peer; its replies are read with its address",
    tags: ["udp"],
    async run(ctx) {
      const echo = peer(ctx.peers.udpEcho);
      await withUdp(ctx, echo, async (socket) => {
        const info = await socket.opened;
        equal(info.remoteAddress, echo.remoteAddress, "opened.remoteAddress");
        equal(info.remotePort, echo.remotePort, "opened.remotePort");
        ok(typeof info.localAddress === "string" && info.localPort > 0, `opened has the local address and port (${JSON.stringify(info)})`);
        await send(socket, bytes("bare"));
        const first = await receive(socket, "the echo of the bare write");
        await send(socket, { data: bytes("message") });
        const second = await receive(socket, "the echo of the message");
        equal(text(first.data), "bare", "first echo");
        equal(text(second.data), "message", "second echo");
        equal(`${first.remoteAddress}:${first.remotePort}`, `${echo.remoteAddress}:${echo.remotePort}`, "the reply's sender");
      });
    },
  },
  {
    id: "udp/bound-round-trip",
    title: "bound mode: opened gives the bound address (no peer); a write names its peer; a read says who sent it",
    tags: ["udp"],
    async run(ctx) {
      const echo = peer(ctx.peers.udpEcho);
      await withUdp(ctx, { localAddress: "127.0.0.1", localPort: 0 }, async (socket) => {
        const info = await socket.opened;
        equal(info.localAddress, "127.0.0.1", "opened.localAddress");
        ok(info.localPort > 0, "a real port, not 0");
        ok(info.remoteAddress === undefined && info.remotePort === undefined, `no peer in bound mode (${JSON.stringify(info)})`);
        await send(socket, { data: bytes("hello world"), ...echo });
        const reply = await receive(socket, "the echo");
        equal(text(reply.data), "hello world", "echoed");
        equal(reply.remoteAddress, echo.remoteAddress, "reply.remoteAddress");
        equal(reply.remotePort, echo.remotePort, "reply.remotePort");
      });
    },
  },
  {
    id: "udp/ipv6-round-trip",
    title: "a bound socket on ::1 exchanges datagrams with an IPv6 peer (skipped in substance without IPv6 loopback)",
    tags: ["udp"],
    async run(ctx) {
      if (ctx.peers.udpEcho6 === null) return;
      const echo = peer(ctx.peers.udpEcho6);
      await withUdp(ctx, { localAddress: "::1", localPort: 0 }, async (socket) => {
        equal((await socket.opened).localAddress, "::1", "opened.localAddress (bare IPv6)");
        await send(socket, { data: bytes("six"), remoteAddress: "[::1]", remotePort: echo.remotePort });
        const reply = await receive(socket, "the IPv6 echo");
        equal([text(reply.data), reply.remoteAddress, reply.remotePort].join(" "), `six ::1 ${echo.remotePort}`, "reply");
      });
    },
  },
  {
    id: "udp/message-boundaries",
    title: "one write is one datagram and one read is one datagram, never merged or split, from 1 byte to 65 507 bytes",
    tags: ["udp"],
    timeout: 20_000,
    async run(ctx) {
      await withUdp(ctx, peer(ctx.peers.udpEcho), async (socket) => {
        const sizes = [1, 2, 100, 1472, 1473, 9000, 32_768, MAX_IPV4_PAYLOAD];
        for (const [i, size] of sizes.entries()) {
          const payload = pattern(size, i + 1);
          await send(socket, payload);
          const reply = await receive(socket, `the echo of ${size} bytes`);
          equal(reply.data.byteLength, size, `one datagram of ${size} bytes`);
          ok(
            reply.data.every((b, j) => b === payload[j]),
            `the ${size} bytes are intact`,
          );
        }
        // Two small writes in a row are two reads, not one of 2 bytes.
        const writer = socket.writable.getWriter();
        await Promise.all([writer.write(Uint8Array.of(1)), writer.write(Uint8Array.of(2))]);
        writer.releaseLock();
        const a = await receive(socket, "first of two");
        const b = await receive(socket, "second of two");
        equal([a.data.byteLength, b.data.byteLength].join(","), "1,1", "two datagrams of one byte");
      });
    },
  },
  {
    id: "udp/largest-datagram-not-truncated",
    title: "a 65 507-byte datagram from an independent peer arrives whole on a bound socket (no receive buffer cuts it)",
    tags: ["udp"],
    async run(ctx) {
      const echo = peer(ctx.peers.udpEcho);
      await withUdp(ctx, { localAddress: "127.0.0.1", localPort: 0 }, async (socket) => {
        const payload = pattern(MAX_IPV4_PAYLOAD, 99);
        await send(socket, { data: payload, ...echo });
        const reply = await receive(socket, "the 65 507-byte echo");
        equal(reply.data.byteLength, MAX_IPV4_PAYLOAD, "byteLength");
        ok(
          reply.data.every((b, j) => b === payload[j]),
          "every byte",
        );
      });
    },
  },
  {
    id: "udp/many-peers-one-bound-socket",
    title: "a bound socket reads from many peers, tells them apart, and each reply reaches the peer it names",
    tags: ["udp"],
    async run(ctx) {
      await withUdp(ctx, { localAddress: "127.0.0.1", localPort: 0 }, async (socket) => {
        const id = token();
        const k = 6;
        await send(socket, { data: bytes(`peers ${k} ${id}`), ...peer(ctx.peers.udpPeers) });
        const from = new Map<number, number>();
        while (from.size < k) {
          const m = await receive(socket, `hello ${from.size + 1} of ${k}`);
          const match = new RegExp(`^${id} (\\d+)$`).exec(text(m.data));
          ok(match !== null, `a peer's hello, got ${JSON.stringify(text(m.data))}`);
          equal(m.remoteAddress, "127.0.0.1", "sender address");
          from.set(m.remotePort, Number(match[1]));
        }
        for (const [port, i] of from) await send(socket, { data: bytes(`reply ${i}`), remoteAddress: "127.0.0.1", remotePort: port });
        for (let n = 0; n < k; n++) {
          const ack = await receive(socket, `ack ${n + 1} of ${k}`);
          const i = from.get(ack.remotePort);
          ok(i !== undefined, `an ack from one of the peers (port ${ack.remotePort})`);
          equal(text(ack.data), `ack ${i} reply ${i}`, "each peer got the reply meant for it");
        }
      });
    },
  },
  {
    id: "udp/connected-ignores-other-peers",
    title: "connected mode: a datagram from anyone but the peer is not delivered",
    tags: ["udp"],
    async run(ctx) {
      const echo = peer(ctx.peers.udpEcho);
      await withUdp(ctx, echo, async (socket) => {
        const { localPort } = await socket.opened;
        await withUdp(ctx, { localAddress: "127.0.0.1", localPort: 0 }, async (stranger) => {
          await send(stranger, { data: bytes("not for you"), remoteAddress: "127.0.0.1", remotePort: localPort });
          await sleep(50);
          await send(socket, bytes("from the peer"));
          const m = await receive(socket, "the peer's echo");
          equal(text(m.data), "from the peer", "only the peer's datagram is read");
        });
      });
    },
  },
  {
    id: "udp/flood-is-bounded-and-counted",
    title:
      "a flood to a reader that does not read keeps at most highWaterMark datagrams (the rest dropped and counted) or leaves them to the system",
    tags: ["udp", "decision"],
    timeout: 20_000,
    async run(ctx) {
      const count = 2_000;
      const highWaterMark = 8;
      await withUdp(ctx, { localAddress: "127.0.0.1", localPort: 0, highWaterMark }, async (target) => {
        const { localPort } = await target.opened;
        await withUdp(ctx, peer(ctx.peers.udpFlood), async (control) => {
          await send(control, bytes(`flood ${localPort} ${count}`));
          equal(text((await receive(control, "the flood's end", 10_000)).data), `sent ${count}`, "flood sent");
        });
        await sleep(200);
        equal(target.stats.received, 0, "nothing handed over before a read");
        const dropped = target.stats.dropped;
        const reader = target.readable.getReader();
        const seen = new Set<number>();
        // Read what is there: until no datagram comes within 200 ms (that read stays pending until close()).
        for (;;) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const quiet = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 200)));
          const next = await Promise.race([reader.read(), quiet]);
          clearTimeout(timer);
          if (next === null || next.value === undefined) break;
          seen.add((next.value.data[0]! << 8) | next.value.data[1]!);
        }
        ok(seen.size > 0, "the reader still gets datagrams after the flood");
        ok(
          seen.size < count / 4,
          `the socket did not keep the whole flood for a reader that was not reading (${seen.size} of ${count} readable)`,
        );
        ok(seen.size + dropped <= count, `read ${seen.size} + dropped ${dropped} ≤ sent ${count}`);
        if (dropped > 0) equal(seen.size, highWaterMark, "an implementation that drops keeps exactly highWaterMark");
        equal(target.stats.received, seen.size, "stats.received counts what was read");
      });
    },
  },
  {
    id: "udp/oversized-send-rejects",
    title: "a 65 508-byte datagram rejects that write with a SocketError; the socket still receives, and socket.writable sends again",
    tags: ["udp", "decision"],
    async run(ctx) {
      const echo = peer(ctx.peers.udpEcho);
      await withUdp(ctx, { localAddress: "127.0.0.1", localPort: 0 }, async (socket) => {
        const pending = socket.readable.getReader();
        const read = pending.read();
        const error = await rejects(send(socket, { data: new Uint8Array(MAX_IPV4_PAYLOAD + 1), ...echo }), "the oversized write");
        assertSocketError(error, "the oversized write");
        equal(await stateAfter(read, 50), "pending", "a pending read is not failed by it");
        await send(socket, { data: bytes("after"), ...echo });
        const { value } = await withTimeout(read, 5_000, "the echo after the oversized write");
        equal(text(value!.data), "after", "still sends and receives");
        pending.releaseLock();
      });
    },
  },
  {
    id: "udp/oversized-send-code",
    title: "the oversized write's SocketError has code EMSGSIZE",
    tags: ["udp", "ext:codes"],
    async run(ctx) {
      await withUdp(ctx, peer(ctx.peers.udpEcho), async (socket) => {
        const error = await rejects(send(socket, new Uint8Array(MAX_IPV4_PAYLOAD + 1)), "the oversized write");
        assertSocketError(error, "the oversized write", "EMSGSIZE");
      });
    },
  },
  {
    id: "udp/unreachable-peer",
    title: "connected to a port nobody listens on: writes resolve or reject with a SocketError (ECONNREFUSED), and the socket stays open",
    tags: ["udp", "decision"],
    async run(ctx) {
      await withUdp(ctx, peer(ctx.peers.udpRefused), async (socket) => {
        const reader = socket.readable.getReader();
        const read = reader.read();
        for (let i = 0; i < 3; i++) {
          try {
            await send(socket, Uint8Array.of(i));
          } catch (error) {
            assertSocketError(error, `write ${i}`);
            equal((error as { code?: unknown }).code, "ECONNREFUSED", `write ${i}: code`);
          }
          await sleep(50);
        }
        equal(await stateAfter(read, 20), "pending", "the pending read is not failed by an ICMP error");
        equal(await stateAfter(socket.closed, 0), "pending", "closed is still pending: the socket is open");
        await withTimeout(socket.close(), 5_000, "close()");
        equal((await withTimeout(read, 1_000, "the pending read after close()")).done, true, "the read ends");
      });
    },
  },
  {
    id: "udp/close-with-read-pending",
    title: "close() with a read pending ends the read (done), resolves closed, returns closed when called again; later writes reject",
    tags: ["udp", "decision"],
    async run(ctx) {
      const socket = ctx.udp!({ localAddress: "127.0.0.1", localPort: 0 });
      await withTimeout(socket.opened, 5_000, "opened");
      const read = socket.readable.getReader().read();
      const closing = socket.close();
      equal(closing, socket.closed, "close() returns closed");
      equal(socket.close(), socket.closed, "close() again returns closed");
      equal((await withTimeout(read, 2_000, "the pending read")).done, true, "the pending read resolves done");
      await withTimeout(closing, 5_000, "closed");
      await refused(socket, { data: bytes("late"), ...peer(ctx.peers.udpEcho) }, "a write after close()");
    },
  },
  {
    id: "udp/hostnames-resolved",
    title: "a hostname (localhost) works as the peer of connected mode and in a bound-mode write",
    tags: ["udp"],
    async run(ctx) {
      const port = portOf(ctx.peers.udpEcho);
      await withUdp(ctx, { remoteAddress: "localhost", remotePort: port }, async (socket) => {
        equal((await socket.opened).remoteAddress, "127.0.0.1", "opened.remoteAddress is the resolved IP");
        await send(socket, bytes("by name"));
        equal(text((await receive(socket, "echo")).data), "by name", "connected by name");
      });
      await withUdp(ctx, { localAddress: "127.0.0.1", localPort: 0 }, async (socket) => {
        await send(socket, { data: bytes("named peer"), remoteAddress: "localhost", remotePort: port });
        equal(text((await receive(socket, "echo")).data), "named peer", "bound write by name");
        const error = await rejects(
          send(socket, { data: bytes("x"), remoteAddress: "sockets-conformance.invalid", remotePort: port }),
          "an unresolvable peer",
        );
        assertSocketError(error, "an unresolvable peer");
      });
    },
  },
  {
    id: "udp/signal-aborts",
    title: "aborting the signal closes the socket: closed rejects with a SocketError (EABORTED) and a pending read fails",
    tags: ["udp", "ext:signal"],
    async run(ctx) {
      const controller = new AbortController();
      const socket = ctx.udp!({ localAddress: "127.0.0.1", localPort: 0, signal: controller.signal });
      await withTimeout(socket.opened, 5_000, "opened");
      // Both outcomes are taken at once: the read rejects first, `closed` once the port is free.
      const read = rejects(withTimeout(socket.readable.getReader().read(), 2_000, "the read"), "the pending read");
      controller.abort();
      assertSocketError(await rejects(withTimeout(socket.closed, 2_000, "closed"), "closed"), "closed", "EABORTED");
      assertSocketError(await read, "the pending read");
    },
  },
  {
    id: "udp/bad-options-throw",
    title: "bad udp() options are a synchronous SocketError: no mode, both modes, bad ports, bad addresses, bad sizes",
    tags: ["udp", "decision"],
    async run(ctx) {
      const bad: [string, unknown][] = [
        ["no mode", {}],
        ["both modes", { remoteAddress: "127.0.0.1", remotePort: 9, localAddress: "127.0.0.1" }],
        ["remotePort without remoteAddress", { remotePort: 9 }],
        ["remoteAddress without remotePort", { remoteAddress: "127.0.0.1" }],
        ["remotePort 0", { remoteAddress: "127.0.0.1", remotePort: 0 }],
        ["remotePort 65536", { remoteAddress: "127.0.0.1", remotePort: 65_536 }],
        ["a fractional port", { localAddress: "127.0.0.1", localPort: 1.5 }],
        ["whitespace in the address", { remoteAddress: "a b", remotePort: 9 }],
        ["a port inside remoteAddress", { remoteAddress: "127.0.0.1:53", remotePort: 53 }],
        ["a malformed IPv6 literal (two ::)", { remoteAddress: "1::2::3", remotePort: 9 }],
        ["a malformed IPv6 literal (:::)", { localAddress: ":::" }],
        ["a number as address", { localAddress: 127 }],
        ["localPort without localAddress", { localPort: 9 }],
        ["a negative highWaterMark", { localAddress: "127.0.0.1", highWaterMark: -1 }],
        ["a fractional receiveBufferSize", { localAddress: "127.0.0.1", receiveBufferSize: 1.5 }],
      ];
      for (const [what, options] of bad) {
        const error = throwsSync(() => ctx.udp!(options as UDPSocketOptions), what);
        assertSocketError(error, what, (error as { code?: unknown }).code === undefined ? undefined : "EINVAL");
      }
    },
  },
  {
    id: "udp/bad-writes-reject",
    title: "a write naming a peer in connected mode, or naming none in bound mode, rejects with a SocketError and sends nothing",
    tags: ["udp", "decision"],
    async run(ctx) {
      const echo = peer(ctx.peers.udpEcho);
      await withUdp(ctx, echo, async (socket) => {
        await refused(socket, { data: bytes("x"), ...echo }, "connected write naming a peer");
        await send(socket, bytes("ok"));
        equal(text((await receive(socket, "the echo of the good write")).data), "ok", "only the good write was sent");
      });
      await withUdp(ctx, { localAddress: "127.0.0.1", localPort: 0 }, async (socket) => {
        await refused(socket, bytes("x"), "bound write without a peer");
        await refused(socket, { data: bytes("x"), remoteAddress: "127.0.0.1" }, "bound write without a port");
        await refused(socket, { data: "text", ...echo } as never, "a string as data");
        // An IPv4 socket cannot reach an IPv6 literal: EINVAL here, not each runtime's own OS error.
        await refused(
          socket,
          { data: bytes("x"), remoteAddress: "::1", remotePort: echo.remotePort },
          "an IPv6 peer from an IPv4 socket",
          "EINVAL",
        );
        await send(socket, { data: bytes("still"), ...echo });
        equal(text((await receive(socket, "the echo after the refused writes")).data), "still", "the socket still sends");
      });
    },
  },
  {
    id: "udp/connected-ipv6-any-spelling",
    title: "connected mode to an IPv6 peer written in a non-canonical form (0:0:0:0:0:0:0:1) still receives its replies",
    tags: ["udp", "decision"],
    async run(ctx) {
      if (ctx.peers.udpEcho6 === null) return;
      const port = portOf(ctx.peers.udpEcho6);
      for (const spelling of ["0:0:0:0:0:0:0:1", "0::1", "[::0001]"]) {
        await withUdp(ctx, { remoteAddress: spelling, remotePort: port }, async (socket) => {
          equal((await socket.opened).remoteAddress, "::1", `opened.remoteAddress for ${spelling} (canonical)`);
          await send(socket, bytes(`via ${spelling}`));
          const reply = await receive(socket, `the echo for ${spelling}`, 2_000);
          equal(text(reply.data), `via ${spelling}`, "reply");
          equal(reply.remoteAddress, "::1", "the sender, canonical");
        });
      }
    },
  },
  {
    id: "udp/closed-means-port-released",
    title:
      "closed settles only once the port is free: close() while opening, close() when open, and an aborted signal; the same port binds again at once",
    tags: ["udp", "decision"],
    async run(ctx) {
      const probe = ctx.udp!({ localAddress: "127.0.0.1", localPort: 0 });
      const port = (await withTimeout(probe.opened, 5_000, "the probe opened")).localPort;
      await probe.close();
      const rebind = async (what: string): Promise<void> => {
        const again = ctx.udp!({ localAddress: "127.0.0.1", localPort: port });
        try {
          equal((await withTimeout(again.opened, 5_000, `${what}: the rebind`)).localPort, port, `${what}: the same port again`);
        } finally {
          await again.close();
        }
      };
      // close() before the socket was even bound: closed waits for the bind and its release.
      const early = ctx.udp!({ localAddress: "127.0.0.1", localPort: port });
      await withTimeout(early.close(), 5_000, "close() while opening");
      await rebind("after close() while opening");
      // close() with a read pending (Deno holds the socket until its receive() settles).
      const open = ctx.udp!({ localAddress: "127.0.0.1", localPort: port });
      await withTimeout(open.opened, 5_000, "opened");
      const read = open.readable.getReader().read();
      read.catch(() => {});
      await withTimeout(open.close(), 5_000, "close()");
      await read.catch(() => {});
      await rebind("after close() with a read pending");
      // An aborted signal: closed rejects once the port is free.
      const controller = new AbortController();
      const aborted = ctx.udp!({ localAddress: "127.0.0.1", localPort: port, signal: controller.signal });
      await withTimeout(aborted.opened, 5_000, "opened");
      const pending = aborted.readable.getReader().read();
      pending.catch(() => {}); // it rejects before `closed` does
      controller.abort();
      assertSocketError(await rejects(withTimeout(aborted.closed, 5_000, "closed"), "closed"), "closed after abort", "EABORTED");
      await pending.catch(() => {});
      await rebind("after an aborted signal");
    },
  },
  {
    id: "udp/detached-data-rejects",
    title: "a write whose data is a view of a detached ArrayBuffer rejects with EINVAL instead of sending an empty datagram",
    tags: ["udp", "decision"],
    async run(ctx) {
      const echo = peer(ctx.peers.udpEcho);
      await withUdp(ctx, echo, async (socket) => {
        const view = bytes("important payload");
        structuredClone(view.buffer, { transfer: [view.buffer] }); // detaches it
        equal(view.byteLength, 0, "the view reads as empty once detached");
        await refused(socket, view, "a detached view", "EINVAL");
        await refused(socket, { data: view }, "a detached view as data", "EINVAL");
        await send(socket, bytes("after"));
        equal(text((await receive(socket, "the echo of the next good write")).data), "after", "no empty datagram went out first");
      });
    },
  },
];
