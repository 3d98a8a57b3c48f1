/**
 * Contract cases for an open connection (`transport.ts`): **Reading**, **Peer FIN**,
 * **Fatal errors**, **Writing**, **`shutdown()`**, **`close()`** and **`abort()`**.
 *
 * @module
 */
import { Cancellation } from "@sockets/core";
import { code, deepEqual, equal, ok, plain, readToEnd, readUntil, Recorder, sleep, utf8 } from "./helpers.js";
import type { TransportCase } from "./types.js";

const SOURCE_BYTES = 64 * 1024 * 1024;

export const connectionCases: readonly TransportCase[] = [
  {
    id: "read/data-then-end",
    title: "bytes arrive through events.data in order, then the peer's FIN as events.end(), once",
    async run({ open, peer }) {
      const greeter = await peer({ behaviour: "greet-fin", text: "hello" });
      const events = new Recorder();
      const transport = await open(plain("127.0.0.1", greeter.port), events);
      await readToEnd(transport, events);
      equal(events.text(), "hello", "bytes");
      equal(events.shape(), "data end", "events");
      // Nothing more, however often core pulls.
      for (let i = 0; i < 3; i++) await transport.pull(null);
      await sleep(20);
      equal(events.ends, 1, "end() calls");
    },
  },
  {
    id: "read/chunks-are-core-s",
    title: "chunks are core's: transferring each chunk's ArrayBuffer as it arrives breaks nothing (no reused or shared memory)",
    timeout: 20_000,
    async run({ open, peer }) {
      const source = await peer({ behaviour: "source", bytes: 4 * 1024 * 1024 });
      const events = new Recorder();
      let expected = 0;
      let mismatch: string | null = null;
      const buffers = new Set<ArrayBufferLike>();
      events.onData = (chunk) => {
        for (let i = 0; i < chunk.byteLength; i++) {
          if (chunk[i] !== ((expected + i) & 0xff) && mismatch === null) mismatch = `byte ${expected + i} is ${chunk[i]}`;
        }
        expected += chunk.byteLength;
        if (buffers.has(chunk.buffer)) mismatch ??= "two chunks share one ArrayBuffer";
        buffers.add(chunk.buffer);
        // Core may transfer a chunk's buffer: the transport must never touch it again.
        structuredClone(chunk.buffer, { transfer: [chunk.buffer as ArrayBuffer] });
      };
      const transport = await open(plain("127.0.0.1", source.port), events);
      await readToEnd(transport, events, 15_000);
      equal(mismatch, null, "bytes and buffers");
      equal(expected, 4 * 1024 * 1024, "bytes received");
      equal(events.errors.length, 0, "errors");
    },
  },
  {
    id: "read/pull-view",
    title: "pull(view): a pull transport reads into the view (the chunk is over its buffer); a push transport ignores it",
    async run({ open, peer }) {
      const greeter = await peer({ behaviour: "greet-fin", text: "zero copy" });
      const events = new Recorder();
      const transport = await open(plain("127.0.0.1", greeter.port), events);
      const view = new Uint8Array(new ArrayBuffer(256), 32, 128);
      const pending = transport.pull(view);
      if (pending !== undefined) {
        await pending;
        const first = events.log[0];
        ok(first?.kind === "data", `the pull delivered data first, got ${events.shape()}`);
        ok(
          first.chunk.buffer === view.buffer && first.chunk.byteOffset === view.byteOffset,
          "the chunk is a view over the caller's buffer",
        );
      }
      await readToEnd(transport, events);
      equal(events.text(), "zero copy", "bytes");
    },
  },
  {
    id: "read/pause-stops-the-sender",
    title: "a transport that is paused (or not pulled) stops reading, so the sender stalls; pulling again delivers every byte",
    timeout: 40_000,
    async run({ open, peer }) {
      const source = await peer({ behaviour: "source", bytes: SOURCE_BYTES });
      const events = new Recorder();
      events.onData = () => transport.pause(); // as core does with a chunk nobody asked for
      const transport = await open(plain("127.0.0.1", source.port), events);
      await readUntil(transport, events, () => events.bytes > 0, "the first chunk");
      let last = -1;
      for (let progress = await source.progress(); progress !== last; progress = await source.progress()) {
        last = progress;
        await sleep(150);
      }
      const delivered = events.bytes;
      ok(last < SOURCE_BYTES / 2, `the sender stalled (${last} of ${SOURCE_BYTES} bytes handed to its OS)`);
      await sleep(50);
      equal(events.bytes, delivered, "bytes delivered while paused");
      events.onData = null;
      await readToEnd(transport, events, 30_000);
      equal(events.bytes, SOURCE_BYTES, "bytes in all");
    },
  },
  {
    id: "read/fin-then-writable",
    title: "after the peer's FIN the transport stays writable: writes and our FIN still reach the peer",
    async run({ open, peer }) {
      const greeter = await peer({ behaviour: "greet-fin", text: "bye" });
      const events = new Recorder();
      const transport = await open(plain("127.0.0.1", greeter.port), events);
      await readToEnd(transport, events);
      await transport.write(utf8("still here"));
      await transport.shutdown();
      const [conn] = (await greeter.report({ closed: true })).conns;
      equal(conn?.text, "still here", "bytes the peer got");
      equal(conn?.ended, true, "the peer saw our FIN");
      equal(conn?.error, null, "the peer's error");
      equal(events.shape(), "data end", "events");
    },
  },
  {
    id: "error/reset",
    title: "a peer's RST is events.error (ECONNRESET), once, never events.end(); info still names both ends",
    async run({ open, peer }) {
      const resetter = await peer({ behaviour: "reset-on-data" });
      const events = new Recorder();
      const transport = await open(plain("127.0.0.1", resetter.port), events);
      await transport.write(utf8("x"));
      await readToEnd(transport, events);
      equal(code(events.errors[0]), "ECONNRESET", "code");
      for (let i = 0; i < 3; i++) await transport.pull(null);
      await sleep(20);
      equal(events.shape(), "error", "events");
      // First read only now, after the reset: a runtime may no longer know them (Bun forgets
      // them at close; getpeername() fails after a reset), so the transport keeps its own.
      equal(transport.info.remoteAddress, `127.0.0.1:${resetter.port}`, "remoteAddress after the reset");
      ok(/^127\.0\.0\.1:\d+$/.test(transport.info.localAddress ?? ""), `localAddress ${transport.info.localAddress} after the reset`);
    },
  },
  {
    id: "error/bytes-before-reset",
    title: "bytes that arrived before a reset are handed over first, even while paused",
    async run({ open, peer }) {
      const greeter = await peer({ behaviour: "send-then-reset", text: "last words", delay: 20 });
      const events = new Recorder();
      const transport = await open(plain("127.0.0.1", greeter.port), events);
      transport.pause();
      await sleep(200); // the bytes and the RST are here by now
      await readToEnd(transport, events);
      equal(events.text(), "last words", "bytes");
      equal(events.shape(), "data error", "events");
      equal(code(events.errors[0]), "ECONNRESET", "code");
    },
  },
  {
    id: "write/backpressure-and-memory",
    title: "write() waits while the peer does not read; once it settled the caller may reuse the memory",
    timeout: 30_000,
    async run({ open, peer }) {
      const sink = await peer({ behaviour: "paused-sink" });
      const transport = await open(plain("127.0.0.1", sink.port), new Recorder());
      const chunk = new Uint8Array(256 * 1024);
      let written = 0;
      let stalled: Promise<void> | null = null;
      while (stalled === null) {
        ok(written < 1024, "256 MiB accepted although the peer reads nothing");
        chunk.fill(written & 0xff);
        const pending = transport.write(chunk);
        written++;
        if (pending === undefined) continue;
        let done = false;
        void pending.then(() => (done = true));
        await sleep(100);
        if (!done) stalled = pending;
      }
      await sink.release();
      await stalled;
      chunk.fill(0xee); // the peer must still get what was written
      await transport.shutdown();
      const [conn] = (await sink.report({ closed: true })).conns;
      equal(conn?.bytes, written * chunk.byteLength, "bytes the peer got");
      equal(conn?.ended, true, "the peer saw our FIN");
      // The first MiB (four chunks) as the peer saw it:
      deepEqual(
        conn?.runs,
        [0, 1, 2, 3].map((i) => [i, chunk.byteLength]),
        "the first chunks' bytes",
      );
    },
  },
  {
    id: "shutdown/half-close",
    title: "shutdown() sends FIN after the written bytes, and reading goes on",
    async run({ open, peer }) {
      const replier = await peer({ behaviour: "reply-on-fin" });
      const events = new Recorder();
      const transport = await open(plain("127.0.0.1", replier.port), events);
      await transport.write(utf8("ping"));
      await transport.shutdown();
      await readToEnd(transport, events);
      equal(events.text(), "got ping", "reply");
      equal(events.shape(), "data end", "events");
    },
  },
  {
    id: "close/graceful",
    title: "close() flushes what was written, sends FIN (no RST), is idempotent, and no event fires after it",
    async run({ open, peer }) {
      const recorder = await peer({ behaviour: "record", text: "unread data" });
      const events = new Recorder();
      const transport = await open(plain("127.0.0.1", recorder.port), events);
      await transport.write(utf8("last words"));
      const before = events.log.length;
      await transport.close();
      await transport.close();
      transport.abort();
      await transport.pull(null);
      const [conn] = (await recorder.report({ closed: true })).conns;
      equal(conn?.text, "last words", "bytes the peer got");
      equal(conn?.ended, true, "the peer saw our FIN");
      equal(conn?.error, null, "the peer's error");
      await sleep(20);
      equal(events.log.length, before, "events after close()");
    },
  },
  {
    id: "abort/reset",
    title: "abort() tears the connection down at once with an RST, is idempotent, and no event fires after it",
    async run({ open, peer }) {
      // No bytes for us: Linux itself resets a connection closed with unread data.
      const recorder = await peer({ behaviour: "record" });
      const events = new Recorder();
      const transport = await open(plain("127.0.0.1", recorder.port), events);
      for (let i = 0; i < 500 && (await recorder.report()).connections === 0; i++) await sleep(10);
      const before = events.log.length;
      transport.abort();
      transport.abort();
      await transport.pull(null);
      const [conn] = (await recorder.report({ closed: true })).conns;
      equal(conn?.error, "ECONNRESET", "what the peer saw");
      equal(conn?.ended, false, "the peer saw a FIN");
      await sleep(20);
      equal(events.log.length, before, "events after abort()");
    },
  },
  {
    id: "abort/no-events",
    title: "abort() with a read in flight: no event fires after it",
    async run({ open, peer }) {
      const silent = await peer({ behaviour: "silent" });
      const events = new Recorder();
      const transport = await open(plain("127.0.0.1", silent.port, new Cancellation()), events);
      const pending = transport.pull(new Uint8Array(16));
      transport.abort();
      if (pending !== undefined) await pending;
      await silent.report({ closed: true });
      await sleep(20);
      equal(events.log.length, 0, "events after abort()");
    },
  },
];
