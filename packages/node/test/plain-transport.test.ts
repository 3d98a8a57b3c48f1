import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Cancellation, SocketError, type OpenRequest, type Transport } from "@sockets/core";
import { openNodeTransport } from "../src/open-node-transport.js";
import { Recorder, Servers, serverOutcome, settle, until } from "./_harness.js";

const servers = new Servers();
const transports: Transport[] = [];
afterEach(async () => {
  for (const transport of transports.splice(0)) transport.abort();
  await servers.stopAll();
});

function request(port: number, hostname = "127.0.0.1", cancel = new Cancellation()): OpenRequest {
  return { hostname, port, tls: null, starttls: false, cancel };
}

async function open(port: number, events: Recorder, hostname?: string): Promise<Transport> {
  const transport = await openNodeTransport(request(port, hostname), events);
  transports.push(transport);
  return transport;
}

function echoServer(): net.Server {
  return net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("error", () => {});
    socket.pipe(socket);
  });
}

describe("open", () => {
  it("reports addresses as host:port and no ALPN", async () => {
    const port = await servers.listen(echoServer());
    const transport = await open(port, new Recorder());
    expect(transport.info.remoteAddress).toBe(`127.0.0.1:${port}`);
    expect(transport.info.localAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(transport.info.alpn).toBeNull();
  });

  it("brackets IPv6 addresses", async () => {
    const port = await servers.listen(echoServer(), "::1");
    const transport = await open(port, new Recorder(), "::1");
    expect(transport.info.remoteAddress).toBe(`[::1]:${port}`);
    expect(transport.info.localAddress).toMatch(/^\[::1\]:\d+$/);
  });

  it("rejects with Node's ECONNREFUSED when nothing listens", async () => {
    const port = await servers.listen(echoServer());
    await servers.stopAll();
    await expect(openNodeTransport(request(port), new Recorder())).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("rejects, or reports an error, when the peer resets right after accepting", async () => {
    const port = await servers.listen(net.createServer((socket) => socket.resetAndDestroy()));
    const events = new Recorder();
    // Depending on when the RST lands, Node fails the connect itself ('error' ECONNRESET,
    // 'close', no 'connect') or the first read; both must surface as ECONNRESET.
    const outcome = await openNodeTransport(request(port), events).then(
      async (transport) => {
        transports.push(transport);
        transport.pull(null);
        return events.waitError();
      },
      (error: unknown) => error,
    );
    expect(outcome).toMatchObject({ code: "ECONNRESET" });
  });

  it("stops a connect in flight when core cancels it", async () => {
    // A listener whose accept queue is full never completes new handshakes on Linux; to
    // stay portable, cancel synchronously after dialling instead.
    const port = await servers.listen(echoServer());
    const cancel = new Cancellation();
    const pending = openNodeTransport(request(port, "127.0.0.1", cancel), new Recorder());
    cancel.cancel(new Error("stop"));
    const error = await pending.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SocketError);
    expect(error).toMatchObject({ code: "EABORTED" });
    expect((error as Error).cause).toEqual(new Error("stop"));
  });

  it("rejects with core's reason itself when it is a SocketError (closed, signal)", async () => {
    const port = await servers.listen(echoServer());
    const cancel = new Cancellation();
    const pending = openNodeTransport(request(port, "127.0.0.1", cancel), new Recorder());
    const reason = new SocketError("The socket was closed", { code: "ECLOSED" });
    cancel.cancel(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("rejects at once for an attempt already cancelled", async () => {
    const cancel = new Cancellation();
    cancel.cancel(new Error("stop"));
    await expect(openNodeTransport(request(1, "127.0.0.1", cancel), new Recorder())).rejects.toMatchObject({
      code: "EABORTED",
    });
  });
});

describe("reading", () => {
  it("delivers from the open (core pauses it), as plain Uint8Arrays that own their ArrayBuffer", async () => {
    const port = await servers.listen(net.createServer((socket) => socket.end("hello")));
    const events = new Recorder();
    await open(port, events);
    await events.waitEnd();
    expect(events.text()).toBe("hello");
    expect(events.ends).toBe(1);
    for (const chunk of events.chunks) {
      expect(Object.getPrototypeOf(chunk)).toBe(Uint8Array.prototype);
      expect(chunk.byteOffset).toBe(0);
      expect(chunk.buffer.byteLength).toBe(chunk.byteLength);
      // Core may transfer it: that must work and leave the chunk detached.
      structuredClone(chunk.buffer, { transfer: [chunk.buffer] });
      expect(chunk.byteLength).toBe(0);
    }
  });

  it("stops reading while paused, so the sender stalls; resumes on pull", async () => {
    const total = 64 * 1024 * 1024;
    let sent = 0;
    let server!: net.Socket;
    const port = await servers.listen(
      net.createServer((socket) => {
        server = socket;
        const chunk = Buffer.alloc(1024 * 1024, 7);
        const pump = (): void => {
          while (sent < total) {
            sent += chunk.byteLength;
            if (!socket.write(chunk)) return void socket.once("drain", pump);
          }
          socket.end();
        };
        pump();
      }),
    );
    const events = new Recorder();
    events.onData = () => transport.pause();
    const transport = await open(port, events);
    transport.pull(null);
    await until(() => events.bytes > 0, "the first chunk");
    // Paused after the first chunk (as core does): the sender's buffers fill and it stops.
    let last = -1;
    while (server.bytesWritten !== last) {
      last = server.bytesWritten;
      await settle(100);
    }
    const delivered = events.chunks.length;
    expect(server.bytesWritten).toBeLessThan(total / 2);
    expect(events.chunks.length).toBe(delivered);
    events.onData = null;
    transport.pull(null);
    await events.waitEnd(20_000);
    expect(events.bytes).toBe(total);
  }, 30_000);

  it("reports the peer's FIN once and stays writable (half-open)", async () => {
    let server!: net.Socket;
    const port = await servers.listen(
      net.createServer({ allowHalfOpen: true }, (socket) => {
        server = socket;
        socket.end("bye");
      }),
    );
    const events = new Recorder();
    const transport = await open(port, events);
    transport.pull(null);
    await events.waitEnd();
    const outcome = serverOutcome(server);
    await transport.write(new TextEncoder().encode("still here"));
    await transport.shutdown();
    const { data, ended, error } = await outcome;
    expect(data.toString()).toBe("still here");
    expect(ended).toBe(true);
    expect(error).toBeNull();
    expect(events.ends).toBe(1);
    expect(events.errors).toEqual([]);
  });

  it("reports a reset as an error, once, with Node's error", async () => {
    const port = await servers.listen(
      net.createServer((socket) => socket.once("data", () => socket.resetAndDestroy())),
    );
    const events = new Recorder();
    const transport = await open(port, events);
    transport.pull(null);
    await transport.write(new Uint8Array([1]));
    const error = await events.waitError();
    expect(error).toMatchObject({ code: "ECONNRESET" });
    await settle();
    expect(events.errors).toHaveLength(1);
    expect(events.ends).toBe(0);
  });
});

describe("writing", () => {
  it("half-closes with shutdown() and still receives the reply", async () => {
    const port = await servers.listen(
      net.createServer({ allowHalfOpen: true }, (socket) => {
        const chunks: Buffer[] = [];
        socket.on("data", (chunk: Buffer) => chunks.push(chunk));
        socket.on("end", () => socket.end(`got ${Buffer.concat(chunks).toString()}`));
      }),
    );
    const events = new Recorder();
    const transport = await open(port, events);
    transport.pull(null);
    await transport.write(new TextEncoder().encode("ping"));
    await transport.shutdown();
    await transport.shutdown(); // idempotent
    await events.waitEnd();
    expect(events.text()).toBe("got ping");
  });

  it("keeps write() pending while the peer does not read, and never lets go of memory Node still holds", async () => {
    let server!: net.Socket;
    const port = await servers.listen(
      net.createServer((socket) => {
        server = socket;
        socket.pause();
      }),
    );
    const transport = await open(port, new Recorder());
    await until(() => server !== undefined, "the accept");
    const chunk = new Uint8Array(256 * 1024);
    let written = 0;
    let pending: void | Promise<void>;
    // Fill the kernel buffers until a write has to wait.
    for (;;) {
      chunk.fill(written & 0xff);
      pending = transport.write(chunk);
      written++;
      if (pending !== undefined) {
        let done = false;
        void pending.then(() => (done = true));
        await settle(100);
        if (!done) break;
      }
      expect(written).toBeLessThan(1024); // 256 MiB: the peer is not reading, something is wrong
    }
    const waiting = pending as Promise<void>;
    const lastByte = (written - 1) & 0xff;
    const received: Buffer[] = [];
    server.on("data", (data: Buffer) => received.push(data));
    server.resume();
    await waiting;
    // Overwrite the caller's memory: the peer must still get what was written.
    chunk.fill(0xee);
    await transport.shutdown();
    await new Promise((resolve) => server.once("end", resolve));
    const all = Buffer.concat(received);
    expect(all.byteLength).toBe(written * chunk.byteLength);
    const tail = all.subarray(all.byteLength - chunk.byteLength);
    expect(tail.every((byte) => byte === lastByte)).toBe(true);
  }, 20_000);

  it("refuses a write after shutdown without destroying the socket", async () => {
    const port = await servers.listen(echoServer());
    const events = new Recorder();
    const transport = await open(port, events);
    await transport.shutdown();
    await expect(transport.write(new Uint8Array([1]))).rejects.toMatchObject({ code: "EPIPE" });
    transport.pull(null);
    await events.waitEnd();
    expect(events.errors).toEqual([]);
  });
});

describe("closing", () => {
  it("close() flushes, sends FIN, resolves once closed, and fires no more events", async () => {
    let outcome!: ReturnType<typeof serverOutcome>;
    const port = await servers.listen(
      net.createServer((socket) => {
        outcome = serverOutcome(socket);
        socket.write("unread data");
      }),
    );
    const events = new Recorder();
    const transport = await open(port, events);
    await until(() => outcome !== undefined, "the accept");
    await transport.write(new TextEncoder().encode("last words"));
    await transport.close();
    expect(transport.close()).toBe(transport.close()); // idempotent
    const { data, ended, error } = await outcome;
    expect(data.toString()).toBe("last words");
    expect(ended).toBe(true);
    expect(error).toBeNull();
    expect(events.bytes).toBe(0);
    expect(events.errors).toEqual([]);
  });

  it("abort() sends RST", async () => {
    let outcome!: ReturnType<typeof serverOutcome>;
    const port = await servers.listen(net.createServer((socket) => (outcome = serverOutcome(socket))));
    const events = new Recorder();
    const transport = await open(port, events);
    await until(() => outcome !== undefined, "the accept");
    transport.abort();
    transport.abort(); // idempotent
    const { error, ended } = await outcome;
    expect(error).toMatchObject({ code: "ECONNRESET" });
    expect(ended).toBe(false);
    expect(events.errors).toEqual([]);
  });
});
