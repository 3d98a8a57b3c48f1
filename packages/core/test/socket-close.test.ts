/**
 * The Socket state machine's close paths over a scripted fake transport: close while
 * opening, close(reason) with a write in flight, and the write flush cutoff at close().
 */
import { describe, expect, it } from "vitest";
import { SocketError } from "../src/index.js";
import { fakeRuntime, rejection, state, tick } from "./_fake-transport.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("close() while opening", () => {
  it("resolves closed, rejects opened with ECLOSED and cancels the dial", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const dial = runtime.dial();
    expect(dial.request.cancel.cancelled).toBe(false);
    const closing = socket.close();
    expect(closing).toBe(socket.closed);
    expect(dial.request.cancel.cancelled).toBe(true);
    const error = await rejection(socket.opened);
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).code).toBe("ECLOSED");
    await expect(closing).resolves.toBeUndefined();
  });

  it("aborts a transport that arrives after the close, and uses it for nothing", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const writing = rejection(socket.writable.getWriter().write(bytes("early")));
    const reading = socket.readable.getReader().read();
    await socket.close();
    const late = runtime.dial().succeed();
    await tick();
    expect(late.calls).toEqual(["abort"]);
    expect(await reading).toEqual({ done: true, value: undefined });
    expect(await writing).toMatchObject({ code: "ECLOSED" });
  });
});

describe("close(reason)", () => {
  it("with a write in flight: the write rejects with the reason even if the transport then reports it written", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const transport = runtime.dial().succeed();
    await socket.opened;
    transport.holdWrites = true;
    const writer = socket.writable.getWriter();
    const writing = rejection(writer.write(bytes("in flight")));
    const reading = rejection(socket.readable.getReader().read());
    await tick();
    expect(transport.written).toEqual(["in flight"]);
    const reason = new Error("give up");
    await expect(socket.close(reason)).resolves.toBeUndefined();
    // Node, for one, completes a destroyed socket's pending write with success.
    transport.heldWrites[0]!.resolve();
    expect(await writing).toBe(reason);
    expect(await reading).toBe(reason);
    expect(await rejection(writer.write(bytes("later")))).toBe(reason);
    expect(transport.calls).toContain("abort");
    expect(transport.calls).not.toContain("close");
    expect(transport.calls).not.toContain("shutdown");
  });

  it("while opening: opened rejects with the reason itself, and the dial is cancelled with it", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const reason = new Error("not needed");
    await socket.close(reason);
    expect(await rejection(socket.opened)).toBe(reason);
    expect(runtime.dial().request.cancel.reason).toBe(reason);
  });
});

describe("graceful close(): the write flush cutoff", () => {
  it("hands every write accepted before close() to the transport before closing it; later writes reject ECLOSED unsent", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const transport = runtime.dial().succeed();
    await socket.opened;
    transport.holdWrites = true;
    const writer = socket.writable.getWriter();
    const first = writer.write(bytes("one"));
    const second = writer.write(bytes("two"));
    await tick();
    expect(transport.written).toEqual(["one"]); // "two" waits in the stream's queue
    const closing = socket.close();
    const third = rejection(writer.write(bytes("three")));
    await tick();
    expect(transport.calls).not.toContain("close");
    transport.heldWrites[0]!.resolve();
    await tick();
    expect(transport.written).toEqual(["one", "two"]);
    expect(transport.calls).not.toContain("close");
    expect(await state(closing)).toBe("pending");
    transport.heldWrites[1]!.resolve();
    await closing;
    await first;
    await second;
    expect(await third).toMatchObject({ code: "ECLOSED" });
    expect(transport.written).toEqual(["one", "two"]);
    expect(transport.calls.filter((call) => call !== "pause" && call !== "pull")).toEqual(["write one", "write two", "close"]);
  });

  // Not paused first: the transport keeps reading (and dropping) what arrives until its
  // close, since unread bytes in the kernel would turn the FIN into a RST.
  it("a pending read resolves done, and the transport is closed without a pause", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const transport = runtime.dial().succeed();
    await socket.opened;
    const reading = socket.readable.getReader().read();
    await tick();
    await socket.close();
    expect(await reading).toEqual({ done: true, value: undefined });
    expect(transport.calls).toEqual(["pull", "close"]);
  });

  it("is idempotent and returns closed every time", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const transport = runtime.dial().succeed();
    await socket.opened;
    expect(socket.close()).toBe(socket.closed);
    expect(socket.close(new Error("ignored: already closing"))).toBe(socket.closed);
    await socket.closed;
    expect(socket.close()).toBe(socket.closed);
    expect(transport.calls.filter((call) => call === "close" || call === "abort")).toEqual(["close"]);
  });
});
