/**
 * `udp()` on Deno (run with `--unstable-net`), against raw `Deno.listenDatagram` peers
 * (Deno's API, not ours, so a bug shared by both sides of ours cannot pass).
 */
import { SocketError, udp, type UDPSocket } from "../src/index.js";
import { equal, ok, rejection, within } from "./_assert.js";

interface Peer {
  conn: Deno.DatagramConn;
  port: number;
  got: { data: Uint8Array; port: number }[];
  done: Promise<void>;
}

/** A raw peer: records what it receives, echoes it when asked; `close()` it at the end. */
function peer(echo = false): Peer {
  const conn = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const got: Peer["got"] = [];
  const done = (async () => {
    try {
      for (;;) {
        const [data, from] = await conn.receive(new Uint8Array(65_535));
        const { hostname, port } = from as Deno.NetAddr;
        got.push({ data, port });
        if (echo) await conn.send(data, { transport: "udp", hostname, port });
      }
    } catch {
      // closed
    }
  })();
  return { conn, port: (conn.addr as Deno.NetAddr).port, got, done };
}

async function closePeer(p: Peer): Promise<void> {
  p.conn.close();
  await p.done;
}

const send = (p: Peer, data: Uint8Array | string, port: number): Promise<number> =>
  p.conn.send(typeof data === "string" ? new TextEncoder().encode(data) : data, { transport: "udp", hostname: "127.0.0.1", port });

async function write(socket: UDPSocket, chunk: unknown): Promise<void> {
  const writer = socket.writable.getWriter();
  try {
    await writer.write(chunk as never);
  } finally {
    writer.releaseLock();
  }
}

async function until(check: () => boolean, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: timed out`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const text = (data: Uint8Array): string => new TextDecoder().decode(data);
const pattern = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);

Deno.test("connected mode: talks to its one peer and drops datagrams from anyone else", async () => {
  const echo = peer(true);
  const stranger = peer();
  const socket = udp({ remoteAddress: "127.0.0.1", remotePort: echo.port });
  try {
    const info = await socket.opened;
    equal(info.remoteAddress, "127.0.0.1", "remoteAddress");
    equal(info.remotePort, echo.port, "remotePort");
    equal(info.localAddress, "127.0.0.1", "bound on loopback for a loopback peer");
    await send(stranger, "not for you", info.localPort);
    await write(socket, new TextEncoder().encode("hello world"));
    const { value } = await within(socket.readable.getReader().read(), 2000, "echo");
    equal(text(value!.data), "hello world", "only the peer's datagram is read");
    equal(value!.remotePort, echo.port, "from the peer");
    const error = await rejection(write(socket, { data: new Uint8Array(1), remoteAddress: "127.0.0.1", remotePort: 9 }), "naming a peer");
    equal((error as SocketError).code, "EINVAL", "a write naming a peer in connected mode");
  } finally {
    await socket.close();
    await closePeer(echo);
    await closePeer(stranger);
  }
});

Deno.test("bound mode: many peers, replies by name; nothing is received until a read asks; no truncation up to 65 507 bytes", async () => {
  const server = udp({ localAddress: "127.0.0.1", localPort: 0 });
  const peers = [peer(), peer(), peer()];
  try {
    const { localPort } = await server.opened;
    for (const [i, p] of peers.entries()) await send(p, i === 2 ? pattern(65_507) : `from ${i}`, localPort);
    await new Promise((resolve) => setTimeout(resolve, 50));
    equal(server.stats.received, 0, "nothing pulled before a read");
    const reader = server.readable.getReader();
    for (let i = 0; i < 3; i++) {
      const { value } = await within(reader.read(), 2000, `datagram ${i}`);
      const from = peers.findIndex((p) => p.port === value!.remotePort);
      ok(from >= 0, "the sender is one of the peers");
      if (from === 2) equal(value!.data, pattern(65_507), "65 507 bytes, whole");
      else equal(text(value!.data), `from ${from}`, "datagram from its sender");
      await write(server, {
        data: value!.data.subarray(0, 8),
        remoteAddress: from === 0 ? "localhost" : "127.0.0.1",
        remotePort: value!.remotePort,
      });
    }
    await until(() => peers.every((p) => p.got.length === 1), "replies");
    equal(server.stats.received, 3, "received");
  } finally {
    await server.close();
    for (const p of peers) await closePeer(p);
  }
});

Deno.test("an oversized datagram rejects that write with EMSGSIZE; the socket still receives and sends", async () => {
  const server = udp({ localAddress: "127.0.0.1", localPort: 0 });
  const other = peer();
  try {
    const { localPort } = await server.opened;
    const first = server.writable;
    const error = await rejection(
      write(server, { data: new Uint8Array(65_508), remoteAddress: "127.0.0.1", remotePort: other.port }),
      "oversized",
    );
    ok(error instanceof SocketError, "a SocketError");
    equal((error as SocketError).code, "EMSGSIZE", "code");
    ok(server.writable !== first, "a fresh writable");
    await send(other, "after", localPort);
    equal(text((await within(server.readable.getReader().read(), 2000, "read")).value!.data), "after", "still receives");
    await write(server, { data: new Uint8Array([1]), remoteAddress: "127.0.0.1", remotePort: other.port });
    await until(() => other.got.length === 1, "still sends");
  } finally {
    await server.close();
    await closePeer(other);
  }
});

Deno.test("close() with a read pending ends it and frees the port", async () => {
  const socket = udp({ localAddress: "127.0.0.1", localPort: 0 });
  const { localPort } = await socket.opened;
  const read = socket.readable.getReader().read();
  await socket.close();
  equal((await within(read, 1000, "pending read")).done, true, "done");
  const again = udp({ localAddress: "127.0.0.1", localPort });
  equal((await again.opened).localPort, localPort, "rebound");
  await again.close();
});

Deno.test("options Deno has no equivalent for are a synchronous SocketError EINVAL; reuseAddress is Deno's own", async () => {
  for (const [name, options] of [
    ["ipv6Only", { localAddress: "::", ipv6Only: true }],
    ["receiveBufferSize", { localAddress: "127.0.0.1", receiveBufferSize: 4096 }],
    ["sendBufferSize", { localAddress: "127.0.0.1", sendBufferSize: 4096 }],
  ] as const) {
    let thrown: unknown;
    try {
      udp(options);
    } catch (error) {
      thrown = error;
    }
    ok(
      thrown instanceof SocketError && thrown.code === "EINVAL" && thrown.message.includes(`Invalid option ${name}`),
      `${name}: ${String(thrown)}`,
    );
  }
  const a = udp({ localAddress: "127.0.0.1", localPort: 0, reuseAddress: true });
  const { localPort } = await a.opened;
  const b = udp({ localAddress: "127.0.0.1", localPort, reuseAddress: true });
  equal((await b.opened).localPort, localPort, "shared with reuseAddress");
  await Promise.all([a.close(), b.close()]);
  const c = udp({ localAddress: "127.0.0.1", localPort: 0 });
  const taken = udp({ localAddress: "127.0.0.1", localPort: (await c.opened).localPort });
  equal(((await rejection(taken.opened, "taken")) as SocketError).code, "EADDRINUSE", "EADDRINUSE");
  await c.close();
});

Deno.test("without --unstable-net (Deno.listenDatagram missing) udp() throws a SocketError naming the flag", () => {
  const saved = Object.getOwnPropertyDescriptor(Deno, "listenDatagram")!;
  delete (Deno as { listenDatagram?: unknown }).listenDatagram;
  try {
    let thrown: unknown;
    try {
      udp({ localAddress: "127.0.0.1" });
    } catch (error) {
      thrown = error;
    }
    ok(thrown instanceof SocketError && thrown.message.includes("--unstable-net"), String(thrown));
  } finally {
    Object.defineProperty(Deno, "listenDatagram", saved);
  }
});

Deno.test("a hostname that does not resolve rejects that write with ENOTFOUND", async () => {
  const server = udp({ localAddress: "127.0.0.1", localPort: 0 });
  try {
    await server.opened;
    const error = await rejection(
      write(server, { data: new Uint8Array(1), remoteAddress: "no-such-host.invalid", remotePort: 9 }),
      "unresolvable",
    );
    equal((error as SocketError).code, "ENOTFOUND", "code");
  } finally {
    await server.close();
  }
});
