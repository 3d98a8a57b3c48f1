/**
 * `listen()` (tag `server`): binding, accepting, the accepted `Socket`, half-close, reset,
 * backpressure both ways, `close()`, errors. The clients are the host's own `node:net`
 * clients (`hostClient`), so a bug shared by our `connect()` and our `listen()` cannot pass.
 *
 * @module
 */
import type { Listener, ListenOptions, Socket } from "@sockets/core";
import { assertSocketError, equal, ok, rejects, throwsSync } from "./assert.js";
import { ByteReader, bytes, readAll, sleep, text, token, withTimeout } from "./helpers.js";
import { b64, hostClient, unb64 } from "./host-client-protocol.js";
import type { CaseContext, ConformanceCase } from "./types.js";

/** Listens on 127.0.0.1:0 and runs `body`; the listener is closed afterwards whatever happens. */
export async function withListener<T>(
  ctx: CaseContext,
  options: ListenOptions,
  body: (listener: Listener, address: string) => Promise<T>,
): Promise<T> {
  const listener = ctx.listen!("127.0.0.1:0", options);
  try {
    const { localAddress } = await withTimeout(listener.opened, 5_000, "listener.opened");
    return await body(listener, localAddress);
  } finally {
    await withTimeout(
      listener.close().catch(() => {}),
      5_000,
      "listener.close()",
    ).catch(() => {});
  }
}

/** The next accepted socket. */
export async function accept(listener: Listener): Promise<Socket> {
  const reader = listener.readable.getReader();
  try {
    const { done, value } = await withTimeout(reader.read(), 5_000, "accepting a connection");
    ok(!done && value !== undefined, "the listener's readable ended instead of handing out a socket");
    return value;
  } finally {
    reader.releaseLock();
  }
}

/** Reads everything, then writes it back and closes (the accepted socket needs `allowHalfOpen`). */
async function echoAll(socket: Socket): Promise<void> {
  const received = await readAll(socket.readable);
  const writer = socket.writable.getWriter();
  await writer.write(received);
  await writer.close();
  await socket.closed;
}

export const serverCases: readonly ConformanceCase[] = [
  {
    id: "server/listen-port-zero",
    title: "listen() on port 0 returns at once; opened gives the bound address with the port the system chose",
    tags: ["server"],
    async run(ctx) {
      await withListener(ctx, {}, async (_listener, address) => {
        ok(/^127\.0\.0\.1:\d+$/.test(address), `localAddress "${address}" is "127.0.0.1:<port>"`);
        ok(Number(address.split(":")[1]) > 0, "a real port, not 0");
      });
    },
  },
  {
    id: "server/accept-echo-host-client",
    title: "a node:net client's bytes reach the accepted socket and the reply reaches the client, with the addresses in opened",
    tags: ["server"],
    async run(ctx) {
      await withListener(ctx, { allowHalfOpen: true }, async (listener, address) => {
        const client = hostClient(ctx, { op: "exchange", target: address, send: b64("hello server"), halfClose: true });
        const socket = await accept(listener);
        const info = await socket.opened;
        equal(info.localAddress, address, "accepted socket's localAddress");
        ok(
          typeof info.remoteAddress === "string" && /^127\.0\.0\.1:\d+$/.test(info.remoteAddress),
          `remoteAddress ${info.remoteAddress} is the client's`,
        );
        await echoAll(socket);
        const seen = await client;
        equal(unb64(seen.received), "hello server", "bytes the client got back");
        ok(seen.ended, "the client saw our FIN");
      });
    },
  },
  {
    id: "server/accepted-info-after-close",
    title: "an accepted socket's SocketInfo still holds both addresses when first read after the connection closed",
    tags: ["server", "decision"],
    async run(ctx) {
      await withListener(ctx, { allowHalfOpen: true }, async (listener, address) => {
        const client = hostClient(ctx, { op: "exchange", target: address, send: b64("bye"), halfClose: true });
        const socket = await accept(listener);
        const info = await socket.opened; // no property read until the connection is gone
        await echoAll(socket);
        await client;
        await sleep(20);
        equal(info.localAddress, address, "localAddress after close");
        ok(
          typeof info.remoteAddress === "string" && /^127\.0\.0\.1:\d+$/.test(info.remoteAddress),
          `remoteAddress after close is the client's "127.0.0.1:<port>", got ${String(info.remoteAddress)}`,
        );
      });
    },
  },
  {
    id: "server/accepted-is-a-socket",
    title: "an accepted connection is the spec's Socket: byte stream (BYOB), upgraded false, secureTransport off, startTls() refused",
    tags: ["server", "decision"],
    async run(ctx) {
      await withListener(ctx, {}, async (listener, address) => {
        const client = hostClient(ctx, { op: "exchange", target: address, send: b64("byob"), halfClose: true });
        const socket = await accept(listener);
        equal(socket.upgraded, false, "upgraded");
        equal(socket.secureTransport, "off", "secureTransport");
        equal(socket.close(), socket.closed, "close() returns closed");
        await socket.closed.catch(() => {});
        await client;
      });
      await withListener(ctx, {}, async (listener, address) => {
        const client = hostClient(ctx, { op: "exchange", target: address, send: b64("byob"), halfClose: true });
        const socket = await accept(listener);
        assertSocketError(
          throwsSync(() => socket.startTls(), "startTls() on a plain listener's socket"),
          "startTls() on a plain listener's socket",
        );
        const reader = socket.readable.getReader({ mode: "byob" });
        const { value } = await reader.read(new Uint8Array(16));
        equal(text(value!), "byob".slice(0, value!.byteLength), "BYOB read");
        reader.releaseLock();
        await socket.close();
        await client;
      });
    },
  },
  {
    id: "server/concurrent-clients",
    title: "twenty clients at once each get their own bytes back",
    tags: ["server"],
    timeout: 20_000,
    async run(ctx) {
      await withListener(ctx, { allowHalfOpen: true }, async (listener, address) => {
        const tokens = Array.from({ length: 20 }, () => token());
        const clients = tokens.map((t) => hostClient(ctx, { op: "exchange", target: address, send: b64(t), halfClose: true, ms: 15_000 }));
        const handlers: Promise<void>[] = [];
        const reader = listener.readable.getReader();
        for (let i = 0; i < tokens.length; i++) {
          const { value } = await withTimeout(reader.read(), 10_000, `accepting client ${i + 1}`);
          handlers.push(echoAll(value!));
        }
        reader.releaseLock();
        const seen = await Promise.all(clients);
        await Promise.all(handlers);
        equal(seen.map((s) => unb64(s.received)).join(","), tokens.join(","), "each client's echo");
      });
    },
  },
  {
    id: "server/half-close-client-first",
    title: "allowHalfOpen: after the client's FIN the accepted readable ends and our reply still reaches the client",
    tags: ["server"],
    async run(ctx) {
      await withListener(ctx, { allowHalfOpen: true }, async (listener, address) => {
        const client = hostClient(ctx, { op: "exchange", target: address, send: b64("count me"), halfClose: true });
        const socket = await accept(listener);
        const received = await readAll(socket.readable);
        const writer = socket.writable.getWriter();
        await writer.write(bytes(`got ${received.byteLength}`));
        await writer.close();
        await withTimeout(socket.closed, 5_000, "closed after both FINs");
        const seen = await client;
        equal(unb64(seen.received), "got 8", "the reply after the client's FIN");
      });
    },
  },
  {
    id: "server/pipe-echo-ends-cleanly",
    title:
      "allowHalfOpen false (the default): an accepted readable.pipeTo(writable) echo resolves after the client's FIN, and the client gets the echo then our FIN",
    tags: ["server", "decision"],
    async run(ctx) {
      await withListener(ctx, {}, async (listener, address) => {
        const client = hostClient(ctx, { op: "exchange", target: address, send: b64("echo me"), halfClose: true });
        const socket = await accept(listener);
        // An echo server's one line: it must end cleanly, not reject with EPIPE (an
        // uncaught rejection ends a Node process).
        await withTimeout(socket.readable.pipeTo(socket.writable), 5_000, "readable.pipeTo(writable)");
        await withTimeout(socket.closed, 5_000, "closed after the client's FIN");
        const seen = await client;
        equal(unb64(seen.received), "echo me", "the echo the client received");
        ok(seen.ended, "the client saw our FIN");
      });
    },
  },
  {
    id: "server/proxy-two-pipes",
    title:
      "a proxy of two pipes (accepted socket and a dialled one, allowHalfOpen on both) carries the client's FIN upstream and the reply that follows it back",
    tags: ["server"],
    async run(ctx) {
      await withListener(ctx, { allowHalfOpen: true }, async (listener, address) => {
        const client = hostClient(ctx, { op: "exchange", target: address, send: b64("through the proxy"), halfClose: true });
        const socket = await accept(listener);
        // The upstream replies only after our FIN: the reply must still reach the client.
        const upstream = ctx.connect(ctx.peers.halfClose, { allowHalfOpen: true });
        try {
          await withTimeout(
            Promise.all([socket.readable.pipeTo(upstream.writable), upstream.readable.pipeTo(socket.writable)]),
            5_000,
            "both pipes",
          );
          await withTimeout(Promise.all([socket.closed, upstream.closed]), 5_000, "both sockets closed");
        } finally {
          await upstream.close().catch(() => {});
        }
        const seen = await client;
        equal(unb64(seen.received), "through the proxy", "the upstream's reply, after the client's FIN");
        ok(seen.ended, "the client saw the FIN that followed the reply");
      });
    },
  },
  {
    id: "server/half-close-server-first",
    title: "closing the accepted writable sends FIN; the client's bytes still arrive afterwards",
    tags: ["server"],
    async run(ctx) {
      await withListener(ctx, {}, async (listener, address) => {
        const client = hostClient(ctx, { op: "exchange", target: address, send: b64("late bytes"), halfClose: true });
        const socket = await accept(listener);
        const writer = socket.writable.getWriter();
        await writer.write(bytes("greeting"));
        await writer.close();
        const received = await readAll(socket.readable);
        equal(text(received), "late bytes", "bytes read after our FIN");
        const seen = await client;
        equal(unb64(seen.received), "greeting", "the client's bytes");
        ok(seen.ended, "the client saw our FIN");
      });
    },
  },
  {
    id: "server/client-reset",
    title: "a client's RST errors the accepted readable (after the bytes before it) and rejects closed with ECONNRESET",
    tags: ["server", "ext:codes"],
    async run(ctx) {
      await withListener(ctx, {}, async (listener, address) => {
        // The reset comes once the connection was accepted (a reset while it still waits in
        // the accept queue is a failed connection, never handed out: server/tls-… cases).
        const [socket] = await Promise.all([
          accept(listener),
          hostClient(ctx, { op: "exchange", target: address, send: b64("last words"), reset: true, resetAfterMs: 200 }),
        ]);
        const reader = new ByteReader(socket.readable);
        equal(text(await reader.exactly(10)), "last words", "bytes before the reset");
        const error = await rejects(reader.reader.read(), "read after the reset");
        assertSocketError(error, "read after the reset", "ECONNRESET");
        const closed = await rejects(socket.closed, "closed after the reset");
        assertSocketError(closed, "closed after the reset", "ECONNRESET");
      });
    },
  },
  {
    id: "server/write-backpressure",
    title: "a client that does not read stalls the accepted socket's writer.ready (nothing is buffered without bound)",
    tags: ["server", "decision"],
    timeout: 20_000,
    async run(ctx) {
      await withListener(ctx, {}, async (listener, address) => {
        const client = hostClient(ctx, { op: "hold", target: address, ms: 8_000 });
        const socket = await accept(listener);
        await client;
        const writer = socket.writable.getWriter();
        const chunk = new Uint8Array(64 * 1024);
        let written = 0;
        for (;;) {
          const ready = await Promise.race([writer.ready.then(() => true), sleep(1_000).then(() => false)]);
          if (!ready) break; // stalled for a second: backpressure reached the writer
          ok(written < 256 * 1024 * 1024, `writer.ready never stalled: ${written} bytes accepted by a client that reads nothing`);
          void writer.write(chunk).catch(() => {});
          written += chunk.byteLength;
        }
        ok(written < 64 * 1024 * 1024, `stalled only after ${written} bytes`);
        await socket.close(new Error("done"));
      });
    },
  },
  {
    id: "server/read-backpressure",
    title: "a server that does not read stalls the client (the bytes the OS accepts from it stay bounded)",
    tags: ["server", "decision"],
    timeout: 20_000,
    async run(ctx) {
      await withListener(ctx, {}, async (listener, address) => {
        const flood = hostClient(ctx, { op: "flood", target: address, ms: 2_000 });
        const socket = await accept(listener);
        const seen = await flood;
        ok(seen.bytesAccepted !== undefined && seen.bytesAccepted > 0, "the client wrote something");
        ok(seen.bytesAccepted! < 64 * 1024 * 1024, `the client got ${seen.bytesAccepted} bytes accepted while the server read nothing`);
        await socket.close(new Error("done"));
      });
    },
  },
  {
    id: "server/close-keeps-accepted-sockets",
    title: "close() stops accepting but leaves a socket already handed out working",
    tags: ["server"],
    async run(ctx) {
      await withListener(ctx, { allowHalfOpen: true }, async (listener, address) => {
        const client = hostClient(ctx, { op: "exchange", target: address, send: b64("still here"), halfClose: true });
        const socket = await accept(listener);
        await withTimeout(listener.close(), 5_000, "listener.close()");
        const refused = await hostClient(ctx, { op: "exchange", target: address, ms: 3_000 });
        equal(refused.error, "ECONNREFUSED", "a new client after close()");
        await echoAll(socket);
        equal(unb64((await client).received), "still here", "the echo on the socket handed out before close()");
      });
    },
  },
  {
    id: "server/close-ends-iteration",
    title: "close() ends a for-await loop over the listener; breaking out of one closes it; close() is idempotent",
    tags: ["server"],
    async run(ctx) {
      const listener = ctx.listen!("127.0.0.1:0");
      await listener.opened;
      const looping = (async () => {
        let n = 0;
        for await (const socket of listener) {
          n++;
          void socket.close();
        }
        return n;
      })();
      await sleep(50);
      const closed = listener.close();
      equal(listener.close(), closed, "a second close() returns the same promise");
      equal(await withTimeout(looping, 5_000, "the for-await loop after close()"), 0, "sockets seen");
      await closed;

      await withListener(ctx, {}, async (other, address) => {
        const client = hostClient(ctx, { op: "exchange", target: address, send: b64("x"), halfClose: true });
        for await (const socket of other) {
          await socket.close();
          break;
        }
        await withTimeout(other.closed, 5_000, "closed after break");
        await client;
      });
    },
  },
  {
    id: "server/address-in-use",
    title: "listening on a port that is taken rejects opened and closed with one SocketError (EADDRINUSE)",
    tags: ["server", "ext:codes"],
    async run(ctx) {
      const listener = ctx.listen!(ctx.peers.echo);
      const opened = await rejects(listener.opened, "opened on a busy port");
      assertSocketError(opened, "opened on a busy port", "EADDRINUSE");
      equal(await rejects(listener.closed, "closed on a busy port"), opened, "closed rejects with the same error");
    },
  },
  {
    id: "server/bad-options",
    title: "bad listen() arguments throw a SocketError synchronously (EINVAL)",
    tags: ["server", "decision", "ext:codes"],
    async run(ctx) {
      const listen = ctx.listen!;
      const { cert, key } = ctx.serverTls;
      const bad: Array<[string, () => unknown]> = [
        ["port out of range", () => listen("127.0.0.1:70000")],
        ["no address", () => listen(undefined as never)],
        ["TLS on without a certificate", () => listen("127.0.0.1:0", { secureTransport: "on" })],
        ["tls with secureTransport off", () => listen("127.0.0.1:0", { tls: { cert, key } })],
        ["a key that is not PEM", () => listen("127.0.0.1:0", { secureTransport: "on", tls: { cert, key: "not a key" } })],
        ["an unknown secureTransport", () => listen("127.0.0.1:0", { secureTransport: "tls" as never })],
        ["a negative highWaterMark", () => listen("127.0.0.1:0", { highWaterMark: -1 })],
      ];
      for (const [what, call] of bad) assertSocketError(throwsSync(call, what), what, "EINVAL");
    },
  },
  {
    id: "server/signal-closes-listener",
    title: "the signal option closes the listener: a pending read and closed reject with EABORTED",
    tags: ["server", "ext:signal"],
    async run(ctx) {
      const controller = new AbortController();
      const listener = ctx.listen!("127.0.0.1:0", { signal: controller.signal });
      await listener.opened;
      const read = listener.readable.getReader().read();
      controller.abort(new Error("shutting down"));
      assertSocketError(await rejects(listener.closed, "closed after abort"), "closed after abort", "EABORTED");
      await rejects(read, "a pending read after abort");
    },
  },
  {
    id: "server/own-connect-round-trip",
    title: "our connect() talks to our listen() (both ends the same Socket), also over IPv6",
    tags: ["server"],
    async run(ctx) {
      for (const host of ctx.peers.echo6 === null ? ["127.0.0.1"] : ["127.0.0.1", "[::1]"]) {
        const listener = ctx.listen!(`${host}:0`, { allowHalfOpen: true });
        try {
          const { localAddress } = await listener.opened;
          const client = ctx.connect(localAddress);
          const writer = client.writable.getWriter();
          await writer.write(bytes("round trip"));
          await writer.close();
          const socket = await accept(listener);
          await echoAll(socket);
          equal(text(await readAll(client.readable)), "round trip", `echo over ${host}`);
          await client.close();
        } finally {
          await listener.close();
        }
      }
    },
  },
];
