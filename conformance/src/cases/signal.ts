/**
 * The `signal` extension (WinterTC55/proposal-sockets-api#34): abort a connect in flight
 * or close an open socket.
 *
 * @module
 */
import { assertSocketError, equal, rejects } from "./assert.js";
import { dispose, sleep, viaLocalhost, withTimeout } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

/** Cases for the signal option. */
export const signalCases: readonly ConformanceCase[] = [
  {
    id: "signal/pre-aborted",
    title: "an already aborted signal rejects opened and closed with a SocketError whose cause is the reason",
    tags: ["ext:signal"],
    async run({ connect, peers }) {
      const reason = new Error("no thanks");
      const socket = connect(peers.echo, { signal: AbortSignal.abort(reason) });
      const error = await rejects(socket.opened, "opened");
      assertSocketError(error, "opened");
      equal((error as Error).cause, reason, "error.cause");
      equal(await rejects(socket.closed, "closed"), error, "closed rejects with the same error");
    },
  },
  {
    id: "signal/abort-during-tcp-connect",
    title: "aborting while the TCP connect is in flight rejects opened promptly (blackhole peer; same-tick abort where none exists)",
    tags: ["ext:signal"],
    async run({ connect, peers }) {
      const controller = new AbortController();
      const socket = connect(peers.blackhole ?? peers.echo, { signal: controller.signal });
      if (peers.blackhole !== null) await sleep(100);
      controller.abort(new Error("too slow"));
      assertSocketError(await withTimeout(rejects(socket.opened, "opened"), 2_000, "opened after abort"), "opened");
      await rejects(socket.closed, "closed");
    },
  },
  {
    id: "signal/abort-during-tls-handshake",
    title: "aborting while the TLS handshake hangs rejects opened promptly",
    tags: ["ext:signal"],
    async run({ connect, peers }) {
      const controller = new AbortController();
      const socket = connect(viaLocalhost(peers.silent), { secureTransport: "on", signal: controller.signal });
      await sleep(200);
      controller.abort(new Error("too slow"));
      assertSocketError(await withTimeout(rejects(socket.opened, "opened"), 2_000, "opened after abort"), "opened");
      await dispose(socket);
    },
  },
  {
    id: "signal/abort-closes-open-socket",
    title: "aborting after open fails a pending read and rejects closed with a SocketError",
    tags: ["ext:signal"],
    async run({ connect, peers }) {
      const controller = new AbortController();
      const socket = connect(peers.silent, { signal: controller.signal });
      try {
        await socket.opened;
        const read = socket.readable.getReader().read();
        controller.abort(new Error("enough"));
        await withTimeout(rejects(read, "pending read"), 2_000, "pending read after abort");
        assertSocketError(await withTimeout(rejects(socket.closed, "closed"), 2_000, "closed after abort"), "closed");
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "signal/code",
    title: 'an aborted connect has code "EABORTED"',
    tags: ["ext:signal", "ext:codes"],
    async run({ connect, peers }) {
      const controller = new AbortController();
      const socket = connect(peers.echo, { signal: controller.signal });
      controller.abort();
      assertSocketError(await rejects(socket.opened, "opened"), "opened", "EABORTED");
    },
  },
];
