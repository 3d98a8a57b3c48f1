/**
 * The peer resets the connection (RST): the readable errors and closed rejects.
 *
 * @module
 */
import { assertSocketError, equal, rejects } from "./assert.js";
import { bytes, dispose, sleep } from "./helpers.js";
import type { CaseContext, ConformanceCase } from "./types.js";

const decoder = new TextDecoder();

async function _resetAfterData({ connect, peers }: CaseContext, code?: string): Promise<void> {
  const socket = connect(peers.resetOnData);
  try {
    const reader = socket.readable.getReader();
    await socket.writable.getWriter().write(bytes("trigger"));
    const fromRead = await rejects(reader.read(), "read after the peer's RST");
    const fromClosed = await rejects(socket.closed, "closed after the peer's RST");
    assertSocketError(fromClosed, "closed after the peer's RST", code);
    assertSocketError(fromRead, "read after the peer's RST", code);
  } finally {
    await dispose(socket);
  }
}

/**
 * The peer's last bytes and its RST are both in our kernel before the reader asks (Node 20
 * reported this as a clean end: src/_reset-probe.ts in @sockets/node). The bytes come
 * first, then the error; never `{ done: true }`.
 */
async function _resetWhileNotReading({ connect, peers }: CaseContext, code?: string): Promise<void> {
  const socket = connect(peers.greetThenReset);
  try {
    await socket.opened;
    await sleep(150); // the peer writes, then resets after 20 ms: both arrive meanwhile
    const reader = socket.readable.getReader();
    let text = "";
    let failure: unknown;
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        failure = error;
        break;
      }
      if (next.done) throw new Error(`the readable ended cleanly after ${JSON.stringify(text)} although the peer reset the connection`);
      text += decoder.decode(next.value, { stream: true });
    }
    equal(text, "bye\n", "bytes the peer sent before its RST");
    assertSocketError(failure, "read after the peer's RST", code);
    assertSocketError(await rejects(socket.closed, "closed after the peer's RST"), "closed after the peer's RST", code);
  } finally {
    await dispose(socket);
  }
}

/** Cases for connection resets. */
export const resetCases: readonly ConformanceCase[] = [
  {
    id: "reset/peer-reset-errors-socket",
    title: "a peer RST errors the readable and rejects closed with a SocketError",
    tags: ["decision"],
    run: (ctx) => _resetAfterData(ctx),
  },
  {
    id: "reset/code",
    title: 'a peer RST has code "ECONNRESET"',
    tags: ["ext:codes"],
    run: (ctx) => _resetAfterData(ctx, "ECONNRESET"),
  },
  {
    id: "reset/while-not-reading",
    title: "bytes and an RST that arrive while nobody reads: the bytes are read first, then the read rejects (never a clean end)",
    tags: ["decision"],
    run: (ctx) => _resetWhileNotReading(ctx),
  },
  {
    id: "reset/while-not-reading-code",
    title: 'bytes and an RST that arrive while nobody reads: the read and closed reject with "ECONNRESET"',
    tags: ["ext:codes"],
    run: (ctx) => _resetWhileNotReading(ctx, "ECONNRESET"),
  },
  {
    id: "reset/reset-on-accept-fails-socket",
    title: "a connection reset right after the TCP handshake rejects closed with a SocketError",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.resetOnAccept);
      try {
        socket.opened.catch(() => {}); // may fulfil or reject: the RST can race the connect
        const read = socket.readable.getReader().read();
        read.catch(() => {}); // handled up front: the assertion below may throw first
        assertSocketError(await rejects(socket.closed, "closed"), "closed");
        await read.then(
          ({ done }) => {
            if (!done) throw new Error("a read returned data from a peer that sent none");
          },
          () => {},
        );
      } finally {
        await dispose(socket);
      }
    },
  },
];
