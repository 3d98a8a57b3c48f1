/**
 * `startTls()` in the Socket state machine over a scripted fake transport: a read
 * pending, a write in flight, failures while upgrading, and cancelling the handshake.
 */
import { describe, expect, it } from "vitest";
import { SocketError } from "../src/index.js";
import { fakeRuntime, rejection, state, tick } from "./_fake-transport.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (chunk: Uint8Array | undefined): string => new TextDecoder().decode(chunk);

async function starttlsSocket(address = "127.0.0.1:5432") {
  const runtime = fakeRuntime();
  const socket = runtime.connect(address, { secureTransport: "starttls" });
  const transport = runtime.dial().succeed();
  await socket.opened;
  return { socket, transport };
}

describe("startTls()", () => {
  it("with a read pending: the read is done, the handshake waits for the write in flight, the new socket reads the new transport", async () => {
    const { socket, transport } = await starttlsSocket();
    const pending = socket.readable.getReader().read();
    transport.holdWrites = true;
    const writer = socket.writable.getWriter();
    const written = writer.write(bytes("STARTTLS"));
    await tick();
    const secure = socket.startTls();
    expect(socket.upgraded).toBe(true);
    expect(secure.upgraded).toBe(false);
    expect(secure.secureTransport).toBe("on");
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await state(secure.opened)).toBe("pending");
    expect(transport.calls).not.toContain("startTls"); // core calls it only with no write in flight
    transport.heldWrites[0]!.resolve();
    await written;
    await tick();
    expect(transport.calls).toContain("startTls");
    const handshake = transport.handshakes[0]!;
    // IP literal: verified against the address, no SNI (RFC 6066).
    expect(handshake.tls).toEqual({ verifyName: "127.0.0.1", serverName: null, alpn: [], caCerts: [] });
    await socket.closed; // the old socket's part is over once the handshake is handed the connection
    transport.push("plain bytes after the upgrade"); // must never reach the new socket's reader
    const upgraded = handshake.succeed({ alpn: "x-test" });
    expect(await secure.opened).toEqual(upgraded.info);
    const reading = secure.readable.getReader().read();
    await tick();
    upgraded.push("secret");
    expect(text((await reading).value)).toBe("secret");
    await secure.writable.getWriter().write(bytes("over tls"));
    expect(upgraded.written).toEqual(["over tls"]);
    // The old transport was consumed by startTls, never closed or aborted by the old socket.
    expect(transport.calls).not.toContain("close");
    expect(transport.calls).not.toContain("abort");
    await secure.close();
  });

  it("sends the hostname as SNI and verifies against it", async () => {
    const { socket, transport } = await starttlsSocket("db.internal:5432");
    socket.startTls();
    await tick();
    expect(transport.handshakes[0]!.tls).toEqual({ verifyName: "db.internal", serverName: "db.internal", alpn: [], caCerts: [] });
  });

  it("refuses writes on the old socket from the call on", async () => {
    const { socket, transport } = await starttlsSocket();
    const writer = socket.writable.getWriter();
    socket.startTls();
    expect(await rejection(writer.write(bytes("too late")))).toMatchObject({ code: "ECLOSED" });
    expect(transport.written).toEqual([]);
  });
});

describe("a failure while upgrading", () => {
  it("the connection fails before the handshake starts: the new socket's opened and the old closed reject with that one error", async () => {
    const { socket, transport } = await starttlsSocket();
    transport.holdWrites = true;
    const written = rejection(socket.writable.getWriter().write(bytes("STARTTLS")));
    await tick();
    const secure = socket.startTls();
    transport.events.error(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
    transport.heldWrites[0]!.reject(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    const error = await rejection(socket.closed);
    expect(error).toBeInstanceOf(SocketError);
    expect(error).toMatchObject({ code: "ECONNRESET" });
    expect(await written).toBe(error);
    expect(await rejection(secure.opened)).toBe(error);
    expect(await rejection(secure.closed)).toBe(error);
    expect(transport.calls).not.toContain("startTls");
    // Nobody else will release the old connection (a pull runtime keeps its handle open after a read error).
    expect(transport.calls).toContain("abort");
  });

  it("the handshake fails: the new socket's opened and closed reject with it (ETLS); the old socket closed", async () => {
    const { socket, transport } = await starttlsSocket();
    const secure = socket.startTls();
    await tick();
    const failure = new SocketError("certificate has expired", { code: "ETLS" });
    transport.handshakes[0]!.fail(failure);
    expect(await rejection(secure.opened)).toBe(failure);
    expect(await rejection(secure.closed)).toBe(failure);
    await expect(socket.closed).resolves.toBeUndefined();
    expect(await rejection(secure.readable.getReader().read())).toBe(failure);
  });

  it("closing the new socket during the handshake cancels it, and a late transport is aborted", async () => {
    const { socket, transport } = await starttlsSocket();
    const secure = socket.startTls();
    await tick();
    const handshake = transport.handshakes[0]!;
    await secure.close();
    expect(handshake.cancel.cancelled).toBe(true);
    expect(await rejection(secure.opened)).toMatchObject({ code: "ECLOSED" });
    const late = handshake.succeed();
    await tick();
    expect(late.calls).toEqual(["abort"]);
  });
});
