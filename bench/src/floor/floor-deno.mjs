/**
 * The floor on Deno: the thinnest spec-shaped `connect()` over `Deno.connect` /
 * `Deno.connectTls` — a byte `ReadableStream` whose `pull()` is one raw `conn.read()` and a
 * `WritableStream` whose `write()` loops over `conn.write()`, plus `opened`, `closed`,
 * `close()`. No validation, no state machine, no `SocketError`, no error mapping. What it
 * costs above native is Deno's web streams and the promises the spec shape needs, so
 * `ours/floor` is what @sockets adds on top.
 *
 * A BYOB read goes straight into the reader's view; a default read into a scratch buffer
 * of the connection's own (4 KiB, growing ×4 up to 64 KiB when a read fills it, as ours
 * does, so an idle connection's pending read does not hold 64 KiB) and is copied out
 * exactly (a chunk handed to the stream must own its memory).
 *
 * @module
 */
/* global Deno */

const noop = () => {};
/** What writes after `close()` reject with (one object: the floor makes no error per socket). */
const CLOSED = new Error("The socket was closed");

class FloorSocket {
  constructor(connecting, allowHalfOpen, secure) {
    this.conn = null;
    this.closing = false;
    this.scratch = new Uint8Array(4096);
    let resolveClosed;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));
    this.resolveClosed = resolveClosed;
    const ready = connecting.then(async (conn) => {
      if (secure) await conn.handshake();
      else conn.setNoDelay(true);
      this.conn = conn;
      return conn;
    });
    this.ready = ready;
    this.opened = ready.then((conn) => ({ remoteAddress: conn.remoteAddr, localAddress: conn.localAddr }));
    this.opened.catch(noop);
    this.readable = new ReadableStream({
      type: "bytes",
      start: (controller) => void (this.readableController = controller),
      pull: async (controller) => {
        const conn = this.conn ?? (await ready);
        const request = controller.byobRequest;
        try {
          if (request !== null) {
            const n = await conn.read(request.view);
            if (n === null) return this.eof(controller);
            request.respond(n);
            return;
          }
          const scratch = this.scratch;
          const n = await conn.read(scratch);
          if (n === null) return this.eof(controller);
          controller.enqueue(scratch.slice(0, n));
          if (n === scratch.length && n < 65536) this.scratch = new Uint8Array(n * 4);
        } catch (error) {
          if (!this.closing) throw error;
          this.eof(controller);
        }
      },
      cancel: () => this.close(),
    });
    this.allowHalfOpen = allowHalfOpen;
    this.writable = new WritableStream({
      start: (controller) => void (this.writableController = controller),
      write: async (chunk) => {
        const conn = this.conn ?? (await ready);
        let offset = await conn.write(chunk);
        while (offset < chunk.byteLength) offset += await conn.write(chunk.subarray(offset));
      },
      close: async () => (this.conn ?? (await ready)).closeWrite(),
      abort: () => this.close(),
    });
  }

  eof(controller) {
    this.endReadable(controller);
    if (!this.allowHalfOpen) this.close();
  }

  endReadable(controller) {
    try {
      controller.close();
      controller.byobRequest?.respond(0);
    } catch {
      // already closed (by close()) or errored
    }
  }

  /** The spec's close steps (the readable ends, the writable errors), then the conn closes. */
  close() {
    if (this.closing) return this.closed;
    this.closing = true;
    this.endReadable(this.readableController);
    this.writableController.error(CLOSED);
    const shut = (conn) => {
      try {
        conn.close();
      } catch {
        // already closed
      }
      this.resolveClosed();
    };
    if (this.conn !== null) shut(this.conn);
    else this.ready.then(shut, () => this.resolveClosed());
    return this.closed;
  }
}

/**
 * `connect()` of the floor: `address` `{ hostname, port }`, options `secureTransport`
 * (`"off"`/`"on"`) and `allowHalfOpen` (default `false`).
 */
export function connect(address, options = {}) {
  const target = { hostname: address.hostname, port: address.port };
  const secure = options.secureTransport === "on";
  return new FloorSocket(secure ? Deno.connectTls(target) : Deno.connect(target), options.allowHalfOpen === true, secure);
}

/** Wraps an accepted `Deno.Conn`. */
export function wrapAccepted(conn) {
  return new FloorSocket(Promise.resolve(conn), false, false);
}

/**
 * `listen()` of the floor: `Deno.listen`, one `accept()` per pull of the stream of
 * sockets. `opened` resolves `{ localAddress }`; `close()` stops accepting and ends the
 * stream.
 */
export function listen(address) {
  const listener = Deno.listen({ hostname: address.hostname, port: address.port });
  let closing = false;
  const readable = new ReadableStream(
    {
      pull: async (controller) => {
        try {
          controller.enqueue(wrapAccepted(await listener.accept()));
        } catch (error) {
          if (!closing) throw error;
          controller.close();
        }
      },
    },
    { highWaterMark: 0 },
  );
  let closed = null;
  return {
    readable,
    opened: Promise.resolve({ localAddress: `${address.hostname}:${listener.addr.port}` }),
    close() {
      if (closed === null) {
        closing = true;
        listener.close();
        closed = Promise.resolve();
      }
      return closed;
    },
  };
}

/**
 * `udp()` of the floor, connected mode only (what the bench uses): `Deno.listenDatagram`
 * on an ephemeral port, one `receive()` per pull into one 64 KiB buffer, copied out
 * exactly, as a `UDPMessage`; each write one `send()` to the peer.
 */
export function udp(options) {
  const conn = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const target = { transport: "udp", hostname: options.remoteAddress, port: options.remotePort };
  const buffer = new Uint8Array(65536);
  let closing = false;
  const readable = new ReadableStream(
    {
      pull: async (controller) => {
        try {
          const [data, peer] = await conn.receive(buffer);
          controller.enqueue({ data: data.slice(), remoteAddress: peer.hostname, remotePort: peer.port });
        } catch (error) {
          if (!closing) throw error;
          controller.close();
        }
      },
    },
    { highWaterMark: 0 },
  );
  const writable = new WritableStream({
    write: async (chunk) => void (await conn.send(chunk.data ?? chunk, target)),
  });
  let closed = null;
  return {
    readable,
    writable,
    opened: Promise.resolve({
      localAddress: conn.addr.hostname,
      localPort: conn.addr.port,
      remoteAddress: target.hostname,
      remotePort: target.port,
    }),
    get closed() {
      return closed ?? Promise.resolve();
    },
    close() {
      if (closed === null) {
        closing = true;
        conn.close();
        closed = Promise.resolve();
      }
      return closed;
    },
  };
}
