/**
 * The Socket state machine's read side over a scripted fake transport: the peer's FIN with
 * and without allowHalfOpen, pausing a push transport, and a BYOB buffer handed back only
 * after the pull transport's read into it settled.
 */
import { describe, expect, it } from "vitest";
import { SocketError } from "../src/index.js";
import { fakeRuntime, rejection, state, tick } from "./_fake-transport.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (chunk: Uint8Array | undefined): string => new TextDecoder().decode(chunk);

/** A socket over the fake transport, open. */
async function openSocket() {
  const runtime = fakeRuntime();
  const socket = runtime.connect("127.0.0.1:5432");
  const transport = runtime.dial().succeed();
  await socket.opened;
  return { socket, transport };
}

describe("the peer's FIN", () => {
  it("without allowHalfOpen: the reader is done, accepted writes are flushed, later writes reject EPIPE, then FIN and close", async () => {
    const { socket, transport } = await openSocket();
    transport.holdWrites = true;
    const writer = socket.writable.getWriter();
    const before = writer.write(bytes("before"));
    const reader = socket.readable.getReader();
    await tick();
    transport.events.end();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    const after = rejection(writer.write(bytes("after")));
    await tick();
    expect(transport.calls).not.toContain("shutdown"); // "before" is still in flight
    transport.heldWrites[0]!.resolve();
    await before;
    await socket.closed;
    expect(await after).toMatchObject({ code: "EPIPE" });
    expect(transport.written).toEqual(["before"]);
    expect(transport.calls.slice(-2)).toEqual(["shutdown", "close"]);
  });

  it("without allowHalfOpen: a readable.pipeTo(writable) echo resolves (the writable is left to its holder, not errored)", async () => {
    const { socket, transport } = await openSocket();
    const piped = socket.readable.pipeTo(socket.writable);
    transport.push("ping");
    await tick();
    transport.events.end();
    await piped;
    await socket.closed;
    expect(transport.written).toEqual(["ping"]);
    expect(transport.calls.filter((call) => call === "shutdown")).toEqual(["shutdown"]);
    expect(transport.calls.at(-1)).toBe("close");
  });

  it("without allowHalfOpen: a pipeTo echo also writes the last chunk when it and the FIN come in one tick (Node's TLS socket)", async () => {
    const { socket, transport } = await openSocket();
    const piped = socket.readable.pipeTo(socket.writable);
    transport.push("first");
    await tick();
    transport.push("last");
    transport.events.end(); // the same tick: nothing ran in between
    await piped;
    await socket.closed;
    expect(transport.written).toEqual(["first", "last"]);
    expect(transport.calls.filter((call) => call === "shutdown")).toEqual(["shutdown"]);
  });

  it("without allowHalfOpen: the peer's FIN is acted on once the reader took the chunks before it, not when it arrived", async () => {
    const { socket, transport } = await openSocket();
    transport.push("unread");
    transport.events.end();
    await tick();
    // Nobody has read: no FIN of ours yet, and a write is still accepted.
    expect(transport.calls).not.toContain("shutdown");
    const writer = socket.writable.getWriter();
    await writer.write(bytes("reply"));
    const reader = socket.readable.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("unread");
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    await socket.closed;
    expect(transport.written).toEqual(["reply"]);
    expect(transport.calls.filter((call) => call === "shutdown")).toEqual(["shutdown"]);
    expect(await rejection(writer.write(bytes("late")))).toMatchObject({ code: "EPIPE" });
  });

  it("without allowHalfOpen: cancelling the readable before taking the peer's end still ends our side", async () => {
    const { socket, transport } = await openSocket();
    transport.push("unread");
    transport.events.end();
    await socket.readable.cancel();
    await socket.closed;
    expect(transport.calls.filter((call) => call === "shutdown")).toEqual(["shutdown"]);
  });

  it("without allowHalfOpen: after the peer's FIN a write rejects with EPIPE, and closing the writable resolves", async () => {
    const endOf = async (options?: { allowHalfOpen: false }) => {
      const runtime = fakeRuntime();
      const socket = runtime.connect("127.0.0.1:5432", options);
      const transport = runtime.dial().succeed();
      await socket.opened;
      const reader = socket.readable.getReader();
      transport.events.end();
      expect(await reader.read()).toEqual({ done: true, value: undefined });
      await socket.closed;
      return { socket, transport };
    };
    const written = await endOf();
    const late = await rejection(written.socket.writable.getWriter().write(bytes("late")));
    expect(late).toBeInstanceOf(SocketError);
    expect(late).toMatchObject({ code: "EPIPE" });
    expect(written.transport.written).toEqual([]);
    const closed = await endOf({ allowHalfOpen: false });
    await closed.socket.writable.getWriter().close();
    expect(closed.transport.calls.filter((call) => call === "shutdown")).toEqual(["shutdown"]);
  });

  it("with allowHalfOpen: the reader is done, writing goes on, and our FIN waits for writable.close()", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432", { allowHalfOpen: true });
    const transport = runtime.dial().succeed();
    await socket.opened;
    const reader = socket.readable.getReader();
    const writer = socket.writable.getWriter();
    transport.events.end();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    await writer.write(bytes("still here"));
    await tick();
    expect(transport.written).toEqual(["still here"]);
    expect(transport.calls).not.toContain("shutdown");
    expect(await state(socket.closed)).toBe("pending");
    await writer.close();
    await socket.closed;
    expect(transport.calls.slice(-2)).toEqual(["shutdown", "close"]);
  });

  it("is ignored after our own graceful close started", async () => {
    const { socket, transport } = await openSocket();
    const closing = socket.close();
    transport.events.end();
    await closing;
    expect(transport.calls).not.toContain("shutdown");
  });
});

describe("reading from a push transport", () => {
  it("pauses it when a chunk nobody asked for arrives, and resumes it (pull) when a read comes", async () => {
    const { socket, transport } = await openSocket();
    transport.push("unasked");
    expect(transport.calls).toEqual(["pause"]);
    const reader = socket.readable.getReader();
    expect(text((await reader.read()).value)).toBe("unasked");
    const next = reader.read();
    await tick();
    expect(transport.calls).toEqual(["pause", "pull"]);
    transport.push("asked"); // goes straight to the waiting read: no pause
    expect(text((await next).value)).toBe("asked");
    expect(transport.calls).toEqual(["pause", "pull"]);
  });
});

describe("a BYOB read on a pull transport", () => {
  it("reads straight into the reader's buffer", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const transport = runtime.dial().succeed({ pullMode: true });
    await socket.opened;
    const buffer = new ArrayBuffer(16);
    const reading = socket.readable.getReader({ mode: "byob" }).read(new Uint8Array(buffer, 4, 8));
    await tick();
    const view = transport.heldPull!.view!;
    expect(view.byteOffset).toBe(4);
    expect(view.byteLength).toBe(8);
    transport.deliver("zero");
    const { value } = await reading;
    expect(text(value)).toBe("zero");
    expect(value!.byteOffset).toBe(4);
    expect(value!.buffer.byteLength).toBe(16);
  });

  it.each([
    ["close()", (socket: { close(): Promise<void> }) => void socket.close()],
    ["the peer's FIN", (_socket: unknown, events: { end(): void }) => events.end()],
  ])("after %s, hands the buffer back only once the read in flight into it settled", async (_name, finish) => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const transport = runtime.dial().succeed({ pullMode: true });
    await socket.opened;
    const reading = socket.readable.getReader({ mode: "byob" }).read(new Uint8Array(32));
    await tick();
    expect(transport.heldPull?.view?.byteLength).toBe(32);
    finish(socket, transport.events);
    // The runtime may still write into that memory: the reader must not own it yet.
    expect(await state(reading)).toBe("pending");
    transport.finishPull();
    const result = await reading;
    expect(result.done).toBe(true);
    expect(result.value?.byteLength).toBe(0);
    expect(result.value?.buffer.byteLength).toBe(32);
  });
});

describe("a connection failure", () => {
  it("lets the reader have the bytes that arrived before it, then errors the read with closed's error", async () => {
    const { socket, transport } = await openSocket();
    transport.push("last words");
    transport.events.error(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
    const error = await rejection(socket.closed);
    expect(error).toMatchObject({ code: "ECONNRESET" });
    const reader = socket.readable.getReader();
    expect(text((await reader.read()).value)).toBe("last words");
    expect(await rejection(reader.read())).toBe(error);
  });

  it("on a pull transport: bytes delivered by the same read as the error come first too", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const transport = runtime.dial().succeed({ pullMode: true });
    await socket.opened;
    const reader = socket.readable.getReader();
    const first = reader.read();
    await tick();
    transport.events.data(bytes("one"));
    transport.events.data(bytes("two"));
    transport.events.error(Object.assign(new Error("reset"), { code: "ECONNRESET" }));
    transport.finishPull();
    expect(text((await first).value)).toBe("one");
    expect(text((await reader.read()).value)).toBe("two");
    expect(await rejection(reader.read())).toBe(await rejection(socket.closed));
  });

  it("close(reason) drops queued bytes at once (an abort of ours is not a connection failure)", async () => {
    const { socket, transport } = await openSocket();
    transport.push("unread");
    const reason = new Error("abort");
    await socket.close(reason);
    expect(await rejection(socket.readable.getReader().read())).toBe(reason);
  });
});
