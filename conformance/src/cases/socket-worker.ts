/**
 * Socket Workers (tag `socket-worker`): a `connect(socket, env, ctx)` handler, run by the
 * module's `serve()` on Node, Deno and Bun and by workerd itself for its inbound sockets.
 * The same case runs on all four; the host's `node:net` client talks to the handler. What
 * the handler sees comes back as plain data (`InboundRecord`), polled here.
 *
 * @module
 */
import type { Socket } from "@sockets/core";
import { equal, ok } from "./assert.js";
import { bytes, readAll, sleep, text } from "./helpers.js";
import { b64, hostClient, unb64 } from "./host-client-protocol.js";
import type { ConformanceCase, InboundRecord } from "./types.js";

/** Waits (polling) until `done(record)`; fails after `ms`. */
async function until(record: InboundRecord, done: (r: InboundRecord) => boolean, ms: number, what: string): Promise<void> {
  for (const start = Date.now(); !done(record);) {
    if (Date.now() - start > ms) throw new Error(`${what}: not within ${ms} ms (record ${JSON.stringify(record)})`);
    await sleep(10);
  }
}

async function write(socket: Socket, line: string): Promise<void> {
  const writer = socket.writable.getWriter();
  try {
    await writer.write(bytes(line));
  } finally {
    writer.releaseLock();
  }
}

export const socketWorkerCases: readonly ConformanceCase[] = [
  {
    id: "socket-worker/greeting-then-echo",
    title: "the handler greets first, then echoes what the client sends until it half-closes",
    tags: ["socket-worker"],
    async run(ctx) {
      const inbound = ctx.inbound!;
      const record = inbound.handle(async (socket) => {
        await write(socket, "220 hello\r\n");
        const received = await readAll(socket.readable);
        await write(socket, text(received));
      });
      const seen = await hostClient(ctx, { op: "exchange", target: inbound.address, send: b64("ping\n"), halfClose: true });
      equal(unb64(seen.received), "220 hello\r\nping\n", "what the client got");
      ok(seen.ended, "the connection ended after the handler returned");
      await until(record, (r) => r.settled === 1, 2_000, "the handler settled");
      equal(record.errors.length, 0, "handler errors");
    },
  },
  {
    id: "socket-worker/socket-info",
    title: "opened gives the client's address as remoteAddress and the listening address as localAddress",
    tags: ["socket-worker", "decision"],
    async run(ctx) {
      const inbound = ctx.inbound!;
      const record = inbound.handle(async (socket, note) => {
        note(await socket.opened);
      });
      await hostClient(ctx, { op: "exchange", target: inbound.address, ms: 3_000 });
      await until(record, (r) => r.settled === 1, 2_000, "the handler settled");
      const info = record.notes[0] as { remoteAddress: unknown; localAddress: unknown; alpn: unknown };
      ok(
        typeof info.remoteAddress === "string" && /^127\.0\.0\.1:\d+$/.test(info.remoteAddress),
        `remoteAddress ${String(info.remoteAddress)}`,
      );
      equal(info.localAddress, inbound.address, "localAddress");
      equal(info.alpn, null, "alpn of a plain socket");
    },
  },
  {
    id: "socket-worker/socket-lives-as-long-as-the-handler",
    title: "when the handler returns without closing, the client still gets every byte and then the end",
    tags: ["socket-worker"],
    async run(ctx) {
      const inbound = ctx.inbound!;
      inbound.handle(async (socket) => {
        await write(socket, "bye\n");
      });
      const seen = await hostClient(ctx, { op: "exchange", target: inbound.address, ms: 5_000 });
      equal(unb64(seen.received), "bye\n", "bytes written before the handler returned");
      ok(seen.ended || seen.error !== undefined, "the connection ended when the handler returned");
      ok(seen.timedOut !== true, "the client did not wait until its timeout");
    },
  },
  {
    id: "socket-worker/slow-handler-blocks-nobody",
    title: "handlers run concurrently: a second connection is served while the first connection's handler is still waiting",
    tags: ["socket-worker"],
    async run(ctx) {
      const inbound = ctx.inbound!;
      let second = false;
      let calls = 0;
      const record = inbound.handle(async (socket) => {
        const me = ++calls;
        if (me === 1) {
          for (const start = Date.now(); !second && Date.now() - start < 5_000;) await sleep(10);
        } else {
          second = true;
        }
        await write(socket, `served ${me}${me === 1 && second ? " after 2" : ""}\n`);
      });
      const first = hostClient(ctx, { op: "exchange", target: inbound.address, ms: 8_000 });
      await until(record, (r) => r.calls === 1, 2_000, "the first handler started");
      const seenSecond = await hostClient(ctx, { op: "exchange", target: inbound.address, ms: 4_000 });
      equal(unb64(seenSecond.received), "served 2\n", "the second client, while the first handler waits");
      equal(unb64((await first).received), "served 1 after 2\n", "the first client, once its handler went on");
    },
  },
  {
    id: "socket-worker/throwing-handler-closes-its-socket",
    title: "a handler that throws has its connection closed (the client is not left hanging); the next connection is served",
    tags: ["socket-worker"],
    async run(ctx) {
      const inbound = ctx.inbound!;
      const record = inbound.handle(async (socket) => {
        await socket.opened;
        throw new Error("handler bug");
      });
      const seen = await hostClient(ctx, { op: "exchange", target: inbound.address, ms: 5_000 });
      ok(seen.timedOut !== true, "the client saw the connection close");
      await until(record, (r) => r.errors.length === 1, 2_000, "the handler's error recorded");
      const next = inbound.handle(async (socket) => write(socket, "ok\n"));
      equal(unb64((await hostClient(ctx, { op: "exchange", target: inbound.address, ms: 5_000 })).received), "ok\n", "the next connection");
      equal(next.calls, 1, "handler calls");
    },
  },
  {
    id: "socket-worker/client-leaves-mid-handler",
    title: "a client that resets while the handler reads fails the handler's read with a SocketError, not a hang",
    tags: ["socket-worker", "ext:codes"],
    async run(ctx) {
      const inbound = ctx.inbound!;
      const record = inbound.handle(async (socket, note) => {
        const reader = socket.readable.getReader();
        try {
          for (;;) if ((await reader.read()).done) return note("ended");
        } catch (error) {
          const e = error as { message?: string; code?: string };
          note(`${String(e.message).startsWith("SocketError: ") ? "SocketError" : "other"} ${e.code}`);
        }
      });
      // The reset comes once the handler runs (a reset in the accept queue never reaches one).
      await hostClient(ctx, { op: "exchange", target: inbound.address, send: b64("half a request"), reset: true, resetAfterMs: 200 });
      await until(record, (r) => r.settled === 1, 5_000, "the handler settled after the reset");
      equal(record.notes[0], "SocketError ECONNRESET", "what the handler's read saw");
    },
  },
  {
    id: "socket-worker/start-tls-refused",
    title: "startTls() on a handler's plain socket throws a SocketError (TLS, if any, is the platform's business)",
    tags: ["socket-worker", "decision"],
    async run(ctx) {
      const inbound = ctx.inbound!;
      const record = inbound.handle(async (socket, note) => {
        try {
          socket.startTls();
          note("did not throw");
        } catch (error) {
          note(String((error as Error).message).startsWith("SocketError: ") ? "SocketError" : `other: ${String(error)}`);
        }
      });
      await hostClient(ctx, { op: "exchange", target: inbound.address, ms: 3_000 });
      await until(record, (r) => r.settled === 1, 2_000, "the handler settled");
      equal(record.notes[0], "SocketError", "startTls() on an inbound socket");
    },
  },
];
