/**
 * `udp()` on Bun over real loopback sockets, with independent raw `Bun.udpSocket` peers.
 * Each test targets one Bun quirk `open-bun-datagram.ts` handles.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { SocketError, udp, type UDPSocket } from "../src/index.js";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0)) await Promise.resolve(close()).catch(() => {});
});

function track(socket: UDPSocket): UDPSocket {
  cleanup.push(() => socket.close());
  return socket;
}

interface Peer {
  socket: Bun.udp.Socket<"uint8array">;
  port: number;
  got: { data: Uint8Array; port: number }[];
}

async function peer(echo = false): Promise<Peer> {
  const got: Peer["got"] = [];
  const socket = await Bun.udpSocket({
    hostname: "127.0.0.1",
    binaryType: "uint8array",
    socket: {
      data(s, data, port, address) {
        got.push({ data, port });
        if (echo) s.send(data, port, address);
      },
      error() {},
    },
  });
  cleanup.push(() => socket.close());
  return { socket, port: socket.port, got };
}

async function write(socket: UDPSocket, chunk: unknown): Promise<void> {
  const writer = socket.writable.getWriter();
  try {
    await writer.write(chunk as never);
  } finally {
    writer.releaseLock();
  }
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await Bun.sleep(5);
  }
}

const pattern = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

describe("udp() on Bun: modes", () => {
  test("connected mode: writes reach the peer, replies come back with its address", async () => {
    const echo = await peer(true);
    const socket = track(udp({ remoteAddress: "127.0.0.1", remotePort: echo.port }));
    const info = await socket.opened;
    expect(info).toEqual({ localAddress: "127.0.0.1", localPort: expect.any(Number), remoteAddress: "127.0.0.1", remotePort: echo.port });
    await write(socket, new TextEncoder().encode("hello world"));
    const { value } = await socket.readable.getReader().read();
    expect([text(value!.data), value!.remoteAddress, value!.remotePort]).toEqual(["hello world", "127.0.0.1", echo.port]);
    expect(value!.data).toBeInstanceOf(Uint8Array);
  });

  test("connected mode to an IPv6 peer binds an IPv6 socket (Bun's default 0.0.0.0 cannot connect to ::1)", async () => {
    const server = track(udp({ localAddress: "::1", localPort: 0 }));
    const { localPort } = await server.opened;
    const client = track(udp({ remoteAddress: "::1", remotePort: localPort }));
    await client.opened;
    await write(client, new Uint8Array([6]));
    const { value } = await server.readable.getReader().read();
    expect([value!.data[0], value!.remoteAddress]).toEqual([6, "::1"]);
  });

  test("bound mode: many peers, replies by name, hostnames resolved (Bun sends to IP literals only)", async () => {
    const server = track(udp({ localAddress: "127.0.0.1", localPort: 0 }));
    const { localPort } = await server.opened;
    const peers = await Promise.all([peer(), peer(), peer()]);
    peers.forEach((p, i) => p.socket.send(`from ${i}`, localPort, "127.0.0.1"));
    const reader = server.readable.getReader();
    for (let i = 0; i < 3; i++) {
      const { value } = await reader.read();
      await write(server, {
        data: value!.data,
        remoteAddress: i === 0 ? "localhost" : value!.remoteAddress,
        remotePort: value!.remotePort,
      });
    }
    await until(() => peers.every((p) => p.got.length === 1));
    expect(peers.map((p) => text(p.got[0]!.data))).toEqual(["from 0", "from 1", "from 2"]);
    const error = await write(server, { data: new Uint8Array(1), remoteAddress: "no-such-host.invalid", remotePort: 9 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).code).toBe("ENOTFOUND");
  });

  test("message boundaries from 1 to 65 507 bytes, nothing truncated", async () => {
    const server = track(udp({ localAddress: "127.0.0.1", localPort: 0 }));
    const { localPort } = await server.opened;
    const client = track(udp({ remoteAddress: "127.0.0.1", remotePort: localPort }));
    await client.opened;
    const sizes = [1, 1400, 65507];
    for (const n of sizes) await write(client, pattern(n));
    const reader = server.readable.getReader();
    for (const n of sizes) expect((await reader.read()).value!.data).toEqual(pattern(n));
  });
});

describe("udp() on Bun: errors", () => {
  test("an oversized send (Bun throws EMSGSIZE synchronously) rejects that write only; the socket still receives", async () => {
    const server = track(udp({ localAddress: "127.0.0.1", localPort: 0 }));
    const { localPort } = await server.opened;
    const other = await peer();
    const error = await write(server, { data: new Uint8Array(65508), remoteAddress: "127.0.0.1", remotePort: other.port }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).code).toBe("EMSGSIZE");
    // Bun re-delivers that EMSGSIZE through its error handler: it must not fail the socket.
    await Bun.sleep(50);
    other.socket.send("after", localPort, "127.0.0.1");
    const { value } = await server.readable.getReader().read();
    expect(text(value!.data)).toBe("after");
    await write(server, { data: new Uint8Array([1]), remoteAddress: "127.0.0.1", remotePort: other.port });
    await until(() => other.got.length === 1);
  });

  test("ICMP port unreachable on a connected socket (oven-sh/bun#18029) rejects the next write with ECONNREFUSED; the socket stays open", async () => {
    const gone = await peer();
    const port = gone.port;
    gone.socket.close();
    const socket = track(udp({ remoteAddress: "127.0.0.1", remotePort: port }));
    await socket.opened;
    const pending = socket.readable.getReader().read();
    await write(socket, new Uint8Array([1]));
    await Bun.sleep(100);
    const error = await write(socket, new Uint8Array([2])).catch((e: unknown) => e);
    expect((error as SocketError).code).toBe("ECONNREFUSED");
    await write(socket, new Uint8Array([3]));
    await socket.close();
    expect((await pending).done).toBe(true);
  });

  test("a bound socket that sent to a closed port is not harmed (Bun reports the ICMP to unconnected sockets too)", async () => {
    const gone = await peer();
    const port = gone.port;
    gone.socket.close();
    const server = track(udp({ localAddress: "127.0.0.1", localPort: 0 }));
    const { localPort } = await server.opened;
    await write(server, { data: new Uint8Array([1]), remoteAddress: "127.0.0.1", remotePort: port });
    await Bun.sleep(100);
    const live = await peer();
    await write(server, { data: new Uint8Array([2]), remoteAddress: "127.0.0.1", remotePort: live.port });
    await until(() => live.got.length === 1);
    live.socket.send("in", localPort, "127.0.0.1");
    expect(text((await server.readable.getReader().read()).value!.data)).toBe("in");
  });

  test.each([
    ["reuseAddress", { reuseAddress: true }],
    ["ipv6Only", { localAddress: "::", ipv6Only: true }],
    ["receiveBufferSize", { receiveBufferSize: 1 << 20 }],
    ["sendBufferSize", { sendBufferSize: 1 << 20 }],
  ])("%s (which Bun ignores) is a synchronous SocketError EINVAL", (name, extra) => {
    let thrown: unknown;
    try {
      udp({ localAddress: "127.0.0.1", ...extra } as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SocketError);
    expect((thrown as SocketError).code).toBe("EINVAL");
    expect((thrown as SocketError).message).toContain(`Invalid option ${name}`);
  });

  test("EADDRINUSE for a taken port rejects opened and closed", async () => {
    const first = track(udp({ localAddress: "127.0.0.1", localPort: 0 }));
    const { localPort } = await first.opened;
    const second = udp({ localAddress: "127.0.0.1", localPort });
    await expect(second.opened).rejects.toMatchObject({ code: "EADDRINUSE" });
    await expect(second.closed).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});

describe("udp() on Bun: queue and close", () => {
  test("drops and counts what overflows highWaterMark while nobody reads", async () => {
    const server = track(udp({ localAddress: "127.0.0.1", localPort: 0, highWaterMark: 4 }));
    const { localPort } = await server.opened;
    const flood = await peer();
    for (let i = 0; i < 100; i++) flood.socket.send(new Uint8Array([i]), localPort, "127.0.0.1");
    await until(() => server.stats.dropped === 96);
    const reader = server.readable.getReader();
    const first: number[] = [];
    for (let i = 0; i < 4; i++) first.push((await reader.read()).value!.data[0]!);
    expect(first).toEqual([0, 1, 2, 3]);
    expect(server.stats).toEqual({ received: 4, dropped: 96 });
  });

  test("close() with a read pending ends it and frees the port", async () => {
    const socket = udp({ localAddress: "127.0.0.1", localPort: 0 });
    const { localPort } = await socket.opened;
    const read = socket.readable.getReader().read();
    await socket.close();
    expect(await read).toEqual({ done: true, value: undefined });
    const again = track(udp({ localAddress: "127.0.0.1", localPort }));
    expect((await again.opened).localPort).toBe(localPort);
  });
});
