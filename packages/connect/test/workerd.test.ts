import { SocketError } from "@sockets/core";
import { describe, expect, it } from "vitest";
import * as workerd from "../src/workerd.js";
import { createdSockets, lastSocket } from "./fake-cloudflare-sockets.js";

const { connect } = workerd;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

describe("workerd branch: arguments", () => {
  it("tags itself and re-exports core's SocketError", () => {
    expect(workerd.runtime).toBe("workerd");
    expect(workerd.SocketError).toBe(SocketError);
  });

  it.each([
    [{ hostname: "127.0.0.1", port: 0 }, "port 0"],
    ["127.0.0.1", "port is missing"],
    ["tcp://127.0.0.1:80", "scheme"],
    [{ hostname: "127.0.0.1", port: 1.5 }, "1.5"],
  ])("rejects %j synchronously with a SocketError before dialling", (address, mentions) => {
    const before = createdSockets().length;
    expect(() => connect(address as never)).toThrow(SocketError);
    try {
      connect(address as never);
    } catch (error) {
      expect((error as SocketError).code).toBe("EINVAL");
      expect((error as SocketError).message).toContain(mentions);
    }
    expect(createdSockets().length).toBe(before);
  });

  it("brackets a bare IPv6 hostname for workerd", () => {
    connect({ hostname: "::1", port: 5432 });
    expect(lastSocket().address).toBe("[::1]:5432");
    connect({ hostname: "[::1]", port: "6379" });
    expect(lastSocket().address).toBe("[::1]:6379");
  });

  it("passes secureTransport and allowHalfOpen through", () => {
    connect("localhost:5432", { secureTransport: "starttls", allowHalfOpen: true });
    expect(lastSocket().options).toEqual({ secureTransport: "starttls", allowHalfOpen: true });
    connect("localhost:7", { allowHalfOpen: false });
    expect(lastSocket().options).toEqual({ secureTransport: "off", allowHalfOpen: false });
  });

  it("opens secureTransport: on as starttls upgraded at once, so a handshake failure is ETLS and a refusal is not", async () => {
    const tls = connect("localhost:443", { secureTransport: "on", allowHalfOpen: true });
    const [plain, secure] = createdSockets().slice(-2);
    expect(plain?.options).toEqual({ secureTransport: "starttls", allowHalfOpen: true });
    expect(plain?.startTlsCalls).toEqual([undefined]);
    expect(tls.writable).toBe(secure?.writable);
    plain?.open("localhost:443");
    await plain?.opened;
    secure?.fail("proxy request failed, cannot connect to the specified address");
    expect(((await rejection(tls.opened)) as SocketError).code).toBe("ETLS");

    const refused = connect("localhost:443", { secureTransport: "on" });
    const [plain2, secure2] = createdSockets().slice(-2);
    plain2?.fail("proxy request failed, cannot connect to the specified address");
    secure2?.fail("proxy request failed, cannot connect to the specified address");
    expect(((await rejection(refused.opened)) as SocketError).code).toBe("EUNKNOWN");
  });

  it("sends sni on a secureTransport: on socket by upgrading a starttls one at once", () => {
    const socket = connect("127.0.0.1:443", { secureTransport: "on", sni: "db.internal" });
    const [plain, tls] = createdSockets().slice(-2);
    expect(plain?.options?.secureTransport).toBe("starttls");
    expect(plain?.startTlsCalls).toEqual([{ expectedServerHostname: "db.internal" }]);
    expect(socket.writable).toBe(tls?.writable);
    expect(socket.secureTransport).toBe("on");
  });
});

describe("workerd branch: the socket", () => {
  it("passes workerd's writable through untouched", () => {
    const socket = connect("127.0.0.1:7");
    expect(socket.writable).toBe(lastSocket().writable);
  });

  it("hands workerd's chunks on without copying them (their buffer is transferred)", async () => {
    const socket = connect("127.0.0.1:7");
    const native = lastSocket();
    native.open("127.0.0.1:7");
    const chunk = new Uint8Array([1, 2, 3]);
    native.readController.enqueue(chunk);
    const { value } = await socket.readable.getReader().read();
    expect(value).toEqual(new Uint8Array([1, 2, 3]));
    expect(chunk.buffer.byteLength).toBe(0); // detached: moved, not copied
  });

  it("serves BYOB reads and ends with the peer's FIN", async () => {
    const socket = connect("127.0.0.1:7");
    const native = lastSocket();
    native.readController.enqueue(new Uint8Array([7, 8]));
    native.readController.close();
    const reader = socket.readable.getReader({ mode: "byob" });
    const first = await reader.read(new Uint8Array(16));
    expect(first.value).toEqual(new Uint8Array([7, 8]));
    expect((await reader.read(new Uint8Array(16))).done).toBe(true);
  });

  it("close() resolves a pending read with done: true", async () => {
    const socket = connect("127.0.0.1:7");
    lastSocket().open("127.0.0.1:7");
    await socket.opened;
    const read = socket.readable.getReader().read();
    await socket.close();
    expect((await read).done).toBe(true);
  });

  it("close(reason) rejects a pending read with the reason", async () => {
    const socket = connect("127.0.0.1:7");
    lastSocket().open("127.0.0.1:7");
    await socket.opened;
    const read = socket.readable.getReader().read();
    const reason = new Error("enough");
    await socket.close(reason);
    expect(await rejection(read)).toBe(reason);
  });

  it("a read error (workerd's reset) fails the socket: closed and the read reject with one SocketError ECONNRESET", async () => {
    const socket = connect("127.0.0.1:7");
    const native = lastSocket();
    native.open("127.0.0.1:7");
    const read = socket.readable.getReader().read();
    native.readController.error(new Error("Network connection lost."));
    const error = (await rejection(read)) as SocketError;
    expect(error).toBeInstanceOf(SocketError);
    expect(error.code).toBe("ECONNRESET");
    expect(await rejection(socket.closed)).toBe(error);
  });

  it("a reset rejects closed with ECONNRESET although workerd resolves its closed first", async () => {
    const socket = connect("127.0.0.1:7");
    const native = lastSocket();
    native.open("127.0.0.1:7");
    const read = socket.readable.getReader().read();
    await Promise.resolve();
    native.reset();
    const error = (await rejection(socket.closed)) as SocketError;
    expect(error.code).toBe("ECONNRESET");
    expect(await rejection(read)).toBe(error);
  });

  it("a refused connection errors the readable with the same SocketError", async () => {
    const socket = connect("127.0.0.1:1");
    lastSocket().fail("proxy request failed, cannot connect to the specified address");
    const error = await rejection(socket.opened);
    expect(await rejection(socket.readable.getReader().read())).toBe(error);
  });

  it("resolves opened with a full SocketInfo (alpn and localAddress null)", async () => {
    const socket = connect("127.0.0.1:7");
    lastSocket().open("127.0.0.1:7");
    expect(await socket.opened).toEqual({ remoteAddress: "127.0.0.1:7", localAddress: null, alpn: null });
  });

  it("rejects opened and closed with one SocketError, the native error as cause", async () => {
    const socket = connect("127.0.0.1:1");
    lastSocket().fail("Network connection lost.");
    const opened = await rejection(socket.opened);
    const closed = await rejection(socket.closed);
    expect(opened).toBe(closed);
    expect(opened).toBeInstanceOf(SocketError);
    expect((opened as SocketError).code).toBe("ECONNRESET");
    expect((opened as SocketError).message).toBe("SocketError: Network connection lost (127.0.0.1:1)");
    expect((opened as SocketError).cause).toBeInstanceOf(Error);
  });

  it("keeps EUNKNOWN for workerd's one message for refused, unresolved, blocked and TLS failures", async () => {
    const socket = connect("127.0.0.1:1");
    lastSocket().fail("proxy request failed, cannot connect to the specified address");
    expect(((await rejection(socket.closed)) as SocketError).code).toBe("EUNKNOWN");
  });

  it("close() returns the very closed promise, every time, and closes once", async () => {
    const socket = connect("127.0.0.1:7");
    lastSocket().open("127.0.0.1:7");
    await socket.opened;
    const first = socket.close();
    expect(first).toBe(socket.closed);
    expect(socket.close()).toBe(socket.closed);
    await first;
    expect(lastSocket().closeCalls).toBe(1);
  });

  it("close(reason) while connecting rejects opened with the reason; closed resolves", async () => {
    const socket = connect("127.0.0.1:7");
    const native = lastSocket();
    const reason = new Error("changed my mind");
    await socket.close(reason);
    native.open("127.0.0.1:7");
    expect(await rejection(socket.opened)).toBe(reason);
  });

  it("close() while connecting rejects opened with a SocketError ECLOSED", async () => {
    const socket = connect("127.0.0.1:7");
    await socket.close();
    const error = await rejection(socket.opened);
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).code).toBe("ECLOSED");
  });

  it("startTls(): SocketErrors for misuse, upgraded tracked, sni passed as expectedServerHostname", async () => {
    expect(() => connect("127.0.0.1:7").startTls()).toThrow(SocketError);
    const socket = connect("127.0.0.1:7", { secureTransport: "starttls", sni: "db.internal" });
    const native = lastSocket();
    native.open("127.0.0.1:7");
    const secure = socket.startTls();
    expect(native.startTlsCalls).toEqual([{ expectedServerHostname: "db.internal" }]);
    expect(socket.upgraded).toBe(true);
    expect(secure.upgraded).toBe(false);
    expect(secure.secureTransport).toBe("on");
    expect(() => socket.startTls()).toThrow(/already called/);
    await socket.closed;
    expect(() => secure.startTls()).toThrow(SocketError);
  });

  it("a failure of startTls()'s socket on an open connection is ETLS; before the connection was up it is not", async () => {
    const open = connect("127.0.0.1:7", { secureTransport: "starttls" });
    lastSocket().open("127.0.0.1:7");
    await open.opened;
    const secure = open.startTls();
    lastSocket().fail("proxy request failed, cannot connect to the specified address");
    expect(((await rejection(secure.opened)) as SocketError).code).toBe("ETLS");

    const early = connect("127.0.0.1:7", { secureTransport: "starttls" }).startTls();
    lastSocket().fail("proxy request failed, cannot connect to the specified address");
    expect(((await rejection(early.opened)) as SocketError).code).toBe("EUNKNOWN");
  });

  it("startTls() after close() throws SocketError ECLOSED", () => {
    const socket = connect("127.0.0.1:7", { secureTransport: "starttls" });
    void socket.close();
    try {
      socket.startTls();
      expect.unreachable();
    } catch (error) {
      expect((error as SocketError).code).toBe("ECLOSED");
    }
  });
});

describe("workerd branch: signal (extension, emulated)", () => {
  it("an already aborted signal never dials; everything fails with EABORTED", async () => {
    const before = createdSockets().length;
    const reason = new Error("stop");
    const socket = connect("127.0.0.1:7", { signal: AbortSignal.abort(reason) });
    expect(createdSockets().length).toBe(before);
    const error = (await rejection(socket.opened)) as SocketError;
    expect(error.code).toBe("EABORTED");
    expect(error.cause).toBe(reason);
    expect(await rejection(socket.closed)).toBe(error);
    expect(socket.close()).toBe(socket.closed);
    await expect(socket.readable.getReader().read()).rejects.toBe(error);
  });

  it("an abort while connecting rejects opened and closed with EABORTED and closes the native socket", async () => {
    const controller = new AbortController();
    const socket = connect("127.0.0.1:7", { signal: controller.signal });
    const native = lastSocket();
    controller.abort();
    const error = (await rejection(socket.opened)) as SocketError;
    expect(error.code).toBe("EABORTED");
    expect(await rejection(socket.closed)).toBe(error);
    expect(native.closeCalls).toBe(1);
  });
});
