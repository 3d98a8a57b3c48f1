/**
 * `startTls()` on a `secureTransport: "starttls"` socket, against the STARTTLS peer
 * ("STARTTLS\n" → "OK\n" → TLS; "STARTTLS QUIET\n" → TLS without a reply).
 *
 * @module
 */
import type { Connect, Socket, SocketOptions } from "@sockets/core";
import { assertSocketError, equal, ok, rejects, throwsSync } from "./assert.js";
import { echoRoundTrip } from "./_flows.js";
import { ByteReader, bytes, dispose, stateAfter, viaLocalhost, withTimeout } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

/** Connects, asks for STARTTLS and reads the "OK"; the plain socket is ready for `startTls()`. */
export async function plainBeforeUpgrade(connect: Connect, address: string, options: SocketOptions = {}): Promise<Socket> {
  const socket = connect(address, { secureTransport: "starttls", ...options });
  try {
    await socket.opened;
    const writer = socket.writable.getWriter();
    const reader = new ByteReader(socket.readable);
    await writer.write(bytes("hello\n"));
    equal(await reader.line(), "PLAIN hello", "plain-text echo before the upgrade");
    await writer.write(bytes("STARTTLS\n"));
    equal(await reader.line(), "OK", "STARTTLS answer");
    writer.releaseLock();
    reader.reader.releaseLock();
    return socket;
  } catch (error) {
    await dispose(socket);
    throw error;
  }
}

async function _syncError(fn: () => unknown, what: string): Promise<void> {
  assertSocketError(throwsSync(fn, what), what);
}

/** Cases for startTls(). */
export const starttlsCases: readonly ConformanceCase[] = [
  {
    id: "starttls/upgrade-round-trip",
    title: "startTls() returns a new socket whose opened resolves after the handshake and which carries data",
    tags: ["spec"],
    async run({ connect, peers }) {
      const plain = await plainBeforeUpgrade(connect, viaLocalhost(peers.starttls));
      let secure: Socket | undefined;
      try {
        secure = plain.startTls();
        ok(secure !== plain, "startTls() returns a new socket");
        await secure.opened;
        await echoRoundTrip(secure, bytes("secret"));
      } finally {
        await dispose(secure);
        await dispose(plain);
      }
    },
  },
  {
    id: "starttls/upgraded-flags",
    title: "after startTls() the old socket's upgraded is true (by the time its closed resolves) and the new socket's is false",
    tags: ["spec"],
    async run({ connect, peers }) {
      const plain = await plainBeforeUpgrade(connect, viaLocalhost(peers.starttls));
      equal(plain.upgraded, false, "upgraded before startTls()");
      const secure = plain.startTls();
      try {
        equal(secure.upgraded, false, "new socket's upgraded");
        await withTimeout(plain.closed, 3_000, "old socket's closed");
        equal(plain.upgraded, true, "old socket's upgraded once its closed resolved");
        await secure.opened;
        equal(secure.upgraded, false, "new socket's upgraded once open");
      } finally {
        await dispose(secure);
      }
    },
  },
  {
    id: "starttls/upgraded-set-synchronously",
    title: "the old socket's upgraded is already true when startTls() returns",
    tags: ["decision"],
    async run({ connect, peers }) {
      const plain = await plainBeforeUpgrade(connect, viaLocalhost(peers.starttls));
      const secure = plain.startTls();
      try {
        equal(plain.upgraded, true, "old socket's upgraded right after startTls()");
        await secure.opened;
      } finally {
        await dispose(secure);
      }
    },
  },
  {
    id: "starttls/new-writer-ready-before-old-closed",
    title: "after startTls() the new socket's writer.ready settles before the old socket's closed resolves",
    tags: ["decision"],
    async run({ connect, peers }) {
      // postgres.js's cloudflare:sockets build switches writers on this order (workerd's too).
      const plain = await plainBeforeUpgrade(connect, viaLocalhost(peers.starttls));
      const secure = plain.startTls();
      try {
        const order: string[] = [];
        const writer = secure.writable.getWriter();
        const ready = writer.ready.then(() => order.push("new ready"));
        const closed = plain.closed.then(() => order.push("old closed"));
        await withTimeout(Promise.all([ready, closed]), 3_000, "new ready and old closed");
        equal(order.join(", "), "new ready, old closed", "order");
        writer.releaseLock();
        await secure.opened;
      } finally {
        await dispose(secure);
      }
    },
  },
  {
    id: "starttls/upgrade-with-read-pending",
    title: "startTls() while a read on the old readable is pending ends that read and upgrades (driver read loops do this)",
    tags: ["decision"],
    async run({ connect, peers }) {
      const plain = await plainBeforeUpgrade(connect, viaLocalhost(peers.starttls));
      const oldReader = plain.readable.getReader();
      const pending = oldReader.read();
      pending.catch(() => {});
      equal(await stateAfter(pending, 50), "pending", "the old read before startTls()");
      const secure = plain.startTls();
      try {
        const result = await withTimeout(pending, 3_000, "the pending old read");
        equal(result.done, true, "the pending old read ends");
        await secure.opened;
        await echoRoundTrip(secure, bytes("read loop survived"));
      } finally {
        await dispose(secure);
      }
    },
  },
  {
    id: "starttls/old-closed-resolves-connection-kept",
    title: "the old socket's closed resolves after startTls() while the connection carries on under TLS",
    tags: ["decision"],
    async run({ connect, peers }) {
      const plain = await plainBeforeUpgrade(connect, viaLocalhost(peers.starttls));
      equal(await stateAfter(plain.closed, 0), "pending", "old closed before startTls()");
      const secure = plain.startTls();
      try {
        await withTimeout(plain.closed, 3_000, "old socket's closed");
        await secure.opened;
        await echoRoundTrip(secure, bytes("still connected"));
      } finally {
        await dispose(secure);
      }
    },
  },
  {
    id: "starttls/old-writer-stops-working",
    title: "a writer taken from the old socket before startTls() no longer writes",
    tags: ["decision"],
    async run({ connect, peers }) {
      const plain = await plainBeforeUpgrade(connect, viaLocalhost(peers.starttls));
      const oldWriter = plain.writable.getWriter();
      const secure = plain.startTls();
      try {
        await rejects(oldWriter.write(bytes("plain after upgrade")), "write on the old writer");
        await secure.opened;
        await echoRoundTrip(secure, bytes("new writer works"));
      } finally {
        await dispose(secure);
      }
    },
  },
  {
    id: "starttls/pipelined-before-opened",
    title: "startTls() right after a queued plain write (before opened) flushes that write, then handshakes",
    tags: ["decision"],
    async run({ connect, peers }) {
      const plain = connect(viaLocalhost(peers.starttls), { secureTransport: "starttls" });
      const writer = plain.writable.getWriter();
      writer.write(bytes("STARTTLS QUIET\n")).catch(() => {});
      writer.releaseLock();
      const secure = plain.startTls();
      try {
        await secure.opened;
        await echoRoundTrip(secure, bytes("pipelined"));
      } finally {
        await dispose(secure);
        await dispose(plain);
      }
    },
  },
  {
    id: "starttls/verifies-original-hostname",
    title: "the upgraded connection is verified against the connect hostname: a wrong-name certificate fails",
    tags: ["decision"],
    async run({ connect, peers }) {
      const plain = await plainBeforeUpgrade(connect, viaLocalhost(peers.starttlsWrongName));
      const secure = plain.startTls();
      assertSocketError(await rejects(secure.opened, "new socket's opened"), "new socket's opened");
      await rejects(secure.closed, "new socket's closed");
    },
  },
  {
    id: "starttls/wrong-name-code",
    title: 'a wrong-name certificate after startTls() has code "ETLS"',
    tags: ["ext:codes"],
    async run({ connect, peers }) {
      const plain = await plainBeforeUpgrade(connect, viaLocalhost(peers.starttlsWrongName));
      const secure = plain.startTls();
      assertSocketError(await rejects(secure.opened, "new socket's opened"), "new socket's opened", "ETLS");
      await dispose(secure);
    },
  },
  {
    id: "starttls/throws-when-off",
    title: 'startTls() on a secureTransport "off" socket throws a TypeError synchronously',
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(peers.echo);
      try {
        ok(throwsSync(() => socket.startTls(), "startTls() with secureTransport off") instanceof TypeError, "a TypeError");
        equal(socket.upgraded, false, "upgraded after a refused startTls()");
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "starttls/throws-when-already-tls",
    title: 'startTls() on a secureTransport "on" socket throws a TypeError synchronously',
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(viaLocalhost(peers.tls), { secureTransport: "on" });
      try {
        ok(throwsSync(() => socket.startTls(), "startTls() with secureTransport on") instanceof TypeError, "a TypeError");
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "starttls/misuse-is-socket-error",
    title: 'startTls() without secureTransport "starttls" throws a SocketError (message prefixed "SocketError: ")',
    tags: ["decision"],
    async run({ connect, peers }) {
      const off = connect(peers.echo);
      const on = connect(viaLocalhost(peers.tls), { secureTransport: "on" });
      try {
        await _syncError(() => off.startTls(), 'startTls() with secureTransport "off"');
        await _syncError(() => on.startTls(), 'startTls() with secureTransport "on"');
      } finally {
        await dispose(off);
        await dispose(on);
      }
    },
  },
  {
    id: "starttls/throws-twice",
    title: "a second startTls() on the same socket throws a SocketError synchronously",
    tags: ["decision"],
    async run({ connect, peers }) {
      const plain = await plainBeforeUpgrade(connect, viaLocalhost(peers.starttls));
      const secure = plain.startTls();
      try {
        await _syncError(() => plain.startTls(), "second startTls()");
        await secure.opened;
      } finally {
        await dispose(secure);
      }
    },
  },
  {
    id: "starttls/throws-after-close",
    title: "startTls() after close() throws a SocketError synchronously",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(viaLocalhost(peers.starttls), { secureTransport: "starttls" });
      await socket.opened;
      await socket.close();
      await _syncError(() => socket.startTls(), "startTls() after close()");
    },
  },
];
