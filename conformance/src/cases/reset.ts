/**
 * The peer resets the connection (RST): the readable errors and closed rejects.
 *
 * @module
 */
import { assertSocketError, rejects } from "./assert.js";
import { bytes, dispose } from "./helpers.js";
import type { CaseContext, ConformanceCase } from "./types.js";

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
