/**
 * `udp()` on Node over real loopback sockets, with independent `node:dgram` peers.
 */
import * as dgram from "node:dgram";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { SocketError, udp, type UDPSocket } from "../src/index.js";

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await Promise.resolve(s.close()).catch(() => {});
});

function track(socket: UDPSocket): UDPSocket {
  opened.push(socket);
  return socket;
}

/** An independent dgram peer; `echo` replies with what it got. */
async function peer(
  options: { echo?: boolean; type?: "udp4" | "udp6"; address?: string } = {},
): Promise<{ socket: dgram.Socket; port: number; got: { data: Buffer; port: number }[] }> {
  const socket = dgram.createSocket(options.type ?? "udp4");
  const got: { data: Buffer; port: number }[] = [];
  socket.on("message", (data, from) => {
    got.push({ data, port: from.port });
    if (options.echo === true) socket.send(data, from.port, from.address);
  });
  socket.bind(0, options.address ?? "127.0.0.1");
  await once(socket, "listening");
  opened.push({ close: () => new Promise<void>((resolve) => socket.close(() => resolve())) });
  return { socket, port: socket.address().port, got };
}

const sendFrom = (socket: dgram.Socket, data: Uint8Array | string, port: number, address = "127.0.0.1"): Promise<void> =>
  new Promise((resolve, reject) => socket.send(data, port, address, (error) => (error ? reject(error) : resolve())));

const until = async (check: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** One write through a writer taken for it and released after (the stream may be a fresh one after a failure). */
async function write(socket: UDPSocket, chunk: Parameters<WritableStreamDefaultWriter<unknown>["write"]>[0]): Promise<void> {
  const writer = socket.writable.getWriter();
  try {
    await writer.write(chunk as never);
  } finally {
    writer.releaseLock();
  }
}

const pattern = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);

describe("udp() on Node: connected mode", () => {
  it("writes to its peer, reads its replies, and reports both addresses", async () => {
    const echo = await peer({ echo: true });
    const socket = track(udp({ remoteAddress: "127.0.0.1", remotePort: echo.port }));
    const info = await socket.opened;
    expect(info).toEqual({ localAddress: "127.0.0.1", localPort: expect.any(Number), remoteAddress: "127.0.0.1", remotePort: echo.port });
    const writer = socket.writable.getWriter();
    await writer.write(new TextEncoder().encode("bare"));
    await writer.write({ data: new TextEncoder().encode("message") });
    const reader = socket.readable.getReader();
    const replies = [(await reader.read()).value!, (await reader.read()).value!];
    expect(replies.map((m) => [new TextDecoder().decode(m.data), m.remoteAddress, m.remotePort])).toEqual([
      ["bare", "127.0.0.1", echo.port],
      ["message", "127.0.0.1", echo.port],
    ]);
    expect(echo.got.every((g) => g.port === info.localPort)).toBe(true);
  });

  it("an ICMP port unreachable rejects the next write with ECONNREFUSED, once; the socket goes on", async () => {
    const closed = await peer();
    const port = closed.port;
    await new Promise<void>((resolve) => closed.socket.close(() => resolve()));
    const socket = track(udp({ remoteAddress: "127.0.0.1", remotePort: port }));
    await socket.opened;
    const pending = socket.readable.getReader().read();
    await write(socket, new Uint8Array([1]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const error = await write(socket, new Uint8Array([2])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).code).toBe("ECONNREFUSED");
    // Once: the next write goes out (and is refused again later, by the next ICMP).
    await write(socket, new Uint8Array([3]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const settled = await Promise.race([
      pending.then(
        () => "settled",
        () => "settled",
      ),
      new Promise((r) => setTimeout(() => r("pending"), 20)),
    ]);
    expect(settled).toBe("pending");
    await socket.close();
    expect((await pending).done).toBe(true);
  });
});

describe("udp() on Node: bound mode", () => {
  it("reads from many peers, says who sent each, and replies to each by name", async () => {
    const server = track(udp({ localAddress: "127.0.0.1", localPort: 0 }));
    const { localPort } = await server.opened;
    const clients = await Promise.all([peer(), peer(), peer()]);
    for (const [i, c] of clients.entries()) await sendFrom(c.socket, `from ${i}`, localPort);
    const reader = server.readable.getReader();
    const writer = server.writable.getWriter();
    const seen = new Map<number, string>();
    for (let i = 0; i < 3; i++) {
      const { value } = await reader.read();
      seen.set(value!.remotePort, new TextDecoder().decode(value!.data));
      await writer.write({ data: value!.data, remoteAddress: value!.remoteAddress, remotePort: value!.remotePort });
    }
    expect([...seen.entries()].sort()).toEqual(clients.map((c, i) => [c.port, `from ${i}`]).sort());
    await until(() => clients.every((c) => c.got.length === 1));
    expect(clients.map((c) => c.got[0]!.data.toString())).toEqual(["from 0", "from 1", "from 2"]);
  });

  it("keeps message boundaries from 1 byte to 65 507 bytes, never truncated", async () => {
    const server = track(udp({ localAddress: "127.0.0.1", localPort: 0, receiveBufferSize: 1 << 20 }));
    const { localPort } = await server.opened;
    const client = track(udp({ remoteAddress: "127.0.0.1", remotePort: localPort }));
    await client.opened;
    const sizes = [1, 2, 1400, 9000, 65507];
    const writer = client.writable.getWriter();
    for (const n of sizes) await writer.write(pattern(n));
    const reader = server.readable.getReader();
    for (const n of sizes) {
      const { value } = await reader.read();
      expect(value!.data.byteLength).toBe(n);
      expect(value!.data).toEqual(pattern(n));
    }
  });

  it("an oversized datagram rejects that write with EMSGSIZE; the socket still receives and sends", async () => {
    const server = track(udp({ localAddress: "127.0.0.1", localPort: 0 }));
    const { localPort } = await server.opened;
    const echo = await peer({ echo: true });
    const first = server.writable;
    const error = await first
      .getWriter()
      .write({ data: new Uint8Array(65508), remoteAddress: "127.0.0.1", remotePort: echo.port })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).code).toBe("EMSGSIZE");
    expect(server.writable).not.toBe(first);
    const client = await peer();
    await sendFrom(client.socket, "still here", localPort);
    const reader = server.readable.getReader();
    expect(new TextDecoder().decode((await reader.read()).value!.data)).toBe("still here");
    await server.writable.getWriter().write({ data: new TextEncoder().encode("ping"), remoteAddress: "127.0.0.1", remotePort: echo.port });
    expect(new TextDecoder().decode((await reader.read()).value!.data)).toBe("ping");
  });

  it("drops and counts what overflows highWaterMark while nobody reads", async () => {
    const server = track(udp({ localAddress: "127.0.0.1", localPort: 0, highWaterMark: 4 }));
    const { localPort } = await server.opened;
    const flood = await peer();
    for (let i = 0; i < 100; i++) await sendFrom(flood.socket, new Uint8Array([i]), localPort);
    await until(() => server.stats.dropped + 4 >= 100);
    expect(server.stats).toEqual({ received: 0, dropped: 96 });
    const reader = server.readable.getReader();
    const first = [];
    for (let i = 0; i < 4; i++) first.push((await reader.read()).value!.data[0]);
    expect(first).toEqual([0, 1, 2, 3]);
    expect(server.stats).toEqual({ received: 4, dropped: 96 });
  });

  it("resolves hostnames in writes; one that does not resolve rejects that write with ENOTFOUND", async () => {
    const server = track(udp({ localAddress: "127.0.0.1", localPort: 0 }));
    await server.opened;
    const echo = await peer();
    await write(server, { data: new Uint8Array([7]), remoteAddress: "localhost", remotePort: echo.port });
    await until(() => echo.got.length === 1);
    const error = await write(server, { data: new Uint8Array([8]), remoteAddress: "no-such-host.invalid", remotePort: echo.port }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "ENOTFOUND" });
  });

  it("a dual-stack [::] socket reaches IPv4 peers; ipv6Only keeps them out", async () => {
    const dual = track(udp({ localAddress: "::", localPort: 0 }));
    const { localPort } = await dual.opened;
    const echo = await peer({ echo: true });
    await dual.writable.getWriter().write({ data: new Uint8Array([1]), remoteAddress: "127.0.0.1", remotePort: echo.port });
    const reply = (await dual.readable.getReader().read()).value!;
    expect([reply.remoteAddress, reply.remotePort]).toEqual(["::ffff:127.0.0.1", echo.port]);
    const only6 = track(udp({ localAddress: "::", localPort: 0, ipv6Only: true }));
    const v6 = await only6.opened;
    const client = await peer();
    await sendFrom(client.socket, "v4", v6.localPort);
    const read = only6.readable.getReader().read();
    const winner = await Promise.race([read.then(() => "received"), new Promise((r) => setTimeout(() => r("nothing"), 150))]);
    expect(winner).toBe("nothing");
    expect(localPort).toBeGreaterThan(0);
  });

  it("EADDRINUSE for a taken port; reuseAddress lets two sockets share it", async () => {
    const first = track(udp({ localAddress: "127.0.0.1", localPort: 0 }));
    const { localPort } = await first.opened;
    const second = track(udp({ localAddress: "127.0.0.1", localPort }));
    await expect(second.opened).rejects.toMatchObject({ code: "EADDRINUSE" });
    await expect(second.closed).rejects.toMatchObject({ code: "EADDRINUSE" });
    const a = track(udp({ localAddress: "127.0.0.1", localPort: 0, reuseAddress: true }));
    const shared = (await a.opened).localPort;
    const b = track(udp({ localAddress: "127.0.0.1", localPort: shared, reuseAddress: true }));
    expect((await b.opened).localPort).toBe(shared);
  });
});

describe("udp() on Node: closing", () => {
  it("close() with a read pending ends it, and releases the port at once", async () => {
    const socket = udp({ localAddress: "127.0.0.1", localPort: 0 });
    const { localPort } = await socket.opened;
    const read = socket.readable.getReader().read();
    await socket.close();
    expect(await read).toEqual({ done: true, value: undefined });
    const again = track(udp({ localAddress: "127.0.0.1", localPort }));
    expect((await again.opened).localPort).toBe(localPort);
  });

  it("the signal aborts the socket: closed rejects with EABORTED", async () => {
    const controller = new AbortController();
    const socket = udp({ localAddress: "127.0.0.1", localPort: 0, signal: controller.signal });
    const { localPort } = await socket.opened;
    controller.abort();
    await expect(socket.closed).rejects.toMatchObject({ code: "EABORTED" });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const again = track(udp({ localAddress: "127.0.0.1", localPort }));
    expect((await again.opened).localPort).toBe(localPort);
  });
});
