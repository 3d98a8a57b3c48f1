/** The UDPSocket over a scripted fake DatagramTransport: every step under the test's control. */
import { describe, expect, it } from "vitest";
import { SocketError, type UDPMessage } from "../src/index.js";
import { bytes, fakeDatagram, tick } from "./_fake-datagram.js";

const codeOf = (error: unknown): unknown => (error instanceof SocketError ? error.code : error);

describe("udp(): opening", () => {
  it("opened resolves with the bound addresses (and the peer in connected mode only)", async () => {
    const connected = fakeDatagram({ connected: true });
    const c = connected.udp({ remoteAddress: "127.0.0.1", remotePort: 53 });
    connected.resolveOpen();
    expect(await c.opened).toEqual({ localAddress: "127.0.0.1", localPort: 40000, remoteAddress: "127.0.0.1", remotePort: 53 });
    const bound = fakeDatagram();
    const b = bound.udp({ localAddress: "127.0.0.1" });
    bound.resolveOpen();
    const info = await b.opened;
    expect(info).toEqual({ localAddress: "127.0.0.1", localPort: 40000 });
    expect("remoteAddress" in info).toBe(false);
    await Promise.all([c.close(), b.close()]);
  });

  it("a failed open rejects opened, closed, reads and writes with one SocketError", async () => {
    const fake = fakeDatagram();
    const socket = fake.udp({ localAddress: "127.0.0.1", localPort: 53 });
    const read = socket.readable.getReader().read();
    const write = socket.writable.getWriter().write({ data: bytes("x"), remoteAddress: "127.0.0.1", remotePort: 9 });
    fake.rejectOpen(Object.assign(new Error("bind EADDRINUSE"), { code: "EADDRINUSE" }));
    const errors = await Promise.all(
      [socket.opened, socket.closed, read, write].map((p) =>
        p.then(
          () => "resolved",
          (e: unknown) => e,
        ),
      ),
    );
    expect(errors.map(codeOf)).toEqual(["EADDRINUSE", "EADDRINUSE", "EADDRINUSE", "EADDRINUSE"]);
    expect(new Set(errors).size).toBe(1);
    expect(
      await socket.close().then(
        () => "resolved",
        () => "rejected",
      ),
    ).toBe("rejected");
  });

  it("close() while opening resolves closed only once the transport that arrives late is closed (the port is free then)", async () => {
    const fake = fakeDatagram();
    const socket = fake.udp({ localAddress: "127.0.0.1" });
    let closed = false;
    const closing = socket.close().then(() => (closed = true));
    await expect(socket.opened).rejects.toMatchObject({ code: "ECLOSED" });
    await tick();
    expect(closed).toBe(false);
    fake.resolveOpen();
    await closing;
    expect(fake.transport.closes).toBe(1);
  });

  it("close() while opening resolves closed when the open then fails (nothing was bound)", async () => {
    const fake = fakeDatagram();
    const socket = fake.udp({ localAddress: "127.0.0.1" });
    const closing = socket.close();
    fake.rejectOpen(Object.assign(new Error("bind failed"), { code: "EADDRINUSE" }));
    await expect(closing).resolves.toBeUndefined();
    await expect(socket.opened).rejects.toMatchObject({ code: "ECLOSED" });
  });

  it("a write made before opened is sent once the socket is open", async () => {
    const fake = fakeDatagram({ connected: true });
    const socket = fake.udp({ remoteAddress: "127.0.0.1", remotePort: 53 });
    const writing = socket.writable.getWriter().write(bytes("early"));
    await tick();
    expect(fake.sent).toHaveLength(0);
    fake.resolveOpen();
    await writing;
    expect(fake.sent.map((s) => [new TextDecoder().decode(s.data), s.address, s.port])).toEqual([["early", null, null]]);
    await socket.close();
  });
});

describe("udp(): reading", () => {
  it("one message per datagram, in order, with its sender; stats.received counts what was read", async () => {
    const fake = fakeDatagram();
    const socket = fake.udp({ localAddress: "127.0.0.1" });
    fake.resolveOpen();
    await socket.opened;
    const reader = socket.readable.getReader();
    const first = reader.read();
    fake.events().message(bytes("a"), "127.0.0.1", 1000);
    fake.events().message(bytes("bc"), "::1", 2000);
    const second = await reader.read();
    expect((await first).value).toEqual({ data: bytes("a"), remoteAddress: "127.0.0.1", remotePort: 1000 });
    expect(second.value).toEqual({ data: bytes("bc"), remoteAddress: "::1", remotePort: 2000 });
    expect(socket.stats).toEqual({ received: 2, dropped: 0 });
    await socket.close();
  });

  it("keeps at most highWaterMark datagrams for a reader that does not read, and counts the rest as dropped", async () => {
    const fake = fakeDatagram();
    const socket = fake.udp({ localAddress: "127.0.0.1", highWaterMark: 3 });
    fake.resolveOpen();
    await socket.opened;
    for (let i = 0; i < 10; i++) fake.events().message(new Uint8Array([i]), "127.0.0.1", 1000);
    expect(socket.stats).toEqual({ received: 0, dropped: 7 });
    const reader = socket.readable.getReader();
    const got: number[] = [];
    for (let i = 0; i < 3; i++) got.push((await reader.read()).value!.data[0]!);
    expect(got).toEqual([0, 1, 2]);
    // Room again: the next one is kept.
    fake.events().message(new Uint8Array([42]), "127.0.0.1", 1000);
    expect((await reader.read()).value!.data[0]).toBe(42);
    expect(socket.stats).toEqual({ received: 4, dropped: 7 });
    await socket.close();
  });

  it("highWaterMark 0 keeps nothing: a datagram reaches only a read that waits", async () => {
    const fake = fakeDatagram();
    const socket = fake.udp({ localAddress: "127.0.0.1", highWaterMark: 0 });
    fake.resolveOpen();
    await socket.opened;
    fake.events().message(bytes("lost"), "127.0.0.1", 1);
    const reader = socket.readable.getReader();
    const read = reader.read();
    await tick();
    fake.events().message(bytes("kept"), "127.0.0.1", 1);
    expect(new TextDecoder().decode((await read).value!.data)).toBe("kept");
    expect(socket.stats).toEqual({ received: 1, dropped: 1 });
    await socket.close();
  });

  it("a pull runtime receives only while a read waits, and again when a receive delivered nothing", async () => {
    const fake = fakeDatagram();
    let round = 0;
    fake.pull = async (events) => {
      round++;
      // The first receive is a datagram the runtime discarded (connected mode's filter).
      if (round > 1) events.message(new Uint8Array([round]), "127.0.0.1", 7);
    };
    const socket = fake.udp({ localAddress: "127.0.0.1" });
    fake.resolveOpen();
    await socket.opened;
    await tick();
    expect(fake.transport.pulls).toBe(0);
    const reader = socket.readable.getReader();
    expect((await reader.read()).value!.data[0]).toBe(2);
    expect(fake.transport.pulls).toBe(2);
    await tick();
    expect(fake.transport.pulls).toBe(2);
    await socket.close();
  });

  it("is async-iterable: for await reads the messages", async () => {
    const fake = fakeDatagram();
    const socket = fake.udp({ localAddress: "127.0.0.1" });
    fake.resolveOpen();
    await socket.opened;
    for (const n of [1, 2, 3]) fake.events().message(new Uint8Array([n]), "127.0.0.1", 9);
    const seen: number[] = [];
    for await (const message of socket) {
      seen.push(message.data[0]!);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([1, 2, 3]);
    // Cancelling the readable stops reading, not the socket: it still writes.
    await socket.writable.getWriter().write({ data: bytes("x"), remoteAddress: "127.0.0.1", remotePort: 9 });
    expect(fake.sent).toHaveLength(1);
    await socket.close();
  });
});

describe("udp(): writing", () => {
  it("connected mode: a bare BufferSource or { data } is one datagram to the peer; naming a peer is EINVAL", async () => {
    const fake = fakeDatagram({ connected: true });
    const socket = fake.udp({ remoteAddress: "127.0.0.1", remotePort: 53 });
    fake.resolveOpen();
    const writer = socket.writable.getWriter();
    await writer.write(new Uint8Array([1, 2]));
    await writer.write(new Uint16Array([0x0403]).buffer);
    await writer.write(new DataView(new Uint8Array([9, 5, 6]).buffer, 1));
    await writer.write({ data: bytes("q") });
    expect(fake.sent.map((s) => [Array.from(s.data), s.address, s.port])).toEqual([
      [[1, 2], null, null],
      [[3, 4], null, null],
      [[5, 6], null, null],
      [[113], null, null],
    ]);
    const error = await writer.write({ data: bytes("x"), remoteAddress: "127.0.0.1", remotePort: 53 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketError);
    expect(error).toMatchObject({ code: "EINVAL", message: expect.stringMatching(/connected mode/) });
    expect(fake.sent).toHaveLength(4);
    await socket.close();
  });

  it("bound mode: each write names its peer; hostnames are resolved for the socket's family; a bare BufferSource is EINVAL", async () => {
    const fake = fakeDatagram();
    const socket = fake.udp({ localAddress: "127.0.0.1" });
    fake.resolveOpen();
    await socket.opened;
    const writer = socket.writable.getWriter();
    await writer.write({ data: bytes("a"), remoteAddress: "127.0.0.1", remotePort: 9 });
    await writer.write({ data: bytes("c"), remoteAddress: "peer.example", remotePort: 11 });
    await writer.write({ data: bytes("d"), remoteAddress: "localhost", remotePort: 12 });
    writer.releaseLock();
    // An IPv6 literal from an IPv4 socket: EINVAL naming both, before the OS is asked.
    const otherFamily = await socket.writable
      .getWriter()
      .write({ data: bytes("b"), remoteAddress: "[::1]", remotePort: 10 })
      .catch((e: unknown) => e);
    expect(otherFamily).toMatchObject({ code: "EINVAL" });
    expect((otherFamily as Error).message).toMatch(/remoteAddress "::1" is an IPv6 address, but the socket is bound to "127.0.0.1"/);
    expect(fake.sent.map((s) => [s.address, s.port])).toEqual([
      ["127.0.0.1", 9],
      ["10.0.0.2", 11],
      ["127.0.0.1", 12],
    ]);
    expect(fake.resolved).toEqual([["peer.example", 4]]);
    for (const [chunk, message] of [
      [bytes("bare"), /names no peer/],
      [{ data: bytes("x"), remoteAddress: "127.0.0.1" }, /remotePort undefined/],
      [{ data: bytes("x"), remotePort: 9 }, /remoteAddress undefined/],
      [{ data: bytes("x"), remoteAddress: "a b", remotePort: 9 }, /remoteAddress "a b"/],
      [{ data: "text", remoteAddress: "127.0.0.1", remotePort: 9 }, /data "text"/],
      ["text", /Invalid write "text"/],
    ] as const) {
      const error = await socket.writable
        .getWriter()
        .write(chunk as never)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SocketError);
      expect((error as SocketError).code).toBe("EINVAL");
      expect((error as SocketError).message).toMatch(message);
    }
    const unresolved = await socket.writable
      .getWriter()
      .write({ data: bytes("x"), remoteAddress: "nowhere.invalid", remotePort: 9 })
      .catch((e: unknown) => e);
    expect(unresolved).toMatchObject({ code: "ENOTFOUND" });
    expect(fake.sent).toHaveLength(3);
    await socket.close();
  });

  it("an IPv6 socket resolves for IPv6; a dual-stack '::' socket lets the resolver choose", async () => {
    const v6 = fakeDatagram({ localAddress: "::1" });
    const a = v6.udp({ localAddress: "::1" });
    v6.resolveOpen();
    await a.writable.getWriter().write({ data: bytes("x"), remoteAddress: "peer.example", remotePort: 9 });
    const dual = fakeDatagram({ localAddress: "::" });
    const b = dual.udp({ localAddress: "::" });
    dual.resolveOpen();
    await b.writable.getWriter().write({ data: bytes("x"), remoteAddress: "peer.example", remotePort: 9 });
    expect([v6.resolved, dual.resolved]).toEqual([[["peer.example", 6]], [["peer.example", undefined]]]);
    expect(v6.sent[0]!.address).toBe("::2");
    await Promise.all([a.close(), b.close()]);
  });

  it("a failed datagram rejects that write only: the readable goes on, and socket.writable is a fresh, usable stream", async () => {
    const fake = fakeDatagram();
    fake.send = (sent) =>
      sent.data.byteLength > 100 ? Promise.reject(Object.assign(new Error("send EMSGSIZE"), { code: "EMSGSIZE" })) : Promise.resolve();
    const socket = fake.udp({ localAddress: "127.0.0.1" });
    fake.resolveOpen();
    await socket.opened;
    const reader = socket.readable.getReader();
    const pending = reader.read();
    const first = socket.writable;
    const writer = first.getWriter();
    const big = writer.write({ data: new Uint8Array(101), remoteAddress: "127.0.0.1", remotePort: 9 });
    const behind = writer.write({ data: bytes("queued behind"), remoteAddress: "127.0.0.1", remotePort: 9 });
    const error = await big.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketError);
    expect(error).toMatchObject({ code: "EMSGSIZE" });
    // WHATWG: the stream errored, and the write queued behind it rejects with the same error, unsent.
    expect(await behind.catch((e: unknown) => e)).toBe(error);
    expect(await writer.closed.catch((e: unknown) => e)).toBe(error);
    expect(fake.sent.map((s) => s.data.byteLength)).toEqual([101]);
    // The socket is fine: a fresh writable sends, and the read still gets the next datagram.
    expect(socket.writable).not.toBe(first);
    await socket.writable.getWriter().write({ data: bytes("ok"), remoteAddress: "127.0.0.1", remotePort: 9 });
    expect(fake.sent).toHaveLength(2);
    fake.events().message(bytes("still receiving"), "127.0.0.1", 9);
    expect(new TextDecoder().decode((await pending).value!.data)).toBe("still receiving");
    await socket.close();
    await expect(socket.closed).resolves.toBeUndefined();
  });

  it("a send that throws synchronously (Bun's EMSGSIZE) is the same: that write rejects, the socket goes on", async () => {
    const fake = fakeDatagram({ connected: true });
    fake.send = (sent) => {
      if (sent.data.byteLength > 100) throw Object.assign(new Error("EMSGSIZE: message too long, send"), { code: "EMSGSIZE" });
    };
    const socket = fake.udp({ remoteAddress: "127.0.0.1", remotePort: 53 });
    fake.resolveOpen();
    await socket.opened;
    await expect(socket.writable.getWriter().write(new Uint8Array(101))).rejects.toMatchObject({ code: "EMSGSIZE" });
    await socket.writable.getWriter().write(new Uint8Array(1));
    expect(fake.sent).toHaveLength(2);
    await socket.close();
  });

  it("closing the writable stops writing, not the socket (no fresh writable after it)", async () => {
    const fake = fakeDatagram();
    const socket = fake.udp({ localAddress: "127.0.0.1" });
    fake.resolveOpen();
    await socket.opened;
    const writable = socket.writable;
    await writable.close();
    expect(socket.writable).toBe(writable);
    const read = socket.readable.getReader().read();
    fake.events().message(bytes("x"), "127.0.0.1", 9);
    expect((await read).done).toBe(false);
    await socket.close();
  });
});

describe("udp(): closing", () => {
  it("close() ends a pending read, lets the datagram in flight reach the OS, then releases; idempotent, returns closed", async () => {
    const fake = fakeDatagram({ connected: true });
    let finish!: () => void;
    fake.send = () => new Promise<void>((resolve) => (finish = resolve));
    const socket = fake.udp({ remoteAddress: "127.0.0.1", remotePort: 53 });
    fake.resolveOpen();
    await socket.opened;
    const read = socket.readable.getReader().read();
    const writer = socket.writable.getWriter();
    const inFlight = writer.write(bytes("in flight"));
    const queued = writer.write(bytes("queued"));
    await tick();
    const closing = socket.close();
    expect(socket.close()).toBe(closing);
    expect(closing).toBe(socket.closed);
    expect(await read).toEqual({ done: true, value: undefined });
    await tick();
    expect(fake.transport.closes).toBe(0);
    finish();
    await inFlight;
    await closing;
    expect(await queued.catch(codeOf)).toBe("ECLOSED");
    expect(fake.transport.closes).toBe(1);
    expect(fake.sent).toHaveLength(1);
    expect(await writer.write(bytes("late")).catch(codeOf)).toBe("ECLOSED");
    fake.events().message(bytes("after close"), "127.0.0.1", 53);
    fake.events().error(new Error("after close"));
    await expect(socket.closed).resolves.toBeUndefined();
    await expect(socket[Symbol.asyncDispose]()).resolves.toBeUndefined();
  });

  it("close(reason) rejects a pending read and writes with the reason; closed resolves", async () => {
    const fake = fakeDatagram();
    const socket = fake.udp({ localAddress: "127.0.0.1" });
    fake.resolveOpen();
    await socket.opened;
    const read = socket.readable.getReader().read();
    const reason = new Error("shutting down");
    await socket.close(reason);
    expect(await read.catch((e: unknown) => e)).toBe(reason);
    expect(
      await socket.writable
        .getWriter()
        .write({ data: bytes("x"), remoteAddress: "127.0.0.1", remotePort: 1 })
        .catch((e: unknown) => e),
    ).toBe(reason);
    expect(fake.transport.closes).toBe(1);
  });

  it("the signal closes the socket with EABORTED: opened (if pending), closed, reads and writes reject with it", async () => {
    const fake = fakeDatagram();
    const controller = new AbortController();
    const socket = fake.udp({ localAddress: "127.0.0.1", signal: controller.signal });
    const read = socket.readable.getReader().read();
    let closedSettled = false;
    const closed = socket.closed.then(
      () => "resolved",
      (e: unknown) => ((closedSettled = true), e),
    );
    controller.abort(new Error("user gave up"));
    const errors = await Promise.all(
      [socket.opened, read].map((p) =>
        p.then(
          () => "resolved",
          (e: unknown) => e,
        ),
      ),
    );
    expect(errors.map(codeOf)).toEqual(["EABORTED", "EABORTED"]);
    expect((errors[0] as Error).message).toMatch(/The UDP socket was aborted by its signal/);
    // `closed` waits for the port: the transport that arrives late is closed first.
    await tick();
    expect(closedSettled).toBe(false);
    fake.resolveOpen();
    expect(codeOf(await closed)).toBe("EABORTED");
    expect(fake.transport.closes).toBe(1);
    const aborted = fakeDatagram().udp({ localAddress: "127.0.0.1", signal: AbortSignal.abort() });
    await expect(aborted.closed).rejects.toMatchObject({ code: "EABORTED" });
  });

  it("a fatal transport error fails the socket: closed and reads reject with it", async () => {
    const fake = fakeDatagram();
    const socket = fake.udp({ localAddress: "127.0.0.1" });
    fake.resolveOpen();
    await socket.opened;
    const read = socket.readable.getReader().read();
    fake.events().error(Object.assign(new Error("socket gone"), { code: "EBADF" }));
    const error = await socket.closed.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketError);
    expect(await read.catch((e: unknown) => e)).toBe(error);
    expect(fake.transport.closes).toBe(1);
  });

  it("stats are a snapshot", async () => {
    const fake = fakeDatagram();
    const socket = fake.udp({ localAddress: "127.0.0.1", highWaterMark: 0 });
    fake.resolveOpen();
    await socket.opened;
    const before = socket.stats;
    fake.events().message(bytes("x"), "127.0.0.1", 1);
    expect(before).toEqual({ received: 0, dropped: 0 });
    expect(socket.stats).toEqual({ received: 0, dropped: 1 });
    await socket.close();
  });
});

// Keep the type import used (the messages above are UDPMessage values).
export type _Message = UDPMessage;
