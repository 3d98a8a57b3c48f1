/**
 * `listen()` on Node over real loopback sockets, with independent `node:net` clients.
 */
import { once } from "node:events";
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { connect, listen, SocketError } from "../src/index.js";
import { clientRead, nextSocket, outcome, portOf, readText, Tracked } from "./_listen-harness.js";
import { until } from "./_harness.js";

const t = new Tracked();

/** Node ≥ 22.12 (22.x) or ≥ 23.1 has `reusePort` in `server.listen()`. */
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
const hasReusePort = major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);

describe("listen() on Node: binding", () => {
  it("listens on port 0 and reports the real port in opened", async () => {
    const server = t.listener(listen("127.0.0.1:0"));
    const { localAddress } = await server.opened;
    expect(localAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    const port = portOf(localAddress);
    expect(port).toBeGreaterThan(0);
    const client = await t.dial(port);
    const socket = t.socket(await nextSocket(server));
    const info = await socket.opened;
    expect(info).toEqual({ remoteAddress: `127.0.0.1:${client.localPort}`, localAddress, alpn: null });
  });

  it("listens on [::1] with the address in brackets", async () => {
    const server = t.listener(listen({ hostname: "::1", port: 0 }));
    const { localAddress } = await server.opened;
    expect(localAddress).toMatch(/^\[::1\]:\d+$/);
    const client = await t.dial(portOf(localAddress), "::1");
    const info = await t.socket(await nextSocket(server)).opened;
    expect(info.remoteAddress).toBe(`[::1]:${client.localPort}`);
  });

  it("accepts IPv6 only with ipv6Only on [::]", async () => {
    const server = t.listener(listen("[::]:0", { ipv6Only: true }));
    const port = portOf((await server.opened).localAddress);
    const refused = await outcome(t.client(net.connect({ host: "127.0.0.1", port })));
    expect(refused.error?.code).toBe("ECONNREFUSED");
    await t.dial(port, "::1");
    expect((await t.socket(await nextSocket(server)).opened).remoteAddress).toMatch(/^\[::1\]:/);
  });

  it("rejects opened and closed with EADDRINUSE for a busy port", async () => {
    const busy = net.createServer();
    busy.listen(0, "127.0.0.1");
    await once(busy, "listening");
    try {
      const port = (busy.address() as net.AddressInfo).port;
      const server = listen(`127.0.0.1:${port}`);
      const opened = await server.opened.then(
        () => null,
        (error: unknown) => error,
      );
      expect(opened).toBeInstanceOf(SocketError);
      expect(opened).toMatchObject({ code: "EADDRINUSE" });
      await expect(server.closed).rejects.toBe(opened);
    } finally {
      busy.close();
    }
  });

  it.runIf(!hasReusePort)(`throws EINVAL for reusePort on Node ${process.versions.node}, which has none`, () => {
    let thrown: unknown;
    try {
      listen("127.0.0.1:0", { reusePort: true });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SocketError);
    expect(thrown).toMatchObject({ code: "EINVAL" });
    expect((thrown as Error).message).toContain("reusePort");
    expect((thrown as Error).message).toContain(process.versions.node);
  });

  it.runIf(hasReusePort)("binds two listeners to one port with reusePort", async () => {
    const first = t.listener(listen("127.0.0.1:0", { reusePort: true }));
    const { localAddress } = await first.opened;
    const second = t.listener(listen(localAddress, { reusePort: true }));
    expect((await second.opened).localAddress).toBe(localAddress);
  });

  it("releases the port on close(): the same port can be bound again at once", async () => {
    const first = listen("127.0.0.1:0");
    const { localAddress } = await first.opened;
    await first.close();
    const again = t.listener(listen(localAddress));
    expect((await again.opened).localAddress).toBe(localAddress);
  });

  it("closes on its signal with EABORTED", async () => {
    const controller = new AbortController();
    const server = listen("127.0.0.1:0", { signal: controller.signal });
    const { localAddress } = await server.opened;
    controller.abort(new Error("stop"));
    await expect(server.closed).rejects.toMatchObject({ code: "EABORTED" });
    const refused = await outcome(t.client(net.connect({ host: "127.0.0.1", port: portOf(localAddress) })));
    expect(refused.error?.code).toBe("ECONNREFUSED");
  });
});

describe("listen() on Node: accepted sockets", () => {
  it("echoes with a node:net client, half-close both ways", async () => {
    const server = t.listener(listen("127.0.0.1:0", { allowHalfOpen: true }));
    const client = await t.dial(portOf((await server.opened).localAddress));
    const result = outcome(client);
    client.end("hello over loopback");
    const socket = t.socket(await nextSocket(server));
    expect(await readText(socket, 100)).toBe("hello over loopback"); // read to the client's FIN
    const writer = socket.writable.getWriter();
    await writer.write("echo: hello over loopback");
    await writer.close();
    await socket.closed;
    expect(await result).toEqual({ error: null, ended: true, data: "echo: hello over loopback" });
  });

  it("serves many concurrent clients, each its own socket", async () => {
    const server = t.listener(listen("127.0.0.1:0", { highWaterMark: 64 }));
    const port = portOf((await server.opened).localAddress);
    const count = 40;
    void (async () => {
      for await (const socket of server) {
        t.socket(socket);
        void socket.readable.pipeTo(socket.writable).catch(() => {});
      }
    })();
    const replies = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const client = await t.dial(port);
        const message = `client ${i} `.repeat(50);
        client.write(message);
        const reply = await clientRead(client, message.length);
        client.destroy();
        return reply === message;
      }),
    );
    expect(replies.every(Boolean)).toBe(true);
    expect(server.stats.accepted).toBe(count);
  });

  it("keeps the bytes a client sent before its socket was claimed", async () => {
    const server = t.listener(listen("127.0.0.1:0"));
    const client = await t.dial(portOf((await server.opened).localAddress));
    client.write("x".repeat(1024));
    await until(() => server.stats.accepted === 0 && client.writableLength === 0, "the write");
    const socket = t.socket(await nextSocket(server));
    expect(await readText(socket, 1024)).toBe("x".repeat(1024));
  });

  it("reports a reset that happened while the socket waited unclaimed, with the addresses read at accept", async () => {
    const server = t.listener(listen("127.0.0.1:0"));
    const address = (await server.opened).localAddress;
    const client = await t.dial(portOf(address));
    const clientAddress = `${client.localAddress}:${client.localPort}`;
    client.write("partial");
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.resetAndDestroy();
    await once(client, "close");
    const socket = t.socket(await nextSocket(server));
    // After the reset getpeername() fails (ENOTCONN): only a read made at accept has them.
    expect(await socket.opened).toEqual({ remoteAddress: clientAddress, localAddress: address, alpn: null });
    const reader = socket.readable.getReader();
    let failure: unknown = null;
    try {
      for (;;) if ((await reader.read()).done) break;
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: "ECONNRESET" });
    await expect(socket.closed).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("sends RST when the socket is closed with a reason", async () => {
    const server = t.listener(listen("127.0.0.1:0"));
    const client = await t.dial(portOf((await server.opened).localAddress));
    const result = outcome(client);
    const socket = await nextSocket(server);
    await socket.opened;
    await socket.close(new Error("go away"));
    expect((await result).error?.code).toBe("ECONNRESET");
  });

  it("can be used with our own connect() too", async () => {
    const server = t.listener(listen("127.0.0.1:0"));
    const client = t.socket(connect((await server.opened).localAddress));
    const writer = client.writable.getWriter();
    await writer.write("ping");
    const socket = t.socket(await nextSocket(server));
    expect(await readText(socket, 4)).toBe("ping");
    await socket.writable.getWriter().write("pong");
    expect(await readText(client, 4)).toBe("pong");
  });
});

describe("listen() on Node: the queue of unclaimed sockets and close()", () => {
  it("closes connections beyond highWaterMark at once and counts them as dropped", async () => {
    const server = t.listener(listen("127.0.0.1:0", { highWaterMark: 2 }));
    const port = portOf((await server.opened).localAddress);
    const queued = [await t.dial(port), await t.dial(port)];
    const queuedResults = queued.map((client) => outcome(client));
    await new Promise((resolve) => setTimeout(resolve, 20)); // both reached the queue
    // Three more: reset at once (maybe before their own 'connect'), with nobody reading the listener.
    const extra = Array.from({ length: 3 }, () => outcome(t.client(net.connect({ host: "127.0.0.1", port }))));
    for (const result of await Promise.all(extra)) expect(result.error?.code).toBe("ECONNRESET");
    expect(server.stats.dropped).toBe(3);
    // The first two wait, open, and work once claimed.
    let settled = false;
    void Promise.race(queuedResults).then(() => (settled = true));
    for (const [i, client] of queued.entries()) {
      client.write(`queued ${i}`);
      const socket = t.socket(await nextSocket(server));
      expect(await readText(socket, 8)).toBe(`queued ${i}`);
    }
    expect(settled).toBe(false);
    expect(server.stats).toEqual({ accepted: 2, dropped: 3, failed: 0 });
  });

  it("close() keeps handed-out sockets open, closes unclaimed ones, and resolves without waiting for them", async () => {
    const server = listen("127.0.0.1:0");
    const port = portOf((await server.opened).localAddress);
    const kept = await t.dial(port);
    const socket = t.socket(await nextSocket(server));
    await socket.opened;
    const unclaimed = await t.dial(port);
    const unclaimedResult = outcome(unclaimed);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the second accept reached the queue
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await unclaimedResult).error?.code).toBe("ECONNRESET");
    // No more connections...
    const refused = await outcome(t.client(net.connect({ host: "127.0.0.1", port })));
    expect(refused.error?.code).toBe("ECONNREFUSED");
    // ...but the handed-out socket still works both ways.
    kept.write("still here");
    expect(await readText(socket, 10)).toBe("still here");
    await socket.writable.getWriter().write("yes");
    expect(await clientRead(kept, 3)).toBe("yes");
  });

  it("ends a for-await loop on close() and is idempotent", async () => {
    const server = listen("127.0.0.1:0");
    await server.opened;
    const loop = (async () => {
      let n = 0;
      for await (const _ of server) n++;
      return n;
    })();
    const closing = server.close();
    expect(server.close()).toBe(closing);
    await closing;
    expect(await loop).toBe(0);
  });
});
