/**
 * Failures in the Socket state machine over a scripted fake transport: one `SocketError`
 * for everything, the order things reject in, and never an unhandled rejection.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SocketError } from "../src/index.js";
import { fakeRuntime, rejection, tick } from "./_fake-transport.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const refused = (): Error => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
const reset = (): Error => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });

describe("a failed dial", () => {
  it("rejects opened and closed with one SocketError, which the streams error with too", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const native = refused();
    runtime.dial().fail(native);
    const error = await rejection(socket.opened);
    expect(error).toBeInstanceOf(SocketError);
    expect(error).toMatchObject({ code: "ECONNREFUSED", cause: native });
    expect(await rejection(socket.closed)).toBe(error);
    expect(await rejection(socket.readable.getReader().read())).toBe(error);
    expect(await rejection(socket.writable.getWriter().write(bytes("x")))).toBe(error);
  });

  it("rejects in order: opened, closed, then the pending write and read", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const order: string[] = [];
    socket.opened.catch(() => order.push("opened"));
    socket.closed.catch(() => order.push("closed"));
    socket.writable
      .getWriter()
      .write(bytes("queued"))
      .catch(() => order.push("write"));
    socket.readable
      .getReader()
      .read()
      .catch(() => order.push("read"));
    await tick();
    runtime.dial().fail(refused());
    await tick();
    expect(order.slice(0, 2)).toEqual(["opened", "closed"]);
    expect(order.slice(2).sort()).toEqual(["read", "write"]);
  });
});

describe("a failure of an open connection", () => {
  it("rejects closed before the streams error, all with one SocketError", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const transport = runtime.dial().succeed();
    await socket.opened;
    transport.holdWrites = true;
    const order: string[] = [];
    const seen: unknown[] = [];
    const note = (what: string) => (error: unknown) => void (order.push(what), seen.push(error));
    socket.closed.catch(note("closed"));
    socket.writable.getWriter().write(bytes("in flight")).catch(note("write"));
    socket.readable.getReader().read().catch(note("read"));
    await tick();
    transport.events.error(reset());
    // The transport fails the write its teardown interrupted, with its own error.
    transport.heldWrites[0]!.reject(new Error("write after destroy"));
    await tick();
    expect(order[0]).toBe("closed");
    expect(order.slice(1).sort()).toEqual(["read", "write"]);
    expect(seen[0]).toBeInstanceOf(SocketError);
    expect(seen[0]).toMatchObject({ code: "ECONNRESET" });
    expect(seen.every((error) => error === seen[0])).toBe(true);
    expect(transport.calls).toContain("abort");
  });

  it("a failed write fails the socket with the write's error", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const transport = runtime.dial().succeed();
    await socket.opened;
    transport.holdWrites = true;
    const writing = rejection(socket.writable.getWriter().write(bytes("x")));
    await tick();
    transport.heldWrites[0]!.reject(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    const error = await rejection(socket.closed);
    expect(error).toMatchObject({ code: "EPIPE" });
    expect(await writing).toBe(error);
    expect(transport.calls).toContain("abort");
  });

  it("reports only the first error; later events are ignored", async () => {
    const runtime = fakeRuntime();
    const socket = runtime.connect("127.0.0.1:5432");
    const transport = runtime.dial().succeed();
    await socket.opened;
    transport.events.error(reset());
    transport.events.error(new Error("second"));
    transport.events.end();
    transport.push("late");
    expect(await rejection(socket.closed)).toMatchObject({ code: "ECONNRESET" });
    expect(await rejection(socket.readable.getReader().read())).toMatchObject({ code: "ECONNRESET" });
  });
});

describe("opened and closed are marked handled", () => {
  const proc = (
    globalThis as unknown as { process: { on(e: string, f: (r: unknown) => void): void; off(e: string, f: (r: unknown) => void): void } }
  ).process;
  let unhandled: unknown[] = [];
  const hook = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(() => {
    unhandled = [];
    proc.on("unhandledRejection", hook);
  });
  afterEach(() => proc.off("unhandledRejection", hook));

  /** Lets Node's unhandled-rejection check (after the microtask queue drains) run twice. */
  async function settleRejections(): Promise<void> {
    for (let i = 0; i < 3; i++) await tick();
  }

  it.each<[string, () => Promise<void>]>([
    [
      "a failed dial",
      async () => {
        const runtime = fakeRuntime();
        runtime.connect("127.0.0.1:5432");
        runtime.dial().fail(refused());
      },
    ],
    [
      "a failure after the open",
      async () => {
        const runtime = fakeRuntime();
        const socket = runtime.connect("127.0.0.1:5432");
        const transport = runtime.dial().succeed();
        await socket.opened;
        transport.events.error(reset());
      },
    ],
    [
      "close(reason) while opening",
      async () => {
        const runtime = fakeRuntime();
        void runtime.connect("127.0.0.1:5432").close(new Error("abort"));
      },
    ],
    [
      "the signal while opening",
      async () => {
        const runtime = fakeRuntime();
        const controller = new AbortController();
        runtime.connect("127.0.0.1:5432", { signal: controller.signal });
        controller.abort();
      },
    ],
    [
      "a failure while upgrading, and a failed handshake",
      async () => {
        const runtime = fakeRuntime();
        const socket = runtime.connect("127.0.0.1:5432", { secureTransport: "starttls" });
        const transport = runtime.dial().succeed();
        await socket.opened;
        socket.startTls();
        transport.events.error(reset());
        const other = fakeRuntime();
        const second = other.connect("127.0.0.1:5432", { secureTransport: "starttls" });
        const plain = other.dial().succeed();
        await second.opened;
        second.startTls();
        await tick();
        plain.handshakes[0]!.fail(new SocketError("bad certificate", { code: "ETLS" }));
      },
    ],
  ])("after %s, with no handler attached by the caller", async (_name, scenario) => {
    await scenario();
    await settleRejections();
    expect(unhandled).toEqual([]);
  });
});
