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
    title: "after startTls() the old socket's upgraded is true and the new socket's is false",
    tags: ["spec"],
    async run({ connect, peers }) {
      const plain = await plainBeforeUpgrade(connect, viaLocalhost(peers.starttls));
      equal(plain.upgraded, false, "upgraded before startTls()");
      const secure = plain.startTls();
      try {
        equal(plain.upgraded, true, "old socket's upgraded");
        equal(secure.upgraded, false, "new socket's upgraded");
        await secure.opened;
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
    tags: ["spec"],
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
    title: 'startTls() on a secureTransport "off" socket throws a SocketError synchronously',
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(peers.echo);
      try {
        await _syncError(() => socket.startTls(), 'startTls() with secureTransport "off"');
        equal(socket.upgraded, false, "upgraded after a refused startTls()");
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "starttls/throws-when-already-tls",
    title: 'startTls() on a secureTransport "on" socket throws a SocketError synchronously',
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(viaLocalhost(peers.tls), { secureTransport: "on" });
      try {
        await _syncError(() => socket.startTls(), 'startTls() with secureTransport "on"');
      } finally {
        await dispose(socket);
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
