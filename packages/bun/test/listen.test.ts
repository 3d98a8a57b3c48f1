/**
 * `listen()` over native `Bun.listen`, plain TCP, on real loopback sockets. Clients: real
 * Node in a child process (independent of Bun), raw `Bun.connect`, and our own connect().
 */
import { describe, expect, test } from "bun:test";
import { connect, listen, SocketError } from "../src/index.js";
import { readAll, rejection } from "./_helpers.js";
import { accept, echo, nodeClients, portOf, rawClient, tracked, until, within } from "./_listen-helpers.js";

describe("listen() on Bun", () => {
  test("port 0: opened reports the port the system picked, on IPv4 and IPv6", async () => {
    const v4 = tracked(listen("127.0.0.1:0"));
    const v6 = tracked(listen("[::1]:0"));
    const { localAddress } = await v4.opened;
    expect(localAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(portOf(localAddress)).toBeGreaterThan(0);
    expect((await v6.opened).localAddress).toMatch(/^\[::1\]:\d+$/);
    const client = await rawClient(portOf((await v6.opened).localAddress), "::1");
    const socket = await accept(v6);
    expect((await socket.opened).remoteAddress).toBe(`[::1]:${client.socket.localPort}`);
  });

  test("a real Node client gets its bytes echoed; the accepted socket knows both addresses", async () => {
    const server = tracked(listen("127.0.0.1:0", { allowHalfOpen: true }));
    const { localAddress } = await server.opened;
    const clients = nodeClients({ port: portOf(localAddress), mode: "plain", send: "hello from node\n" });
    const socket = await accept(server);
    const info = await socket.opened;
    expect(info.localAddress).toBe(localAddress);
    expect(info.alpn).toBeNull();
    const echoed = echo(socket);
    const [outcome] = await clients;
    await echoed;
    expect(outcome).toEqual({ received: "hello from node\n", alpn: null, localPort: outcome!.localPort, error: null });
    expect(info.remoteAddress).toBe(`127.0.0.1:${outcome!.localPort}`);
    expect(server.stats).toEqual({ accepted: 1, dropped: 0, failed: 0 });
  });

  test("our own connect() and a server echo, with half-close both ways", async () => {
    const server = tracked(listen("127.0.0.1:0", { allowHalfOpen: true }));
    const client = tracked(connect((await server.opened).localAddress));
    const socket = await accept(server);
    const echoed = echo(socket);
    const writer = client.writable.getWriter();
    await writer.write("ping");
    await writer.close(); // FIN: the echo ends and sends ours
    const { bytes } = await readAll(client.readable);
    expect(new TextDecoder().decode(bytes)).toBe("ping");
    await echoed;
  });

  test("many concurrent Node clients are each echoed their own bytes", async () => {
    const server = tracked(listen("127.0.0.1:0", { allowHalfOpen: true, highWaterMark: 64 }));
    const port = portOf((await server.opened).localAddress);
    const clients = nodeClients({ port, mode: "plain", count: 40, send: "x".repeat(100_000) });
    const handled: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) handled.push(echo(await accept(server)));
    const outcomes = await clients;
    await Promise.all(handled);
    expect(outcomes.filter((o) => o.error === null && o.received === "x".repeat(100_000))).toHaveLength(40);
    expect(server.stats.accepted).toBe(40);
  });

  test("a busy port rejects opened and closed with EADDRINUSE (no unhandled rejection)", async () => {
    const first = tracked(listen("127.0.0.1:0"));
    const taken = (await first.opened).localAddress;
    const second = listen(taken);
    const opened = await rejection(second.opened);
    const closed = await rejection(second.closed);
    expect(opened).toBeInstanceOf(SocketError);
    expect((opened as SocketError).code).toBe("EADDRINUSE");
    expect(closed).toBe(opened);
  });

  test("a name is reported as the address it is bound to (localhost: an IP literal, as on Node and Deno)", async () => {
    const server = tracked(listen("localhost:0"));
    const { localAddress } = await server.opened;
    expect(localAddress).toMatch(/^(127\.0\.0\.1|\[::1\]):[1-9]\d*$/);
    // The address reported is the one that accepts.
    const client = tracked(connect(localAddress));
    const socket = await accept(server);
    expect((await socket.opened).localAddress).toBe(localAddress);
    expect((await client.opened).remoteAddress).toBe(localAddress);
  });

  test("a name that does not resolve rejects opened and closed with ENOTFOUND, Bun's error as cause", async () => {
    const server = listen("nonexistent.invalid:0");
    const opened = await rejection(server.opened);
    expect(opened).toBeInstanceOf(SocketError);
    expect((opened as SocketError).code).toBe("ENOTFOUND");
    expect((opened as Error).message).toContain("nonexistent.invalid");
    expect((opened as Error).cause).toBeInstanceOf(Error);
    expect(await rejection(server.closed)).toBe(opened);
  });

  test("backlog is refused synchronously (Bun.listen has none); ipv6Only and reusePort are Bun's own", async () => {
    let thrown: unknown;
    try {
      listen("127.0.0.1:0", { backlog: 16 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SocketError);
    expect((thrown as SocketError).code).toBe("EINVAL");
    expect((thrown as Error).message).toContain("backlog 16");

    const v6only = tracked(listen("[::]:0", { ipv6Only: true }));
    const port = portOf((await v6only.opened).localAddress);
    const refused = await rejection(Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } }));
    expect((refused as { code?: string }).code).toBe("ECONNREFUSED");
    await rawClient(port, "::1");
    expect((await (await accept(v6only)).opened).remoteAddress).toStartWith("[::1]:");

    const a = tracked(listen("127.0.0.1:0", { reusePort: true }));
    const shared = (await a.opened).localAddress;
    const b = tracked(listen(shared, { reusePort: true }));
    expect((await b.opened).localAddress).toBe(shared);
  });

  test("an unclaimed connection is not read: the client's writes stall until a reader claims it", async () => {
    const server = tracked(listen("127.0.0.1:0"));
    const client = await rawClient(portOf((await server.opened).localAddress));
    const chunk = new Uint8Array(1 << 20).fill(7);
    let sent = 0;
    // Bun's write accepts part of the data and keeps nothing: push until the kernel buffers
    // are full (200 ms without progress). A server that read into memory would take it all.
    for (let idle = 0; idle < 20 && sent < 256 << 20;) {
      const n = client.socket.write(chunk);
      if (n > 0) {
        sent += n;
        idle = 0;
      } else {
        idle++;
        await Bun.sleep(10);
      }
    }
    // At most both kernel buffers (tcp_rmem + tcp_wmem maxima: 32 + 4 MiB by default).
    expect(sent).toBeLessThan(64 << 20);
    const socket = await accept(server);
    const reader = socket.readable.getReader();
    let got = 0;
    while (got < sent) {
      const { value, done } = await within(reader.read(), 5_000, "reading what was sent");
      if (done) break;
      got += value.byteLength;
    }
    expect(got).toBe(sent);
  });

  test("beyond highWaterMark unclaimed connections are closed at once and counted in stats.dropped", async () => {
    const server = tracked(listen("127.0.0.1:0", { highWaterMark: 2 }));
    const port = portOf((await server.opened).localAddress);
    const clients = [];
    for (let i = 0; i < 5; i++) {
      clients.push(await rawClient(port));
      clients[i]!.socket.write(`client ${i}\n`);
    }
    await until(() => server.stats.dropped === 3, 5_000, "3 dropped connections");
    // The dropped ones were closed by the server; the queued ones are still open.
    for (const dropped of clients.slice(2)) await within(dropped.ended, 2_000, "the dropped client's close");
    const first = await accept(server);
    const reader = first.readable.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("client 0\n");
    await accept(server);
    expect(server.stats).toEqual({ accepted: 2, dropped: 3, failed: 0 });
  });

  test("close() stops accepting, closes queued unclaimed sockets and keeps handed-out ones", async () => {
    const server = tracked(listen("127.0.0.1:0", { allowHalfOpen: true }));
    const port = portOf((await server.opened).localAddress);
    const kept = await rawClient(port);
    const socket = await accept(server);
    const queued = await rawClient(port);
    await until(() => queued.socket.localPort !== undefined, 1_000, "the second connection");
    await Bun.sleep(20);
    await server.close();
    await within(queued.closed, 2_000, "the queued connection's close");
    const refused = await rejection(Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } }));
    expect((refused as { code?: string }).code).toBe("ECONNREFUSED");
    // The handed-out socket still works both ways.
    const echoed = echo(socket);
    kept.socket.write("still here");
    kept.socket.shutdown();
    await within(kept.ended, 2_000, "the echo's FIN");
    await echoed;
    expect(kept.received()).toBe("still here");
  });

  test("a connection reset while it waited unclaimed: opened resolves, then the reader sees ECONNRESET", async () => {
    const server = tracked(listen("127.0.0.1:0"));
    const client = await rawClient(portOf((await server.opened).localAddress));
    client.socket.write("bytes before the reset");
    await Bun.sleep(30);
    client.socket.terminate(); // RST
    await Bun.sleep(50);
    const socket = await accept(server);
    await socket.opened;
    const error = await within(rejection(readAll(socket.readable)), 2_000, "the reset");
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).code).toBe("ECONNRESET");
    expect((await rejection(socket.closed)) as SocketError).toBe(error as SocketError);
  });

  test("a client's FIN while unclaimed waits behind its bytes; the server can still answer (allowHalfOpen)", async () => {
    const server = tracked(listen("127.0.0.1:0", { allowHalfOpen: true }));
    const client = await rawClient(portOf((await server.opened).localAddress));
    client.socket.write("question");
    client.socket.shutdown();
    await Bun.sleep(50);
    const socket = await accept(server);
    const { bytes } = await readAll(socket.readable);
    expect(new TextDecoder().decode(bytes)).toBe("question");
    const writer = socket.writable.getWriter();
    await writer.write("answer");
    await writer.close();
    await within(client.ended, 2_000, "the server's FIN");
    expect(client.received()).toBe("answer");
  });

  test("the signal closes the listener", async () => {
    const controller = new AbortController();
    const server = tracked(listen("127.0.0.1:0", { signal: controller.signal }));
    const port = portOf((await server.opened).localAddress);
    controller.abort(new Error("shutting down"));
    expect(((await rejection(server.closed)) as SocketError).code).toBe("EABORTED");
    const refused = await rejection(Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } }));
    expect((refused as { code?: string }).code).toBe("ECONNREFUSED");
  });
});
