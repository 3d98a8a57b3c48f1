/**
 * Backpressure both ways: a peer that stops reading stalls `writer.ready`; a client that
 * stops reading stops the sender (no unbounded buffering), and nothing is lost.
 *
 * @module
 */
import { equal, ok } from "./assert.js";
import { ByteReader, bytes, concat, dispose, pattern, readAll, sha256, sleep, stateAfter, text, token } from "./helpers.js";
import { SOURCE_BYTES, type ConformanceCase } from "./types.js";

const CHUNK = 64 * 1024;
const WRITE_LIMIT = 256 * 1024 * 1024;

/** Writes chunks until `writer.ready` stays pending for 300 ms; returns the bytes written. */
async function _writeUntilStalled(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  chunk: Uint8Array,
  written: Promise<void>[],
): Promise<number> {
  let total = 0;
  while (total < WRITE_LIMIT) {
    if ((await stateAfter(writer.ready, 0)) === "pending" && (await stateAfter(writer.ready, 300)) === "pending") {
      return total;
    }
    written.push(writer.write(chunk));
    total += chunk.byteLength;
  }
  throw new Error(`writer.ready never stalled after ${total} bytes to a peer that does not read`);
}

/** Cases for backpressure. */
export const backpressureCases: readonly ConformanceCase[] = [
  {
    id: "backpressure/write-stalls-when-peer-does-not-read",
    title: "writer.ready stays pending and desiredSize drops to 0 or below when the peer stops reading",
    tags: ["decision"],
    timeout: 30_000,
    async run({ connect, peers }) {
      const socket = connect(peers.slowReader);
      try {
        await socket.opened;
        const writer = socket.writable.getWriter();
        const written: Promise<void>[] = [];
        await _writeUntilStalled(writer, new Uint8Array(CHUNK), written);
        const desired = writer.desiredSize;
        ok(desired !== null && desired <= 0, `desiredSize while stalled is ${desired}`);
        for (const p of written) p.catch(() => {});
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "backpressure/stalled-writes-all-arrive",
    title: "writes that waited on backpressure all reach the peer once it reads again (count and SHA-256)",
    tags: ["spec"],
    timeout: 30_000,
    async run({ connect, peers }) {
      const socket = connect(peers.pausedSink);
      try {
        await socket.opened;
        const writer = socket.writable.getWriter();
        const written: Promise<void>[] = [];
        const chunks: Uint8Array[] = [];
        let total = 0;
        // Distinct chunks, so a lost or duplicated one changes the hash.
        for (let i = 0; total < 24 * 1024 * 1024; i++) {
          const chunk = pattern(CHUNK, i + 1);
          chunks.push(chunk);
          written.push(writer.write(chunk));
          total += CHUNK;
        }
        await Promise.all(written);
        await writer.close();
        const reply = text(await readAll(socket.readable)).trim();
        const expected = `${total} ${await sha256(concat(chunks))}`;
        equal(reply, expected, "peer's byte count and SHA-256");
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "backpressure/paused-reader-stops-sender",
    title: "a client that stops reading stops the sender (bounded buffering), then still receives every byte in order",
    tags: ["decision"],
    timeout: 60_000,
    async run({ connect, peers }) {
      const id = token();
      const socket = connect(peers.countedSource);
      try {
        const writer = socket.writable.getWriter();
        await writer.write(bytes(`${id}\n`));
        await socket.opened;
        await sleep(1_000); // the client reads nothing for 1 s
        const query = connect(peers.sourceProgress);
        let progress: number;
        try {
          const qw = query.writable.getWriter();
          await qw.write(bytes(`${id}\n`));
          progress = Number(text(await readAll(query.readable)));
        } finally {
          await dispose(query);
        }
        ok(progress > 0, `the source had sent nothing (${progress}): the connection never started`);
        ok(
          progress < SOURCE_BYTES / 2,
          `the source wrote ${progress} of ${SOURCE_BYTES} bytes while the client was not reading: unbounded buffering`,
        );
        const reader = new ByteReader(socket.readable);
        const all = await reader.rest();
        equal(all.byteLength, SOURCE_BYTES, "bytes received after resuming");
        for (let i = 0; i < all.byteLength; i++) {
          if (all[i] !== (i & 0xff)) throw new Error(`byte ${i} is ${all[i]}, expected ${i & 0xff}`);
        }
      } finally {
        await dispose(socket);
      }
    },
  },
];
