/**
 * serve(): workerd's connect-handler rules over a scripted fake listener.
 */
import { describe, expect, it } from "vitest";
import { createServe, SocketError, type Socket, type SocketApp } from "../src/index.js";
import { FakeConnection, harness, tick } from "./_fake-listener.js";

async function started(app: SocketApp, extra: { closeTimeout?: number; onError?: (e: unknown, s: Socket) => void } = {}) {
  const h = harness();
  const serve = createServe(h.listen);
  const server = serve(app, { address: "127.0.0.1:0", ...extra });
  h.resolveOpen();
  await server.opened;
  return { h, server };
}

describe("serve()", () => {
  it("calls connect(socket, env, ctx) for each connection concurrently; a slow handler blocks nobody", async () => {
    const seen: string[] = [];
    let releaseFirst!: () => void;
    const first = new Promise<void>((resolve) => (releaseFirst = resolve));
    const { h, server } = await started({
      async connect(socket, env, ctx) {
        const n = seen.push((await socket.opened).remoteAddress!);
        expect(env).toEqual({});
        expect(typeof ctx.waitUntil).toBe("function");
        if (n === 1) await first;
      },
    });
    const a = new FakeConnection();
    const b = new FakeConnection();
    h.events().connection(a);
    h.events().connection(b);
    await tick();
    await tick();
    expect(seen).toHaveLength(2);
    // b's handler finished: its socket is closed (workerd: the socket lives as long as the handler).
    expect(b.closed).toBe(true);
    expect(a.closed).toBe(false);
    expect(server.stats.active).toBe(1);
    releaseFirst();
    await tick();
    await tick();
    expect(a.closed).toBe(true);
    await server.close();
  });

  it("a throwing handler closes its socket with the error and is reported, never an unhandled rejection", async () => {
    const reported: unknown[] = [];
    const boom = new Error("handler bug");
    const { h, server } = await started(
      {
        connect() {
          throw boom;
        },
      },
      { onError: (error) => reported.push(error) },
    );
    const connection = new FakeConnection();
    h.events().connection(connection);
    await tick();
    await tick();
    expect(reported).toEqual([boom]);
    expect(connection.closed).toBe(true);
    expect(server.stats.errors).toBe(1);
    // The server goes on accepting.
    const next = new FakeConnection();
    h.events().connection(next);
    await tick();
    expect(next.attached).not.toBeNull();
    await server.close();
  });

  it("close() stops accepting and waits for running handlers", async () => {
    let finish!: () => void;
    const { h, server } = await started({
      async connect() {
        await new Promise<void>((resolve) => (finish = resolve));
      },
    });
    const connection = new FakeConnection();
    h.events().connection(connection);
    await tick();
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await tick();
    expect(h.transport.closes).toBe(1);
    expect(closed).toBe(false);
    finish();
    await closing;
    expect(closed).toBe(true);
    expect(connection.closed).toBe(true);
    await server.closed;
  });

  it("close() gives up after closeTimeout and closes the sockets of handlers still running with ECLOSED", async () => {
    let socketSeen: Socket | null = null;
    const { h, server } = await started(
      {
        async connect(socket) {
          socketSeen = socket;
          await new Promise(() => {}); // never finishes
        },
      },
      { closeTimeout: 20 },
    );
    h.events().connection(new FakeConnection());
    await tick();
    const started_ = Date.now();
    await server.close();
    expect(Date.now() - started_).toBeGreaterThanOrEqual(15);
    const error = await socketSeen!.closed.then(
      () => null,
      (e: unknown) => e,
    );
    // close(reason) resolves `closed`; the reason reaches reads.
    expect(error).toBeNull();
    await expect(socketSeen!.readable.getReader().read()).rejects.toMatchObject({ code: "ECLOSED" });
  });

  it("ctx.waitUntil keeps the graceful stop waiting", async () => {
    let release!: () => void;
    const background = new Promise<void>((resolve) => (release = resolve));
    const { h, server } = await started({
      connect(_socket, _env, ctx) {
        ctx.waitUntil(background);
      },
    });
    h.events().connection(new FakeConnection());
    await tick();
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await tick();
    expect(closed).toBe(false);
    release();
    await closing;
  });

  it("rejects an app without connect(), a bad closeTimeout and a bad onError synchronously", () => {
    const h = harness();
    const serve = createServe(h.listen);
    expect(() => serve({} as SocketApp, { address: "127.0.0.1:0" })).toThrow(SocketError);
    // The connect function itself instead of the object that has it: said so.
    expect(() => serve((() => {}) as unknown as SocketApp, { address: "127.0.0.1:0" })).toThrow(/a function was given/);
    expect(() => serve({ connect() {} }, { address: "127.0.0.1:0", closeTimeout: -1 })).toThrow(/closeTimeout -1/);
    expect(() => serve({ connect() {} }, { address: "127.0.0.1:0", closeTimeout: "5" as never })).toThrow(/closeTimeout "5"/);
    // Beyond setTimeout's limit a timer fires at once: "wait long" must not become "do not wait".
    expect(() => serve({ connect() {} }, { address: "127.0.0.1:0", closeTimeout: 2 ** 31 })).toThrow(/closeTimeout 2147483648/);
    expect(() => serve({ connect() {} }, { address: "127.0.0.1:0", onError: "console.error" as never })).toThrow(
      /onError "console.error": expected a function/,
    );
    expect(() => serve({ connect() {} }, { address: "127.0.0.1:99999" })).toThrow(/port/);
  });

  it("close() also waits for ctx.waitUntil() promises registered while it waits", async () => {
    let releaseHandler!: () => void;
    const handlerGate = new Promise<void>((resolve) => (releaseHandler = resolve));
    let finished = false;
    const { h, server } = await started(
      {
        async connect(_socket, _env, ctx) {
          await handlerGate;
          ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, 50)).then(() => void (finished = true)));
        },
      },
      { closeTimeout: 5_000 },
    );
    h.events().connection(new FakeConnection());
    await tick();
    const closing = server.close();
    setTimeout(releaseHandler, 20); // once close() is already waiting
    await closing;
    expect(finished).toBe(true);
  });

  it("a handler that returned while its graceful close waits on a client that does not read is aborted at closeTimeout", async () => {
    const { h, server } = await started(
      {
        async connect(socket) {
          void socket.writable
            .getWriter()
            .write(new Uint8Array(1))
            .catch(() => {}); // never completes
        },
      },
      { closeTimeout: 20 },
    );
    const connection = new FakeConnection();
    connection.stallWrites = true;
    h.events().connection(connection);
    await tick();
    await tick();
    expect(server.stats.active).toBe(1); // returned, but its socket's close still waits
    await server.close();
    await server.closed;
    expect(connection.transportAborted).toBe(true);
    await tick();
    expect(server.stats.active).toBe(0);
  });

  it("a handler that throws undefined still fails its socket (an abort, not a graceful close)", async () => {
    const reported: unknown[] = [];
    const { h, server } = await started(
      {
        connect() {
          throw undefined;
        },
      },
      { onError: (error) => reported.push(error) },
    );
    const connection = new FakeConnection();
    h.events().connection(connection);
    await tick();
    await tick();
    expect(reported).toEqual([undefined]);
    expect(connection.transportAborted).toBe(true);
    await server.close();
  });
});
