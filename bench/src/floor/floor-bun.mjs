/**
 * The floor on Bun: the thinnest spec-shaped `connect()` over `Bun.connect` — a byte
 * `ReadableStream` fed by the `data` handler and a `WritableStream` whose `write()` calls
 * `socket.write()` and waits for `drain` only after a partial write, plus `opened`,
 * `closed`, `close()`. One handlers object for every connection (the wrapper is
 * `socket.data`). No validation, no state machine, no `SocketError`. What it costs above
 * native is Bun's web streams and the promises the spec shape needs, so `ours/floor` is
 * what @sockets adds on top.
 *
 * Bun gives every `data` event a fresh buffer, so chunks are enqueued as they are (a BYOB
 * read waiting gets them copied into its view by the stream). Backpressure: `pause()` when
 * the queue holds bytes nobody asked for, `resume()` on `pull()`.
 *
 * @module
 */
/* global Bun */

const noop = () => {};
/** What writes after `close()` reject with (one object: the floor makes no error per socket). */
const CLOSED = new Error("The socket was closed");

const HANDLERS = {
  binaryType: "uint8array",
  open: (socket) => socket.data.secure || socket.data.onOpen(socket),
  handshake: (socket, success, error) => (success ? socket.data.onOpen(socket) : socket.data.onError(error)),
  data: (socket, bytes) => socket.data.onData(bytes),
  drain: (socket) => socket.data.onDrain(),
  end: (socket) => socket.data.onEnd(),
  close: (socket, error) => socket.data.onClose(error),
  error: (socket, error) => socket.data.onError(error),
  connectError: (socket, error) => socket.data.onError(error),
};

class FloorSocket {
  constructor(allowHalfOpen, secure) {
    this.allowHalfOpen = allowHalfOpen;
    this.secure = secure;
    this.paused = false;
    this.socket = null;
    this.controller = null;
    this.drain = null;
    this.ended = false;
    this.opened = new Promise((resolve, reject) => {
      this.resolveOpened = resolve;
      this.rejectOpened = reject;
    });
    this.opened.catch(noop);
    this.closed = new Promise((resolve, reject) => {
      this.resolveClosed = resolve;
      this.rejectClosed = reject;
    });
    this.closed.catch(noop);
    this.readable = new ReadableStream({
      type: "bytes",
      start: (controller) => void (this.controller = controller),
      pull: () => {
        if (this.paused) {
          this.paused = false;
          this.socket.resume();
        }
      },
      cancel: () => this.close(),
    });
    this.writable = new WritableStream({
      start: (controller) => void (this.writableController = controller),
      write: async (chunk) => {
        const socket = this.socket ?? (await this.opened, this.socket);
        let offset = socket.write(chunk);
        while (offset < chunk.byteLength) {
          if (offset < 0) throw new Error("closed");
          await new Promise((resolve, reject) => (this.drain = { resolve, reject }));
          const n = socket.write(chunk, offset, chunk.byteLength - offset);
          offset += n < 0 ? -Infinity : n;
        }
      },
      close: async () => (this.socket ?? (await this.opened, this.socket)).shutdown(),
      abort: () => this.close(),
    });
  }

  onOpen(socket) {
    if (this.socket !== null) return;
    this.socket = socket;
    socket.setNoDelay(true);
    this.resolveOpened({
      get remoteAddress() {
        return `${socket.remoteAddress}:${socket.remotePort}`;
      },
      get localAddress() {
        return `${socket.localAddress}:${socket.localPort}`;
      },
    });
  }

  onData(bytes) {
    const controller = this.controller;
    if (this.ended) return;
    controller.enqueue(bytes);
    if (controller.desiredSize < 0 && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  onDrain() {
    const drain = this.drain;
    this.drain = null;
    drain?.resolve();
  }

  onEnd() {
    this.finish();
    if (!this.allowHalfOpen) this.socket.end();
  }

  finish() {
    if (this.ended) return;
    this.ended = true;
    try {
      this.controller.close();
      this.controller.byobRequest?.respond(0);
    } catch {
      // errored or cancelled
    }
  }

  onError(error) {
    this.rejectOpened(error);
    try {
      this.controller.error(error);
    } catch {
      // already closed
    }
    this.drain?.reject(error);
    this.rejectClosed(error);
  }

  onClose(error) {
    if (error) return this.onError(error);
    this.finish();
    this.drain?.reject(new Error("closed"));
    this.resolveClosed();
  }

  /** The spec's close steps (the readable ends, the writable errors), then the socket ends. */
  close() {
    this.finish();
    this.writableController.error(CLOSED);
    if (this.socket !== null) this.socket.end();
    else this.opened.then(() => this.socket.end(), noop);
    return this.closed;
  }
}

/**
 * `connect()` of the floor: `address` `{ hostname, port }`, options `secureTransport`
 * (`"off"`/`"on"`) and `allowHalfOpen` (default `false`).
 */
export function connect(address, options = {}) {
  const secure = options.secureTransport === "on";
  const floor = new FloorSocket(options.allowHalfOpen === true, secure);
  Bun.connect({
    hostname: address.hostname,
    port: address.port,
    socket: HANDLERS,
    data: floor,
    allowHalfOpen: true,
    tls: secure ? { serverName: "" } : undefined,
  }).catch((error) => floor.onError(error));
  return floor;
}

/** Wraps an accepted Bun socket (its `data` must then be set to the returned wrapper). */
export function wrapAccepted(socket) {
  const floor = new FloorSocket(false, false);
  floor.onOpen(socket);
  return floor;
}

/**
 * `listen()` of the floor: `Bun.listen` with one handlers object per server whose `open`
 * wraps and enqueues each accepted socket (an unbounded queue: the scenarios claim every
 * socket at once). `opened` resolves `{ localAddress }`; `close()` stops accepting
 * (`stop()` keeps the accepted connections) and ends the stream.
 */
export function listen(address) {
  let controller;
  const readable = new ReadableStream({ start: (c) => void (controller = c) });
  const handlers = {
    ...HANDLERS,
    open: (socket) => {
      const floor = wrapAccepted(socket);
      socket.data = floor;
      controller.enqueue(floor);
    },
  };
  let server;
  let opened;
  try {
    server = Bun.listen({ hostname: address.hostname, port: address.port, socket: handlers });
    opened = Promise.resolve({ localAddress: `${address.hostname}:${server.port}` });
  } catch (error) {
    opened = Promise.reject(error);
  }
  let closed = null;
  return {
    readable,
    opened,
    close() {
      if (closed === null) {
        server?.stop();
        controller.close();
        closed = Promise.resolve();
      }
      return closed;
    },
  };
}

/**
 * `udp()` of the floor, connected mode only (what the bench uses): `Bun.udpSocket` with
 * `connect`, each datagram from the `data` handler enqueued as a `UDPMessage` unless
 * `highWaterMark` (64) wait unread (then dropped), each write one `send()` (a `false`,
 * the send buffer full, waits for `drain` and sends again).
 */
export function udp(options) {
  let controller;
  let drained = null;
  const readable = new ReadableStream({ start: (c) => void (controller = c) }, { highWaterMark: 64 });
  let socket = null;
  const opened = Bun.udpSocket({
    binaryType: "uint8array",
    connect: { hostname: options.remoteAddress, port: options.remotePort },
    socket: {
      data: (_s, data, port, address) => {
        if (controller.desiredSize > 0) controller.enqueue({ data, remoteAddress: address, remotePort: port });
      },
      drain: () => {
        const resolve = drained;
        drained = null;
        resolve?.();
      },
    },
  }).then((s) => {
    socket = s;
    return {
      localAddress: s.address.address,
      localPort: s.address.port,
      remoteAddress: options.remoteAddress,
      remotePort: options.remotePort,
    };
  });
  opened.catch(noop);
  const writable = new WritableStream({
    write: async (chunk) => {
      if (socket === null) await opened;
      const data = chunk.data ?? chunk;
      while (!socket.send(data)) await new Promise((resolve) => (drained = resolve));
    },
  });
  let closed = null;
  return {
    readable,
    writable,
    opened,
    get closed() {
      return closed ?? Promise.resolve();
    },
    close() {
      if (closed === null) {
        try {
          controller.close();
        } catch {
          // already closed
        }
        socket?.close();
        closed = Promise.resolve();
      }
      return closed;
    },
  };
}
