/**
 * A core `Transport` over an open `net.Socket` (plain) or a `tls.TLSSocket` wrapping one.
 *
 * How Node differs from what core needs, and what this file does about it:
 * - **Reading is push** (`'data'` events, or `onread` for plain TCP that `connect()`
 *   dialled). Reading runs from the start; core calls `pause()` as soon as a chunk arrives
 *   that nobody asked for, and `pull()` resumes. While paused Node buffers at most its
 *   `highWaterMark` and then stops reading the handle, so TCP flow control stalls the
 *   sender. A peer FIN is only reported (`'end'`) after buffered data was consumed.
 * - **Chunk ownership.** Core may *transfer* each chunk's `ArrayBuffer`. Measured on
 *   Node 20.20 over loopback (4 MiB plus 50 small writes, plain and TLS; and the
 *   conformance suite's 64 MiB source): every `'data'` Buffer owns a fresh `ArrayBuffer`
 *   of exactly its size (`byteOffset === 0`, `byteLength === buffer.byteLength`, never
 *   the 8 KiB pool, never reused: libuv reads are allocated per read and shrunk, TLSWrap
 *   allocates per decrypted chunk), and transferring it (`ReadableByteStreamController`
 *   `enqueue`, `structuredClone` with `transfer`) works. Node does not document this, so
 *   a chunk that is not exactly its own `ArrayBuffer` is copied; none is today.
 *   Chunks are handed over as plain `Uint8Array`s (a `Buffer`'s `slice` does not copy).
 * - **Writes are buffered in userland**: `socket.write()` keeps a reference to the
 *   caller's bytes until libuv has written them (it can hold megabytes, returning `false`
 *   only as a hint). `write()` therefore resolves on the write callback, or at once when
 *   nothing is retained (`writableLength === 0` right after a synchronous write).
 * - **`allowHalfOpen`** is always `true` on the Node socket: Node's `false` would end our
 *   writable by itself on the peer's FIN; the spec's policy is core's, so it is the same
 *   on every runtime. A write after our own `end()` makes Node destroy the socket with
 *   `ERR_STREAM_WRITE_AFTER_END`, so it is refused here without touching the socket.
 * - **Abort sends RST** with `resetAndDestroy()` on the TCP socket (for TLS, the
 *   `net.Socket` under it: Node throws `ERR_INVALID_HANDLE_TYPE` on a `TLSSocket`,
 *   nodejs/node#49484). The TLS socket is then left to close with it: destroying a
 *   reading `TLSSocket` in the same tick as resetting its TCP socket segfaults Node 20.20
 *   (reproduced; a test guards it; TLSWrap teardown, cf. nodejs/node#62967).
 * - **A reset can arrive as `'end'`** (libuv 1.46 skips the read that would fail with
 *   `ECONNRESET` when data and the RST come in together): each `'end'` is checked with a
 *   zero-byte write first, see `_reset-probe.ts`.
 * - **Close** is `end()` (TLS `close_notify` + FIN), then `destroy()` on `'finish'`,
 *   settled on `'close'` of both sockets. Meanwhile incoming bytes are read and dropped:
 *   closing a socket with unread bytes in the kernel makes Linux send RST instead, which
 *   can destroy our last bytes in flight.
 * - `Duplex.toWeb` is not used: its close/error mapping is Node's not the spec's, it
 *   crashed on half-open sockets (nodejs/node#64120), and `allowHalfOpen` is defeated by
 *   `autoDestroy` when a socket is read through its async iterator (nodejs/node#49073).
 *
 * @module
 */
import type * as net from "node:net";
import type * as tls from "node:tls";
import {
  formatAddress,
  isServerTls,
  type Cancellation,
  type ServerTlsRequest,
  type SocketInfo,
  type TlsRequest,
  type Transport,
  type TransportEvents,
} from "@sockets/core";
import { destroyPair, startHandshake } from "./_handshake.js";
import { probeReset } from "./_reset-probe.js";
import { startServerHandshake } from "./_server-handshake.js";

const noop = (): void => {};

/**
 * Plain TCP reads land here (`net.connect({ onread })`): libuv reads straight into this
 * one buffer, and the callback copies the bytes out at once — into the reader's BYOB view
 * when one is waiting, else into a fresh exact-size chunk. One buffer serves every socket:
 * each read's callback runs synchronously on the JS thread before the next read. This
 * skips Node's default read path, which allocates a 64 KiB backing store per read and
 * shrinks it (measured on Node 20.20: 256 MiB via `'data'` ≈ 140–180 ms CPU, via `onread`
 * plus a copy ≈ 55 ms).
 */
const STAGING = new Uint8Array(64 * 1024);

/**
 * The `onread` option for `net.connect`, routed to the transport created after the
 * connect (`target`); reads cannot arrive before it exists.
 */
export interface UserBufferReader {
  target: NodeTransport | null;
  readonly onread: { readonly buffer: Uint8Array; readonly callback: (n: number) => boolean };
}

/** A reader for {@link NodeTransport}: pass `reader.onread` to `net.connect`. */
export function userBufferReader(): UserBufferReader {
  return NodeTransport._reader();
}

/**
 * The `SocketInfo` of a connected Node socket: the TCP socket's (`raw`) addresses, the TLS
 * socket's negotiated ALPN (`null` for plain TCP or none negotiated). Node caches both
 * addresses once read (`getpeername`, `getsockname`).
 */
export function nodeSocketInfo(socket: net.Socket | tls.TLSSocket, raw: net.Socket): SocketInfo {
  const alpn = (socket as Partial<tls.TLSSocket>).alpnProtocol;
  return {
    remoteAddress: formatAddress(raw.remoteAddress, raw.remotePort),
    localAddress: formatAddress(raw.localAddress, raw.localPort),
    alpn: typeof alpn === "string" ? alpn : null,
  };
}

/** What happened to an accepted socket while it waited unclaimed (see {@link NodeTransport.fromAccepted}). */
export interface Unclaimed {
  /** Its `'error'`, if one came. */
  readonly error: Error | null;
  /** `'end'` came: the peer's FIN, nothing left buffered. */
  readonly ended: boolean;
  /** `'close'` came on the data socket. */
  readonly closed: boolean;
  /** `'close'` came on the TCP socket under TLS. */
  readonly rawClosed: boolean;
}

/** Where a socket's shared listeners (below) find their transport. */
const kTransport: unique symbol = Symbol("@sockets/node transport");
type Owned = net.Socket & { [kTransport]?: NodeTransport };

function nodeError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * A `Transport` over an open Node socket.
 *
 * `socket` carries the data (a `TLSSocket` for TLS), `raw` is the TCP socket under it (the
 * same object for plain TCP). Both must be connected; for TLS the handshake must be done.
 * Dialled sockets (`open-node-transport.ts`) and accepted ones (`open-node-listener.ts`) alike.
 *
 * @example
 * ```ts
 * import * as net from "node:net";
 * import { NodeTransport } from "./node-transport.js";
 * const raw = net.connect({ host: "127.0.0.1", port: 7, allowHalfOpen: true });
 * raw.once("connect", () => {
 *   const transport = new NodeTransport(raw, raw, { data: (c) => console.log(c), end() {}, error() {} });
 *   transport.pull(null);
 * });
 * ```
 */
export class NodeTransport implements Transport {
  readonly info: SocketInfo;
  readonly #socket: net.Socket;
  readonly #raw: net.Socket;
  readonly #events: TransportEvents;
  /** No event may fire any more (error delivered, closed, aborted, or upgraded). */
  #silent = false;
  #ended = false;
  /** The peer's `'end'` is being checked for a reset (see `_reset-probe.ts`) before it is reported. */
  #probing = false;
  #upgraded = false;
  #handedOver = false;
  /** An accepted socket's FIN that Node reported while nobody listened: delivered at the first `pull()`. */
  #endMissed = false;
  /**
   * Sockets (`socket`, and `raw` under TLS) whose `'close'` (handle closed) has not been
   * seen yet; `close()` settles when it reaches 0. Counted by listeners that stay for the
   * socket's life rather than a promise per socket made up front: most of an idle
   * connection's cost is such fixed objects. `socket.closed` is no substitute: Node sets
   * it before the handle's asynchronous close has finished.
   */
  #open: number;
  #allClosed: (() => void) | null = null;
  #shutdown: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  /** Writes handed to the socket, and write callbacks seen (see `write`). */
  #writesIssued = 0;
  #writesDone = 0;
  #onWritten: ((error?: Error | null) => void) | null = null;
  /** The one write `write()` waits for (core never writes concurrently). */
  #writeWaiter: { seq: number; resolve: () => void; reject: (error: Error) => void } | null = null;

  /** Set when reads arrive through `onread` (plain TCP); `'data'` events otherwise (TLS). */
  readonly #reader: UserBufferReader | null;
  /** The reader's BYOB view from the last `pull()`, filled by the next read. */
  #view: Uint8Array | null = null;
  /**
   * The socket is not reading: accepted paused (`pauseOnConnect`), or paused by core.
   * `resume()` is only called then: on a reading socket it is not free (on the first call
   * it schedules a tick that runs Node's `read(0)`/flow machinery for nothing).
   */
  #paused: boolean;

  constructor(
    socket: net.Socket | tls.TLSSocket,
    raw: net.Socket,
    events: TransportEvents,
    reader: UserBufferReader | null = null,
    info: SocketInfo | null = null,
  ) {
    this.#reader = reader;
    this.#socket = socket;
    this.#raw = raw;
    this.#events = events;
    this.#open = raw === socket ? 1 : 2;
    this.info = info ?? nodeSocketInfo(socket, raw);
    // Not paused: reading goes on from the start and core pauses as soon as a chunk arrives
    // that nobody asked for (pausing here and resuming on the first read costs a
    // readStop/readStart pair, two epoll_ctl calls, per connection).
    // The listeners are shared by every socket (Node calls them with `this` = the socket):
    // no closures per connection.
    (socket as Owned)[kTransport] = this;
    if (reader !== null) reader.target = this;
    else socket.on("data", NodeTransport.#listeners.data);
    socket.on("end", NodeTransport.#listeners.end);
    socket.on("error", NodeTransport.#listeners.error);
    socket.on("close", NodeTransport.#listeners.close);
    if (raw !== socket) {
      (raw as Owned)[kTransport] = this;
      raw.on("error", noop);
      raw.once("close", NodeTransport.#listeners.rawClose);
    }
    // Dialled sockets read from the connect on (`onread`, or flowing once `'data'` has a
    // listener); accepted plain ones wait paused until the first `pull()`.
    this.#paused = socket.isPaused();
  }

  /** Internal: see {@link userBufferReader}. */
  static _reader(): UserBufferReader {
    const reader: UserBufferReader = {
      target: null,
      onread: { buffer: STAGING, callback: (n: number) => (reader.target === null ? true : reader.target.#onRead(n)) },
    };
    return reader;
  }

  /**
   * The transport of an accepted connection that waited unclaimed (`open-node-listener.ts`
   * watched it meanwhile): what Node reported while nobody listened is replayed. A FIN
   * comes at the first `pull()` (Node emits `'end'` only once nothing is buffered, so no
   * byte comes after it); an error or a close right after this returns (core reports it
   * right after `attach`); a TCP socket that already closed under TLS is counted. `info`
   * is the one read at accept (the addresses may be gone by now).
   */
  static fromAccepted(socket: net.Socket, raw: net.Socket, events: TransportEvents, seen: Unclaimed, info: SocketInfo): NodeTransport {
    const transport = new NodeTransport(socket, raw, events, null, info);
    if (seen.rawClosed && raw !== socket) transport.#countClosed();
    transport.#endMissed = seen.ended;
    const { error, closed } = seen;
    if (error !== null || closed) {
      queueMicrotask(() => {
        if (error !== null) transport.#onError(error);
        if (closed) transport.#onClose();
      });
    }
    return transport;
  }

  /**
   * The socket listeners, shared by every socket: Node calls them with `this` = the
   * socket, which points to its transport (no closures per connection).
   */
  static readonly #listeners = {
    data(this: Owned, buffer: Buffer): void {
      const transport = this[kTransport];
      if (transport !== undefined) transport.#onData(buffer);
    },
    end(this: Owned): void {
      const transport = this[kTransport];
      if (transport !== undefined) transport.#onEnd();
    },
    error(this: Owned, error: Error): void {
      const transport = this[kTransport];
      if (transport !== undefined) transport.#onError(error);
    },
    close(this: Owned): void {
      const transport = this[kTransport];
      if (transport !== undefined) transport.#onClose();
    },
    rawClose(this: Owned): void {
      const transport = this[kTransport];
      if (transport !== undefined) transport.#onRawClose();
    },
  };

  /** `raw` closed under TLS (the data socket's own close goes through `#onClose`). */
  #onRawClose(): void {
    this.#countClosed();
  }

  /** One of the sockets' handles closed: `close()` settles once none is left. */
  #countClosed(): void {
    if (--this.#open === 0) this.#allClosed?.();
  }

  #onData(buffer: Buffer): void {
    if (this.#silent) return;
    const { buffer: memory, byteOffset, byteLength } = buffer;
    const own = byteOffset === 0 && byteLength === memory.byteLength && memory instanceof ArrayBuffer;
    this.#events.data(own ? new Uint8Array(memory, 0, byteLength) : new Uint8Array(buffer));
  }

  /**
   * `onread` callback: `n` bytes are in `STAGING`. Once silent (closing) the bytes are
   * dropped and reading goes on, as with `'data'` after `close()`: unread bytes in the
   * kernel would turn our FIN into a RST.
   */
  #onRead(n: number): boolean {
    if (this.#silent) return true;
    const view = this.#view;
    this.#view = null;
    // A view whose buffer was detached meanwhile (reader released) has byteLength 0.
    if (view !== null && view.byteLength > 0) {
      const fit = n < view.byteLength ? n : view.byteLength;
      view.set(STAGING.subarray(0, fit));
      this.#events.data(fit === view.byteLength ? view : view.subarray(0, fit));
      if (fit < n && !this.#silent) this.#events.data(STAGING.slice(fit, n));
    } else {
      this.#events.data(STAGING.slice(0, n));
    }
    return true;
  }

  #onEnd(): void {
    if (this.#silent || this.#ended) return;
    this.#ended = true;
    // Node 20 can report a reset as 'end' (see `_reset-probe.ts`): ask the kernel first.
    this.#probing = probeReset(this.#raw, (reset) => this.#onProbed(reset));
    if (!this.#probing) this.#events.end();
  }

  #onProbed(reset: Error | null): void {
    if (this.#silent || !this.#probing) return;
    this.#probing = false;
    if (reset === null) return this.#events.end();
    this.#silent = true;
    this.#events.error(reset);
  }

  #onError(error: Error): void {
    if (this.#silent) return;
    this.#handOverBuffered();
    this.#silent = true;
    this.#events.error(error);
  }

  /**
   * Before a failure is reported: bytes Node had already read into the socket's buffer
   * while we were paused (`'data'` mode, TLS) go to core, which lets the reader have them
   * before the error. Node drops them with the destroyed stream otherwise. (Plain TCP
   * reads through `onread` keep nothing in Node.)
   */
  #handOverBuffered(): void {
    if (this.#reader !== null) return;
    const socket = this.#socket;
    socket.off("data", NodeTransport.#listeners.data);
    for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null;) this.#onData(chunk);
  }

  /** Stays on `socket` for its whole life (counts the close; reports it unless silent). */
  #onClose(): void {
    this.#countClosed();
    // Closed after a FIN not yet delivered (an accepted socket): the FIN stands, at `pull()`.
    if (this.#silent || this.#endMissed) return;
    if (!this.#ended) this.#handOverBuffered();
    this.#silent = true;
    // Closed without an error while the peer's FIN was not seen: the peer went away.
    if (!this.#ended) this.#events.error(nodeError("The connection closed unexpectedly", "ECONNRESET"));
    // Closed cleanly while the reset probe was out: the FIN it was checking stands.
    else if (this.#probing) this.#events.end();
  }

  /** Stops every event and detaches from the socket; a no-op error listener stays. */
  #detach(): void {
    this.#silent = true;
    const socket = this.#socket;
    socket.off("data", NodeTransport.#listeners.data);
    if (this.#reader !== null) this.#reader.target = null;
    socket.off("end", NodeTransport.#listeners.end);
    socket.on("error", noop);
    socket.off("error", NodeTransport.#listeners.error);
  }

  pull(view: Uint8Array | null): void {
    if (this.#endMissed) {
      this.#endMissed = false;
      return this.#onEnd();
    }
    if (this.#reader !== null) this.#view = view;
    if (this.#paused && !this.#silent) this.#resume();
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#socket.pause();
  }

  #resume(): void {
    this.#paused = false;
    this.#socket.resume();
  }

  write(bytes: Uint8Array): void | Promise<void> {
    const socket = this.#socket;
    if (!socket.writable) {
      return Promise.reject(
        socket.writableEnded
          ? nodeError("Cannot write after the socket was shut down", "EPIPE")
          : nodeError("Cannot write to a closed socket", "ERR_STREAM_DESTROYED"),
      );
    }
    // One callback for every write (not a closure per write): Node calls write callbacks
    // asynchronously, always, and in write order, so the n-th call is the n-th write's.
    const seq = ++this.#writesIssued;
    socket.write(bytes, this.#writeCallback());
    // Written straight through to the kernel: Node holds no reference to `bytes` any more.
    if (socket.writableLength === 0) return;
    return this.#waitForWrite(seq);
  }

  /** (Own method: a closure in `write` would allocate a context on every write.) */
  #waitForWrite(seq: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#writeWaiter = { seq, resolve, reject };
    });
  }

  /** Made on the first write (idle connections never need it), outside `write` (no context per write). */
  #writeCallback(): (error?: Error | null) => void {
    return (this.#onWritten ??= (error) => this.#written(error));
  }

  #written(error: Error | null | undefined): void {
    const seq = ++this.#writesDone;
    const waiter = this.#writeWaiter;
    if (waiter === null || waiter.seq !== seq) return;
    this.#writeWaiter = null;
    if (error) waiter.reject(error);
    else waiter.resolve();
  }

  shutdown(): Promise<void> {
    if (this.#shutdown !== null) return this.#shutdown;
    const socket = this.#socket;
    this.#shutdown = new Promise<void>((resolve, reject) => {
      if (socket.writableFinished) return resolve();
      if (socket.destroyed) return reject(nodeError("Cannot shut down a closed socket", "ERR_SOCKET_CLOSED"));
      const done = (error?: Error): void => {
        socket.off("finish", onFinish);
        socket.off("error", onError);
        socket.off("close", onClose);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onFinish = (): void => done();
      const onError = (error: Error): void => done(error);
      const onClose = (): void => done(nodeError("The socket closed before the shutdown completed", "ERR_SOCKET_CLOSED"));
      socket.on("finish", onFinish);
      socket.on("error", onError);
      socket.on("close", onClose);
      socket.end();
    });
    return this.#shutdown;
  }

  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    const socket = this.#socket;
    const raw = this.#raw;
    this.#detach();
    if (this.#upgraded) {
      // The TCP connection belongs to the TLS transport (or its pending handshake) now.
      if (!this.#handedOver) raw.destroy();
      this.#closing = Promise.resolve();
      return this.#closing;
    }
    let failure: Error | null = null;
    socket.on("error", (error: Error) => (failure ??= error));
    // Keep reading (and discard) while our FIN goes out: closing with unread bytes in the
    // kernel's receive buffer sends RST, and the peer could lose our last bytes.
    if (this.#paused) this.#resume();
    if (socket.writableFinished || socket.destroyed) destroyPair(socket, raw);
    else {
      socket.once("finish", () => destroyPair(socket, raw));
      socket.end();
    }
    // Settles once every handle closed (one promise: `#allClosed` settles it).
    this.#closing = new Promise<void>((resolve, reject) => {
      const settle = (): void => (failure === null ? resolve() : reject(failure));
      if (this.#open === 0) settle();
      else this.#allClosed = settle;
    });
    return this.#closing;
  }

  abort(): void {
    this.#detach();
    const raw = this.#raw;
    // Once a startTls() handshake succeeded the connection is the new transport's.
    if (this.#handedOver || raw.destroyed) return;
    raw.on("error", noop);
    try {
      // RST. For TLS the TLSSocket follows once `raw` has closed (Node's own wiring);
      // destroying it in the same tick as the reset crashes Node 20 (segfault in TLSWrap
      // while a read is active), so it is left to that.
      raw.resetAndDestroy();
    } catch {
      destroyPair(this.#socket, raw); // not a TCP handle (e.g. a pipe): no RST possible
    }
  }

  async startTls(request: TlsRequest | ServerTlsRequest, events: TransportEvents, cancel: Cancellation): Promise<Transport> {
    const raw = this.#raw;
    if (this.#socket !== raw) throw nodeError("The socket is already secured with TLS", "EINVAL");
    this.#detach();
    // The TCP socket's listeners find "their" transport through it: from here on that is
    // the TLS transport's, so this one's close listener goes (it has nothing left to count).
    raw.off("close", NodeTransport.#listeners.close);
    this.#upgraded = true;
    // An accepted socket performs the server's half (the listener's certificate).
    const { socket, done } = isServerTls(request) ? startServerHandshake(raw, request) : startHandshake(raw, request);
    // The new socket was closed (or its signal fired) during the handshake: tear down, and
    // `done` rejects through the TLS socket's close.
    const onCancel = (): void => destroyPair(socket, raw);
    cancel.watch(onCancel);
    try {
      const secure = await done;
      this.#handedOver = true;
      return new NodeTransport(secure, raw, events);
    } finally {
      cancel.unwatch(onCancel);
    }
  }
}
