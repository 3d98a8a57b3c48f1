/**
 * The floor on Node: the thinnest spec-shaped `connect()` over `node:net` / `node:tls` — a
 * byte `ReadableStream` and a `WritableStream` straight over the socket, `opened`,
 * `closed`, `close()`. No validation, no state machine, no `SocketError`, no reset probe,
 * no close-while-reading care. What it costs above native is Node's web streams (and the
 * promises the spec shape needs), so `ours/floor` is what @sockets adds on top.
 *
 * Reads use the same fast path native and ours use: `onread` into one shared buffer, then
 * a copy into the BYOB view when a BYOB read waits, or into an exact-size chunk (a chunk
 * handed to the stream must own its memory). TLS reads `'data'` events (no `onread` under
 * TLS) and enqueues the chunk as is when it owns its buffer, a copy otherwise. Backpressure: `pause()` when the stream's queue holds
 * bytes nobody asked for, `resume()` on `pull()`. Writes: `write()`, and wait for
 * `'drain'` only when it returns `false`. `close()` is `destroySoon()` (FIN once what was
 * written is flushed, then the handle closes).
 *
 * @module
 */
import * as dgram from "node:dgram";
import * as net from "node:net";
import * as tls from "node:tls";

const STAGING = new Uint8Array(64 * 1024);
const noop = () => {};
/** What writes after `close()` reject with (one object: the floor makes no error per socket). */
const CLOSED = new Error("The socket was closed");

class FloorSocket {
  constructor(socket, allowHalfOpen, viaOnread, accepted = false) {
    this.socket = socket;
    this.allowHalfOpen = allowHalfOpen;
    this.controller = null;
    this.drain = null;
    this.paused = false;
    let resolveClosed;
    let rejectClosed;
    this.closed = new Promise((resolve, reject) => {
      resolveClosed = resolve;
      rejectClosed = reject;
    });
    this.closed.catch(noop);
    this.opened = new Promise((resolve, reject) => {
      if (accepted) return resolve(this.info());
      socket.once(socket instanceof tls.TLSSocket ? "secureConnect" : "connect", () => resolve(this.info()));
      socket.once("error", reject);
    });
    this.opened.catch(noop);
    this.readable = new ReadableStream({
      type: "bytes",
      start: (controller) => void (this.controller = controller),
      pull: () => {
        if (this.paused) {
          this.paused = false;
          socket.resume();
        }
      },
      cancel: () => void socket.destroy(),
    });
    this.writable = new WritableStream({
      start: (controller) => void (this.writableController = controller),
      write: (chunk) => {
        if (socket.write(chunk)) return;
        return new Promise((resolve, reject) => (this.drain = { resolve, reject }));
      },
      close: () => new Promise((resolve) => socket.end(resolve)),
      abort: () => void socket.destroy(),
    });
    if (!viaOnread) socket.on("data", (chunk) => this.push(chunk));
    socket.on("drain", () => {
      const drain = this.drain;
      this.drain = null;
      drain?.resolve();
    });
    socket.on("end", () => {
      this.end();
      if (!this.allowHalfOpen) socket.end();
    });
    socket.on("error", (error) => {
      try {
        this.controller.error(error);
      } catch {
        // already closed
      }
      this.drain?.reject(error);
      rejectClosed(error);
    });
    socket.on("close", () => {
      this.end();
      this.drain?.reject(new Error("closed"));
      resolveClosed();
    });
  }

  info() {
    const socket = this.socket;
    return {
      get remoteAddress() {
        return `${socket.remoteAddress}:${socket.remotePort}`;
      },
      get localAddress() {
        return `${socket.localAddress}:${socket.localPort}`;
      },
    };
  }

  /** `onread`: `n` bytes in the shared staging buffer. */
  read(n) {
    const controller = this.controller;
    const request = controller.byobRequest;
    if (request !== null) {
      const view = request.view;
      const k = Math.min(n, view.byteLength);
      view.set(k === STAGING.length ? STAGING : STAGING.subarray(0, k));
      request.respond(k);
      if (k < n) controller.enqueue(STAGING.slice(k, n));
    } else {
      controller.enqueue(STAGING.slice(0, n));
    }
    if (controller.desiredSize < 0 && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  /**
   * `'data'` (TLS): enqueued as is when it owns its whole `ArrayBuffer` (enqueue transfers
   * it), copied otherwise: from Node 24 on, TLS chunks are views into a shared buffer that
   * Node goes on using (transferring it breaks Node's next read).
   */
  push(chunk) {
    const controller = this.controller;
    const owned = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
    controller.enqueue(owned ? chunk : new Uint8Array(chunk));
    if (controller.desiredSize < 0 && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  end() {
    const controller = this.controller;
    if (controller === null || this.ended) return;
    this.ended = true;
    try {
      controller.close();
      controller.byobRequest?.respond(0);
    } catch {
      // errored or cancelled
    }
  }

  /** The spec's close steps (the readable ends, the writable errors), then FIN and close. */
  close() {
    this.end();
    this.writableController.error(CLOSED);
    this.socket.destroySoon();
    return this.closed;
  }
}

/**
 * `connect()` of the floor: `address` `{ hostname, port }`, options `secureTransport`
 * (`"off"`/`"on"`) and `allowHalfOpen` (default `false`).
 */
export function connect(address, options = {}) {
  const secure = options.secureTransport === "on";
  const allowHalfOpen = options.allowHalfOpen === true;
  const base = { host: address.hostname, port: address.port, noDelay: true, allowHalfOpen: true };
  if (secure) return new FloorSocket(tls.connect(base), allowHalfOpen, false);
  let floor = null;
  const socket = net.connect({ ...base, onread: { buffer: STAGING, callback: (n) => floor.read(n) } });
  floor = new FloorSocket(socket, allowHalfOpen, true);
  return floor;
}

/** Wraps an accepted `net.Socket` (reads by `'data'`: `net.Server` has no `onread`). */
export function wrapAccepted(socket) {
  return new FloorSocket(socket, false, false, true);
}

/**
 * `listen()` of the floor: `net.createServer`, each accepted socket wrapped and enqueued
 * (an unbounded queue: the scenarios claim every socket at once). `opened` resolves
 * `{ localAddress }`; `close()` stops accepting and ends the stream.
 */
export function listen(address) {
  let controller;
  const readable = new ReadableStream({ start: (c) => void (controller = c) });
  const server = net.createServer({ noDelay: true }, (socket) => controller.enqueue(wrapAccepted(socket)));
  const opened = new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: address.hostname, port: address.port }, () =>
      resolve({ localAddress: `${address.hostname}:${server.address().port}` }),
    );
  });
  let closed = null;
  return {
    readable,
    opened,
    close() {
      if (closed === null) {
        server.close();
        controller.close();
        closed = Promise.resolve();
      }
      return closed;
    },
  };
}

/**
 * `udp()` of the floor, connected mode only (what the bench uses): `dgram`, each
 * `'message'` enqueued as a `UDPMessage` unless `highWaterMark` (64) wait unread (then
 * dropped), each write one `send()` resolved by its callback.
 */
export function udp(options) {
  const socket = dgram.createSocket("udp4");
  let controller;
  const readable = new ReadableStream({ start: (c) => void (controller = c) }, { highWaterMark: 64 });
  socket.on("message", (data, peer) => {
    if (controller.desiredSize > 0) controller.enqueue({ data, remoteAddress: peer.address, remotePort: peer.port });
  });
  let open = false;
  const opened = new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.connect(options.remotePort, options.remoteAddress, () => {
      open = true;
      const local = socket.address();
      resolve({ localAddress: local.address, localPort: local.port, remoteAddress: options.remoteAddress, remotePort: options.remotePort });
    });
  });
  opened.catch(noop);
  const send = (chunk) =>
    new Promise((resolve, reject) => socket.send(chunk.data ?? chunk, (error) => (error ? reject(error) : resolve())));
  const writable = new WritableStream({ write: (chunk) => (open ? send(chunk) : opened.then(() => send(chunk))) });
  let closed = null;
  return {
    readable,
    writable,
    opened,
    get closed() {
      return closed ?? Promise.resolve();
    },
    close() {
      closed ??= new Promise((resolve) => {
        try {
          controller.close();
        } catch {
          // already closed
        }
        socket.close(resolve);
      });
      return closed;
    },
  };
}
