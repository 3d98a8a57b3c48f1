/**
 * `close()`: idempotence, flushing, the reason, and what it does to a pending `opened`;
 * what cancelling one stream alone does not do.
 *
 * @module
 */
import { assertSocketError, bytesEqual, equal, rejects } from "./assert.js";
import { fetchReport } from "./_flows.js";
import { ByteReader, bytes, concat, dispose, pattern, sleep, stateAfter, withTimeout } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

/** Cases for close(). */
export const closeCases: readonly ConformanceCase[] = [
  {
    id: "close/idempotent",
    title: "close() can be called again, before and after closed settles, and returns closed each time",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.echo);
      await socket.opened;
      const first = socket.close();
      const second = socket.close();
      equal(first, second, "second close() return value");
      await first;
      const third = socket.close();
      equal(third, socket.closed, "close() after closed resolved");
      await third;
    },
  },
  {
    id: "close/flushes-accepted-writes",
    title: "close() sends every byte the writable already accepted before closing (4 MiB, checked by the peer)",
    tags: ["decision"],
    timeout: 30_000,
    async run({ connect, peers }) {
      const socket = connect(peers.record);
      const reader = new ByteReader(socket.readable);
      const id = await reader.line();
      reader.reader.releaseLock();
      const writer = socket.writable.getWriter();
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < 64; i++) {
        const chunk = pattern(65_536, i + 10);
        chunks.push(chunk);
        writer.write(chunk).catch(() => {});
      }
      writer.releaseLock();
      await socket.close();
      const received = await fetchReport(connect, peers.reportQuery, id);
      bytesEqual(received, concat(chunks), "bytes the peer received");
    },
  },
  {
    id: "close/reason-rejects-pending-read",
    title: "close(reason) rejects a pending read with that reason",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.silent);
      try {
        await socket.opened;
        const reader = socket.readable.getReader();
        const read = reader.read();
        const reason = new Error("stop now");
        socket.close(reason).catch(() => {});
        await rejects(read, "pending read", (e) => e === reason);
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "close/reason-rejects-later-writes",
    title: "after close(reason), writes reject with that reason",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.silent);
      try {
        await socket.opened;
        const writer = socket.writable.getWriter();
        const reason = new Error("stop now");
        socket.close(reason).catch(() => {});
        await rejects(writer.write(bytes("late")), "write after close(reason)", (e) => e === reason);
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "close/reason-rejects-pending-writes",
    title: "close(reason) rejects every write not yet done with that reason, the one inside the runtime too",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.slowReader);
      try {
        await socket.opened;
        const writer = socket.writable.getWriter();
        const chunk = new Uint8Array(1 << 20);
        const settled: unknown[] = [];
        // 64 MiB to a peer that never reads: the kernel buffers fill, one write is stuck
        // inside the runtime and the rest wait in the stream's queue.
        const writes = Array.from({ length: 64 }, (_, i) =>
          writer.write(chunk).then(
            () => void (settled[i] = "written"),
            (error: unknown) => void (settled[i] = error),
          ),
        );
        await sleep(200);
        const before = settled.filter((s) => s === "written").length;
        const reason = new Error("give up");
        await withTimeout(socket.close(reason), 3_000, "close(reason) with writes pending");
        await withTimeout(Promise.all(writes), 3_000, "the writes pending at close(reason)");
        const late = settled.slice(before);
        if (late.length === 0) throw new Error("every write resolved before close(): the peer read after all");
        for (const [i, outcome] of late.entries()) {
          if (outcome !== reason)
            throw new Error(
              `write ${before + i} settled with ${outcome === "written" ? "success" : String(outcome)}, not the close() reason`,
            );
        }
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "close/graceful-ends-pending-read",
    title: "close() without a reason resolves a pending read with done: true",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.silent);
      try {
        await socket.opened;
        const read = socket.readable.getReader().read();
        await socket.close();
        equal((await read).done, true, "pending read done");
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "close/graceful-rejects-later-writes",
    title: "after close(), writes reject",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.silent);
      try {
        await socket.opened;
        const writer = socket.writable.getWriter();
        await socket.close();
        await rejects(writer.write(bytes("late")), "write after close()");
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "close/rejects-pending-opened-with-reason",
    title: "close(reason) while opened is pending rejects opened with that reason",
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(peers.echo);
      const reason = new Error("changed my mind");
      const closed = socket.close(reason);
      await rejects(socket.opened, "opened", (e) => e === reason);
      await closed.catch(() => {});
    },
  },
  {
    id: "close/rejects-pending-opened-without-reason",
    title: "close() while opened is pending rejects opened with a SocketError",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.echo);
      const closed = socket.close();
      assertSocketError(await rejects(socket.opened, "opened"), "opened");
      await closed.catch(() => {});
    },
  },
  {
    id: "close/pending-opened-code",
    title: 'close() while opened is pending rejects opened with code "ECLOSED"',
    tags: ["ext:codes"],
    async run({ connect, peers }) {
      const socket = connect(peers.echo);
      const closed = socket.close();
      assertSocketError(await rejects(socket.opened, "opened"), "opened", "ECLOSED");
      await closed.catch(() => {});
    },
  },
  {
    id: "close/cancel-readable-leaves-closed-pending",
    title: "cancelling the readable alone does not settle closed",
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(peers.silent);
      try {
        await socket.opened;
        await socket.readable.cancel();
        equal(await stateAfter(socket.closed, 300), "pending", "closed after readable.cancel()");
        await socket.close();
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "close/close-writable-leaves-closed-pending",
    title: "closing the writable alone does not settle closed",
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(peers.silent);
      try {
        await socket.opened;
        await socket.writable.close();
        equal(await stateAfter(socket.closed, 300), "pending", "closed after writable.close()");
        await socket.close();
      } finally {
        await dispose(socket);
      }
    },
  },
];
