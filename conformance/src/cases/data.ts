/**
 * Data transfer: every accepted chunk type, large payloads, BYOB reads, pipelined writes.
 *
 * @module
 */
import { assertSocketError, bytesEqual, equal, ok, rejects } from "./assert.js";
import { ByteReader, bytes, dispose, pattern, sha256, text } from "./helpers.js";
import { SOURCE_BYTES, type CaseContext, type ConformanceCase, type Tag } from "./types.js";

function _viewBytes(view: ArrayBufferView | ArrayBuffer): Uint8Array {
  return view instanceof ArrayBuffer
    ? new Uint8Array(view.slice(0))
    : new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

function _chunkType(id: string, title: string, tags: readonly Tag[], make: () => ArrayBufferView | ArrayBuffer | string): ConformanceCase {
  return {
    id,
    title,
    tags,
    async run({ connect, peers }: CaseContext) {
      const socket = connect(peers.echo);
      try {
        await socket.opened;
        const chunk = make();
        const expected = typeof chunk === "string" ? bytes(chunk) : _viewBytes(chunk);
        const writer = socket.writable.getWriter();
        const reader = new ByteReader(socket.readable);
        await writer.write(chunk);
        bytesEqual(await reader.exactly(expected.byteLength), expected, "echoed bytes");
      } finally {
        await dispose(socket);
      }
    },
  };
}

/** Cases for data transfer. */
export const dataCases: readonly ConformanceCase[] = [
  {
    id: "data/writes-before-opened-are-sent",
    title: "bytes written before opened resolves are sent once connected",
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(peers.echo);
      try {
        const writer = socket.writable.getWriter();
        const written = writer.write(bytes("early bird"));
        const reader = new ByteReader(socket.readable);
        equal(text(await reader.exactly(10)), "early bird", "echoed early write");
        await written;
      } finally {
        await dispose(socket);
      }
    },
  },
  _chunkType("data/uint8array-round-trip", "a Uint8Array chunk round-trips through echo", ["spec"], () => pattern(1000, 1)),
  _chunkType("data/uint8array-subarray-round-trip", "a Uint8Array view with a byte offset sends only its own bytes", ["spec"], () =>
    pattern(300, 2).subarray(100, 250),
  ),
  _chunkType("data/int16array-round-trip", "an Int16Array chunk is sent as its bytes", ["decision"], () =>
    Int16Array.of(1, -2, 300, -32768),
  ),
  _chunkType("data/float64array-round-trip", "a Float64Array chunk is sent as its bytes", ["decision"], () =>
    Float64Array.of(1.5, -0, Math.PI),
  ),
  _chunkType(
    "data/dataview-round-trip",
    "a DataView over part of a buffer sends only its own bytes",
    ["decision"],
    () => new DataView(pattern(64, 3).buffer, 5, 20),
  ),
  _chunkType(
    "data/arraybuffer-round-trip",
    "an ArrayBuffer chunk is sent as its bytes",
    ["decision"],
    () => pattern(77, 4).buffer as ArrayBuffer,
  ),
  _chunkType("data/string-is-utf8", "a string chunk is sent as UTF-8", ["decision"], () => "héllo, wörld ✓ 🚀\r\n"),
  {
    id: "data/rejects-non-byte-chunk",
    title: "writing a number (not bytes or a string) rejects with a TypeError",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.echo);
      try {
        await socket.opened;
        const writer = socket.writable.getWriter();
        await rejects(writer.write(42 as never), "write(42)", (e) => e instanceof TypeError);
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "data/rejects-detached-chunk",
    title: "writing a view of a detached ArrayBuffer rejects with a SocketError EINVAL instead of sending nothing",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.echo);
      try {
        await socket.opened;
        const view = new TextEncoder().encode("lost?");
        structuredClone(view.buffer, { transfer: [view.buffer] }); // detaches it
        const writer = socket.writable.getWriter();
        assertSocketError(await rejects(writer.write(view), "write(detached view)"), "write(detached view)", "EINVAL");
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "data/large-payload-integrity",
    title: "8 MiB written while reading concurrently come back intact (SHA-256)",
    tags: ["spec"],
    timeout: 60_000,
    async run({ connect, peers }) {
      const payload = pattern(8 * 1024 * 1024, 42);
      const socket = connect(peers.echo);
      try {
        const writer = socket.writable.getWriter();
        const writing = (async () => {
          for (let offset = 0; offset < payload.byteLength; offset += 65_536) {
            await writer.write(payload.slice(offset, offset + 65_536));
          }
        })();
        const reader = new ByteReader(socket.readable);
        const [, back] = await Promise.all([writing, reader.exactly(payload.byteLength)]);
        equal(await sha256(back), await sha256(payload), "SHA-256 of the echoed payload");
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "data/source-every-byte",
    title: `every one of the source peer's ${SOURCE_BYTES} bytes arrives, in order, then the stream ends`,
    tags: ["spec"],
    timeout: 60_000,
    async run({ connect, peers }) {
      const socket = connect(peers.source);
      try {
        const reader = socket.readable.getReader();
        let count = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (let i = 0; i < value.byteLength; i++) {
            if (value[i] !== ((count + i) & 0xff)) throw new Error(`byte ${count + i} is ${value[i]}, expected ${(count + i) & 0xff}`);
          }
          count += value.byteLength;
        }
        equal(count, SOURCE_BYTES, "bytes received");
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "data/byob-read",
    title: "a BYOB reader gets the bytes in the caller's buffer, at the caller's offset",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.echo);
      try {
        const writer = socket.writable.getWriter();
        await writer.write(bytes("bring your own buffer"));
        const reader = socket.readable.getReader({ mode: "byob" });
        let buffer = new ArrayBuffer(64);
        let filled = 0;
        while (filled < 21) {
          const before = buffer;
          const { done, value } = await reader.read(new Uint8Array(buffer, 8 + filled, 32 - filled));
          ok(!done && value !== undefined, "BYOB read ended early");
          ok(value instanceof Uint8Array, "BYOB read returns a Uint8Array");
          equal(value.byteOffset, 8 + filled, "byteOffset of the filled view");
          equal(value.buffer.byteLength, 64, "the filled view is over the (transferred) caller buffer");
          equal(before.byteLength, 0, "the caller's buffer was transferred (detached)");
          buffer = value.buffer as ArrayBuffer;
          filled += value.byteLength;
        }
        bytesEqual(new Uint8Array(buffer, 8, 21), bytes("bring your own buffer"), "bytes in the caller's buffer");
        equal(
          new Uint8Array(buffer, 0, 8).every((b) => b === 0),
          true,
          "bytes before the offset untouched",
        );
      } finally {
        await dispose(socket);
      }
    },
  },
];
