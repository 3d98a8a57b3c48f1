/**
 * Plain TCP through `connect()` from @sockets/bun, against Bun.listen servers on loopback.
 * Each test targets one Bun quirk the transport works around (see src/bun-transport.ts).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { connect, SocketError } from "../src/index.js";
import { listen, readAll, readUntil, rejection, type TestServer } from "./_helpers.js";

const MiB = 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Byte i of a test pattern. */
const patternAt = (i: number): number => (i * 7 + 3) & 0xff;

function pattern(size: number, offset = 0): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = patternAt(i + offset);
  return out;
}

let servers: TestServer[] = [];
function server(...args: Parameters<typeof listen>): TestServer {
  const started = listen(...args);
  servers.push(started);
  return started;
}
afterEach(() => {
  for (const started of servers) started.stop();
  servers = [];
});

describe("opening", () => {
  test("opened reports the remote and local addresses and no ALPN", async () => {
    const peer = server();
    const socket = connect(peer.address);
    const info = await socket.opened;
    expect(info.remoteAddress).toBe(peer.address);
    expect(info.localAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(info.alpn).toBeNull();
    await socket.close();
  });

  test("the addresses are kept when the info is first read after a reset (Bun forgets them at close)", async () => {
    const peer = server({ onData: (conn) => conn.socket.terminate() });
    const socket = connect(peer.address);
    const info = await socket.opened; // no property read until the connection is gone
    const writer = socket.writable.getWriter();
    await writer.write(encoder.encode("boom"));
    const error = await rejection(socket.closed);
    expect((error as SocketError).code).toBe("ECONNRESET");
    expect(info.remoteAddress).toBe(peer.address);
    expect(info.localAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  test("a refused connection rejects opened and closed with ECONNREFUSED", async () => {
    const gone = listen();
    const address = gone.address;
    gone.stop();
    const socket = connect(address);
    const error = await rejection(socket.opened);
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).code).toBe("ECONNREFUSED");
    expect(await rejection(socket.closed)).toBe(error);
  });
});

describe("writing", () => {
  test("a half-close sends FIN and the reply still arrives (shutdown, not end)", async () => {
    const peer = server({
      onEnd: (conn) => {
        conn.socket.write(`got ${conn.received}\n`);
        conn.socket.end();
      },
    });
    const socket = connect(peer.address, { allowHalfOpen: true });
    const writer = socket.writable.getWriter();
    await writer.write(encoder.encode("hello"));
    await writer.close();
    const { bytes } = await readAll(socket.readable);
    expect(decoder.decode(bytes)).toBe("got 5\n");
    await socket.closed;
  });

  test("a 32 MiB write from an offset view arrives whole: partial writes are retried on drain", async () => {
    const size = 32 * MiB;
    let mismatches = 0;
    const peer = server({
      onData: (conn, chunk) => {
        const start = conn.received - chunk.byteLength;
        for (let i = 0; i < chunk.byteLength; i += 4093) if (chunk[i] !== patternAt(start + i)) mismatches++;
      },
      onEnd: (conn) => conn.socket.end(),
    });
    const socket = connect(peer.address);
    const backing = pattern(size + 5, -5);
    const writer = socket.writable.getWriter();
    await writer.write(backing.subarray(5));
    await writer.close();
    const conn = await peer.accepted();
    await conn.ended;
    expect(conn.received).toBe(size);
    expect(mismatches).toBe(0);
    await socket.close();
  }, 20_000);

  test("a write resolves only once the peer reads: backpressure reaches the writer", async () => {
    let resumed = false;
    const peer = server({ onOpen: (conn) => conn.socket.pause() });
    const socket = connect(peer.address);
    await socket.opened;
    const conn = await peer.accepted();
    setTimeout(() => {
      resumed = true;
      conn.socket.resume();
    }, 300);
    const writer = socket.writable.getWriter();
    await writer.write(new Uint8Array(32 * MiB));
    expect(resumed).toBe(true);
    await socket.close();
  }, 20_000);
});

describe("reading", () => {
  test("nothing is read while nobody reads: the sender stalls, then every byte arrives", async () => {
    const size = 64 * MiB;
    const data = pattern(size);
    let sent = 0;
    const pump = (conn: { socket: Bun.Socket<undefined> }): void => {
      while (sent < size) {
        const n = conn.socket.write(data, sent, size - sent);
        if (n <= 0) return;
        sent += n;
      }
      conn.socket.end();
    };
    const peer = server({ onOpen: pump, onDrain: pump });
    const socket = connect(peer.address);
    await socket.opened;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sent).toBeLessThan(size);
    const { bytes } = await readAll(socket.readable);
    expect(bytes.byteLength).toBe(size);
    expect(bytes.every((byte, i) => byte === patternAt(i))).toBe(true);
    await socket.closed;
  }, 20_000);

  test("chunks own their ArrayBuffer (no copy needed for core to transfer them)", async () => {
    const peer = server({ onOpen: (conn) => (conn.socket.write(new Uint8Array(MiB).fill(1)), conn.socket.end()) });
    const socket = connect(peer.address);
    const { bytes, chunks } = await readAll(socket.readable);
    expect(bytes.byteLength).toBe(MiB);
    for (const chunk of chunks) {
      expect(chunk.byteOffset).toBe(0);
      expect(chunk.byteLength).toBe(chunk.buffer.byteLength);
    }
    await socket.closed;
  });

  test("BYOB reads fill the caller's buffer", async () => {
    const size = 256 * 1024;
    const peer = server({ onOpen: (conn) => (conn.socket.write(pattern(size)), conn.socket.end()) });
    const socket = connect(peer.address);
    const reader = socket.readable.getReader({ mode: "byob" });
    let total = 0;
    let ok = true;
    for (;;) {
      const { value, done } = await reader.read(new Uint8Array(4096));
      if (done) break;
      for (let i = 0; i < value.byteLength; i++) ok &&= value[i] === patternAt(total + i);
      total += value.byteLength;
    }
    expect(total).toBe(size);
    expect(ok).toBe(true);
    await socket.closed;
  });
});

describe("peer FIN", () => {
  test("with allowHalfOpen: true the readable ends and writes still reach the peer", async () => {
    let text = "";
    const peer = server({
      onOpen: (conn) => (conn.socket.write("hello\n"), conn.socket.shutdown()),
      onData: (_conn, chunk) => (text += decoder.decode(chunk)),
    });
    const socket = connect(peer.address, { allowHalfOpen: true });
    const { bytes } = await readAll(socket.readable);
    expect(decoder.decode(bytes)).toBe("hello\n");
    const writer = socket.writable.getWriter();
    await writer.write(encoder.encode("after FIN\n"));
    await writer.close();
    await (
      await peer.accepted()
    ).ended;
    expect(text).toBe("after FIN\n");
    await socket.closed;
  });

  test("with allowHalfOpen: false our side closes too and closed resolves", async () => {
    const peer = server({ onOpen: (conn) => (conn.socket.write("bye\n"), conn.socket.shutdown()) });
    const socket = connect(peer.address);
    const { bytes } = await readAll(socket.readable);
    expect(decoder.decode(bytes)).toBe("bye\n");
    await socket.closed;
    const conn = await peer.accepted();
    await conn.ended;
  });
});

describe("closing", () => {
  test("close() is graceful: pending writes are flushed and the peer sees FIN, not RST", async () => {
    const peer = server();
    const socket = connect(peer.address);
    await socket.opened;
    const writer = socket.writable.getWriter();
    void writer.write(new Uint8Array(8 * MiB)).catch(() => {});
    const conn = await peer.accepted();
    await socket.close();
    await conn.ended;
    conn.socket.end();
    expect(await conn.closed).toBeUndefined();
    expect(conn.received).toBe(8 * MiB);
  }, 20_000);

  test("close() with the peer's bytes left unread still delivers everything, then FIN (no reset)", async () => {
    // The peer sends 1 MiB nobody reads here and reads nothing itself for 300 ms: closing
    // with those bytes unread in the kernel would be a RST, which drops what the peer has
    // not read yet (Bun's end() did that).
    const peer = server({
      onOpen: (conn) => {
        conn.socket.write(new Uint8Array(1 << 20));
        conn.socket.pause();
        setTimeout(() => conn.socket.resume(), 300);
      },
      onEnd: (conn) => conn.socket.end(), // our FIN read: it closes too
    });
    const socket = connect(peer.address);
    await socket.opened;
    const writer = socket.writable.getWriter();
    await writer.write(new Uint8Array(4 << 20));
    writer.releaseLock();
    await socket.close();
    const conn = await peer.accepted();
    const error = await conn.closed;
    expect(error).toBeUndefined();
    expect(conn.received).toBe(4 << 20);
  });

  test("close(reason) aborts: the peer sees a reset", async () => {
    const peer = server();
    const socket = connect(peer.address);
    await socket.opened;
    const conn = await peer.accepted();
    await socket.close(new Error("stop"));
    const error = await conn.closed;
    expect((error as { code?: string } | undefined)?.code).toBe("ECONNRESET");
  });

  test("a reset by the peer errors the readable and rejects closed with ECONNRESET", async () => {
    const peer = server({ onData: (conn) => conn.socket.terminate() });
    const socket = connect(peer.address);
    const writer = socket.writable.getWriter();
    await writer.write(encoder.encode("boom"));
    const reader = socket.readable.getReader();
    const error = await rejection(readUntil(reader, "never"));
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).code).toBe("ECONNRESET");
    expect(await rejection(socket.closed)).toBe(error);
  });
});
