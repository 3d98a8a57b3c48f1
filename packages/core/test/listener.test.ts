/**
 * The Listener state machine over a scripted fake ListenerTransport: no sockets, every
 * step under the test's control.
 */
import { describe, expect, it } from "vitest";
import { SocketError } from "../src/index.js";
import { CERT, FakeConnection, harness, KEY, tick } from "./_fake-listener.js";

describe("listen(): validation", () => {
  const { listen } = harness();
  it("accepts port 0 and every address form", () => {
    const h = harness();
    h.listen("127.0.0.1:0");
    h.listen({ hostname: "::1", port: 0 });
    h.listen("[::]:8080");
    expect(h.requests.map((r) => [r.hostname, r.port])).toEqual([
      ["127.0.0.1", 0],
      ["::1", 0],
      ["::", 8080],
    ]);
  });
  it.each([
    ["127.0.0.1:70000", undefined, /port "70000"/],
    ["127.0.0.1:-1", undefined, /port/],
    ["127.0.0.1:0", { secureTransport: "on" }, /tls/],
    ["127.0.0.1:0", { secureTransport: "off", tls: { cert: CERT, key: KEY } }, /TLS is off/],
    ["127.0.0.1:0", { secureTransport: "on", tls: { cert: "nope", key: KEY } }, /tls\.cert "nope"/],
    ["127.0.0.1:0", { secureTransport: "tls" }, /secureTransport "tls"/],
    ["127.0.0.1:0", { backlog: 0 }, /backlog 0/],
    ["127.0.0.1:0", { highWaterMark: -1 }, /highWaterMark -1/],
    ["127.0.0.1:0", { secureTransport: "on", tls: { cert: CERT, key: KEY, requestCert: true } }, /tls\.caCerts/],
  ])("%s %j is a synchronous SocketError EINVAL", (address, options, message) => {
    let thrown: unknown;
    try {
      listen(address, options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SocketError);
    expect((thrown as SocketError).code).toBe("EINVAL");
    expect((thrown as SocketError).message).toMatch(message);
  });
  it("never echoes a private key", () => {
    const badKey = "-----BEGIN NOT A KEY----- top secret";
    expect(() => listen("127.0.0.1:0", { secureTransport: "on", tls: { cert: CERT, key: badKey } })).toThrow(
      /tls\.key \(a string of 36 characters\)/,
    );
    try {
      listen("127.0.0.1:0", { secureTransport: "on", tls: { cert: CERT, key: badKey } });
    } catch (error) {
      expect(String(error)).not.toContain("top secret");
    }
  });
  it("passes the server TLS request for on and starttls", () => {
    const h = harness();
    h.listen("127.0.0.1:0", { secureTransport: "on", tls: { cert: CERT, key: KEY, alpn: ["x"] }, handshakeTimeout: 500 });
    h.listen("127.0.0.1:0", { secureTransport: "starttls", tls: { cert: CERT, key: KEY } });
    expect(h.requests[0]!.tls).toMatchObject({ role: "server", cert: CERT, key: KEY, alpn: ["x"], handshakeTimeout: 500 });
    expect(h.requests[0]!.starttls).toBeNull();
    expect(h.requests[1]!.starttls).toMatchObject({ role: "server", alpn: [] });
    expect(h.requests[1]!.tls).toBeNull();
  });
});

describe("listen(): the listener", () => {
  it("opened resolves with the bound address; a failed bind rejects opened and closed with one SocketError", async () => {
    const ok = harness();
    const server = ok.listen("127.0.0.1:0");
    ok.resolveOpen();
    expect(await server.opened).toEqual({ localAddress: "127.0.0.1:4000" });

    const busy = harness();
    const other = busy.listen("127.0.0.1:4000");
    busy.rejectOpen(Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE" }));
    const opened = await other.opened.catch((e: unknown) => e);
    const closed = await other.closed.catch((e: unknown) => e);
    expect(opened).toBeInstanceOf(SocketError);
    expect((opened as SocketError).code).toBe("EADDRINUSE");
    expect(closed).toBe(opened);
    await expect(other.readable.getReader().read()).rejects.toBe(opened);
  });

  it("hands out queued connections in order as Sockets, and drops (counting) beyond highWaterMark", async () => {
    const h = harness();
    const server = h.listen("127.0.0.1:0", { highWaterMark: 2 });
    h.resolveOpen();
    await server.opened;
    const connections = [new FakeConnection(), new FakeConnection(), new FakeConnection()];
    for (const c of connections) h.events().connection(c);
    expect(connections.map((c) => c.aborted)).toEqual([false, false, true]);
    expect(server.stats).toEqual({ accepted: 0, dropped: 1, failed: 0 });
    // Nothing is attached (read) before a reader claims the socket.
    expect(connections[0]!.attached).toBeNull();
    const reader = server.readable.getReader();
    const first = (await reader.read()).value!;
    expect(await first.opened).toEqual(connections[0]!.info);
    expect(connections[0]!.attached).not.toBeNull();
    const writer = first.writable.getWriter();
    await writer.write("hi");
    expect(connections[0]!.writes).toEqual(["hi"]);
    expect(server.stats.accepted).toBe(1);
    await server.close();
  });

  it("a waiting read gets the next connection directly", async () => {
    const h = harness();
    const server = h.listen("127.0.0.1:0", { highWaterMark: 0 });
    const read = server.readable.getReader().read();
    h.resolveOpen();
    await server.opened;
    await tick();
    const connection = new FakeConnection();
    h.events().connection(connection);
    expect((await read).done).toBe(false);
    expect(connection.aborted).toBe(false);
    // highWaterMark 0: with no read waiting, a connection is dropped.
    const next = new FakeConnection();
    h.events().connection(next);
    expect(next.aborted).toBe(true);
    await server.close();
  });

  it("close() closes unclaimed connections, leaves handed-out sockets open, ends the readable, is idempotent", async () => {
    const h = harness();
    const server = h.listen("127.0.0.1:0");
    h.resolveOpen();
    await server.opened;
    const handedOut = new FakeConnection();
    const queued = new FakeConnection();
    h.events().connection(handedOut);
    const reader = server.readable.getReader();
    const socket = (await reader.read()).value!;
    await socket.opened;
    h.events().connection(queued);
    const pending = reader.read(); // gets `queued`? No: it was queued before this read.
    const second = await pending;
    expect(second.done).toBe(false);
    const waiting = reader.read();
    const closed = server.close();
    expect(server.close()).toBe(closed);
    expect(server.closed).toBe(closed);
    await closed;
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(h.transport.closes).toBe(1);
    expect(handedOut.closed).toBe(false);
    expect(handedOut.aborted).toBe(false);
    // A connection that arrives after close() is closed at once.
    const late = new FakeConnection();
    h.events().connection(late);
    expect(late.aborted).toBe(true);
  });

  it("close() aborts connections still queued", async () => {
    const h = harness();
    const server = h.listen("127.0.0.1:0");
    h.resolveOpen();
    await server.opened;
    const queued = [new FakeConnection(), new FakeConnection()];
    for (const c of queued) h.events().connection(c);
    await server.close();
    expect(queued.every((c) => c.aborted)).toBe(true);
    expect(server.stats.accepted).toBe(0);
  });

  it("close(reason) rejects a waiting read with the reason; closed resolves", async () => {
    const h = harness();
    const server = h.listen("127.0.0.1:0");
    h.resolveOpen();
    await server.opened;
    const read = server.readable.getReader().read();
    const reason = new Error("shutting down");
    await server.close(reason);
    await expect(read).rejects.toBe(reason);
  });

  it("close() while binding rejects opened with ECLOSED and releases the late listener", async () => {
    const h = harness();
    const server = h.listen("127.0.0.1:0");
    const closed = server.close();
    const opened = await server.opened.catch((e: unknown) => e);
    expect((opened as SocketError).code).toBe("ECLOSED");
    h.resolveOpen();
    await closed;
    expect(h.transport.closes).toBe(1);
  });

  it("signal closes the listener with EABORTED (before and after the bind)", async () => {
    const before = harness();
    const aborted = before.listen("127.0.0.1:0", { signal: AbortSignal.abort(new Error("no")) });
    expect(before.requests).toHaveLength(0);
    expect(((await aborted.closed.catch((e: unknown) => e)) as SocketError).code).toBe("EABORTED");

    const after = harness();
    const controller = new AbortController();
    const server = after.listen("127.0.0.1:0", { signal: controller.signal });
    after.resolveOpen();
    await server.opened;
    const read = server.readable.getReader().read();
    controller.abort(new Error("stop"));
    const error = (await server.closed.catch((e: unknown) => e)) as SocketError;
    expect(error.code).toBe("EABORTED");
    expect((error.cause as Error).message).toBe("stop");
    await expect(read).rejects.toBe(error);
    await tick();
    expect(after.transport.closes).toBe(1);
  });

  it("breaking a for-await loop closes the listener; async dispose closes it", async () => {
    const h = harness();
    const server = h.listen("127.0.0.1:0");
    h.resolveOpen();
    await server.opened;
    h.events().connection(new FakeConnection());
    for await (const socket of server) {
      await socket.opened;
      break;
    }
    await server.closed;
    expect(h.transport.closes).toBe(1);

    const d = harness();
    const disposed = d.listen("127.0.0.1:0");
    d.resolveOpen();
    await disposed.opened;
    await disposed[Symbol.asyncDispose]();
    expect(d.transport.closes).toBe(1);
  });

  it("a pull runtime accepts only while a read waits, and keeps accepting past failed connections", async () => {
    let step = 0;
    const h = harness(async (events) => {
      await tick();
      step++;
      if (step === 1) events.failed(new Error("handshake failed"));
      else events.connection(new FakeConnection());
    });
    const server = h.listen("127.0.0.1:0");
    h.resolveOpen();
    await server.opened;
    await tick();
    expect(h.transport.pulls).toBe(0);
    const socket = await server.readable.getReader().read();
    expect(socket.done).toBe(false);
    expect(h.transport.pulls).toBe(2);
    expect(server.stats).toEqual({ accepted: 1, dropped: 0, failed: 1 });
    await server.close();
  });

  it("an accepted starttls socket upgrades with the listener's server TLS request", async () => {
    const h = harness();
    const server = h.listen("127.0.0.1:0", { secureTransport: "starttls", tls: { cert: CERT, key: KEY }, allowHalfOpen: true });
    h.resolveOpen();
    await server.opened;
    const connection = new FakeConnection();
    h.events().connection(connection);
    const socket = (await server.readable.getReader().read()).value!;
    expect(socket.secureTransport).toBe("starttls");
    await socket.opened;
    const secure = socket.startTls();
    await tick();
    await tick();
    expect(connection.startTlsWith).toMatchObject({ role: "server", cert: CERT, key: KEY });
    expect(secure.secureTransport).toBe("on");
    void secure.close();
    await server.close();
  });

  it("an accepted socket of a plain listener refuses startTls()", async () => {
    const h = harness();
    const server = h.listen("127.0.0.1:0");
    h.resolveOpen();
    await server.opened;
    h.events().connection(new FakeConnection());
    const socket = (await server.readable.getReader().read()).value!;
    expect(() => socket.startTls()).toThrow(SocketError);
    await server.close();
  });

  it("a listener error after the bind rejects closed and errors the readable", async () => {
    const h = harness();
    const server = h.listen("127.0.0.1:0");
    h.resolveOpen();
    await server.opened;
    const read = server.readable.getReader().read();
    h.events().error(Object.assign(new Error("boom"), { code: "EACCES" }));
    const error = (await server.closed.catch((e: unknown) => e)) as SocketError;
    expect(error.code).toBe("EACCES");
    await expect(read).rejects.toBe(error);
  });
});
