/**
 * The Bun transport: core's {@link Transport} over one native Bun socket from
 * `Bun.connect` or `socket.upgradeTLS` (not `node:net`, which is Bun's Node-compat layer
 * with its own bugs). Dialling is in `bun-transport.ts`.
 *
 * What Bun 1.4.5 does differently, and what this file does about it:
 *
 * - **TLS resolves early.** `Bun.connect` resolves at TCP connect, before the handshake;
 *   without a `handshake` handler a failed verification closes with `close(socket,
 *   undefined)` and the reason is lost (oven-sh/bun#34344). A `handshake` handler is always
 *   installed and `open()` resolves from `handshake(true)`, or rejects with the
 *   authorization error as `ETLS` (also when `success` is true but an error is set:
 *   1.4.0 canaries did not enforce `rejectUnauthorized`, oven-sh/bun#33846).
 * - **`end()` on plain TCP closes both directions** (readyState -1, the reply is lost;
 *   oven-sh/bun#35947 was closed unmerged). The half-close is `shutdown()`, used for TCP
 *   and TLS. The full close is `end()` on TCP and `close()` on TLS (where `end()` only
 *   half-closes and the socket lingers until the peer closes); the abort is `terminate()`
 *   (RST).
 * - **Partial writes keep nothing.** `write(data, offset, length)` returns how many bytes
 *   it accepted (0 when full, -1 once closed) and drops the rest. `write()` retries the
 *   rest with offset/length (no `subarray`) on each `drain` and settles once all of it was
 *   accepted. The fast path (all accepted at once) returns synchronously, no promise.
 * - **Reads are pushed, handlers are not awaited.** The only brake is `pause()` /
 *   `resume()`: chunks go to core from the open on, core's `pause()` pauses the socket as
 *   soon as one arrives that nobody asked for, and `pull()` resumes it. Chunks that still
 *   arrive while paused (one native read can hold several TLS records) wait in a small
 *   queue, delivered on the next `pull()`; the peer's FIN waits behind them.
 * - **Fresh buffers.** With `binaryType: "uint8array"` every `data` event gets a new
 *   `Uint8Array` that owns its whole `ArrayBuffer`: it goes to core as is. Only a chunk
 *   that does not own its buffer (not seen in 1.4.5) is copied, since core may transfer it.
 * - **The peer's FIN.** Bun is dialled with `allowHalfOpen: true` so the socket stays
 *   writable after `end`; the spec's `allowHalfOpen` policy is core's. A FIN that arrives
 *   after our own `shutdown()` comes as `close(socket, undefined)` with **no `end` event**
 *   (verified on 1.4.5): a clean close counts as the peer's end.
 * - **`upgradeTLS` keeps firing the old handlers** on the raw socket with the TLS
 *   ciphertext (a "raw tap", like oven-sh/bun#32239). The raw socket's handlers are
 *   `reload()`ed to no-ops first; everything then goes through the new TLS socket only.
 *   Its `open` fires synchronously inside `upgradeTLS`.
 * - **Errors come from three places:** the `Bun.connect` rejection / `connectError`
 *   (refused, DNS), `close(socket, error)` (a reset: `ECONNRESET` never reaches the
 *   `error` handler) and `handshake(socket, false, error)`; `error` itself reports a TLS
 *   failure on an established session. A close during the handshake with no error becomes
 *   `ECONNRESET`.
 * - **No abort for a connect in flight** (see `bun-transport.ts`): `giveUp()` rejects the
 *   open at once and the socket is terminated as soon as it exists (or now, mid-handshake).
 * - `setNoDelay(true)` on every socket (DESIGN.md: `TCP_NODELAY` on by default).
 *
 * @module
 */
import {
  formatAddress,
  isServerTls,
  SocketError,
  toSocketError,
  type Cancellation,
  type ServerTlsRequest,
  type SocketInfo,
  type TlsRequest,
  type Transport,
  type TransportEvents,
} from "@sockets/core";
import { _bunServerTlsOptions, _bunTlsOptions } from "./_tls-options.js";

type BunSocket = Bun.Socket<_BunTransport | undefined>;
type State = "opening" | "open" | "done";

const noop = (): void => {};

/** Handlers for a raw socket being upgraded: its ciphertext tap and its close go nowhere. */
const SILENT: Bun.SocketHandler<_BunTransport | undefined> = { data: noop, drain: noop, end: noop, close: noop, error: noop };

/**
 * The `SocketInfo` with addresses read from the socket on first access (then kept): each
 * of Bun's address getters goes to the native socket, ~25 µs per connection for all four,
 * and most callers never look.
 */
function _lazyInfo(socket: BunSocket, hostname: string, port: number, alpn: string | null): SocketInfo {
  let remote: string | null | undefined;
  let local: string | null | undefined;
  return {
    get remoteAddress(): string | null {
      if (remote === undefined) remote = formatAddress(socket.remoteAddress, socket.remotePort || null) ?? formatAddress(hostname || null, port || null);
      return remote;
    },
    get localAddress(): string | null {
      if (local === undefined) local = formatAddress(socket.localAddress, socket.localPort || null);
      return local;
    },
    alpn,
  };
}

/** A native-style error with a code, for failures Bun reports without one. */
function _coded(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * Internal: one native Bun socket (plain, TLS, or the TLS side of an upgrade) as a
 * {@link Transport}. Created before dialling so its handlers exist; {@link openBunTransport}
 * reports the `Bun.connect` outcome through `connected()` / `giveUp()`.
 */
export class _BunTransport implements Transport {
  info: SocketInfo = { remoteAddress: null, localAddress: null, alpn: null };
  readonly opening: Promise<Transport>;
  #resolveOpen!: (transport: Transport) => void;
  #rejectOpen!: (error: unknown) => void;
  #state: State = "opening";
  #socket: BunSocket | null = null;
  #socketClosed = false;
  #closeError: unknown = undefined;
  #flowing = false;
  #nativePaused = false;
  #queue: Uint8Array[] = [];
  #endPending = false;
  #ended = false;
  #drain: { resolve: () => void; reject: (error: unknown) => void } | null = null;
  /** A failed write waiting to learn why the socket closed (see `#whyClosed`). */
  #onClosed: (() => void) | null = null;
  /** Core's cancellation of the open, while it is in flight (see `cancelWith`). */
  #cancel: Cancellation | null = null;
  readonly #events: TransportEvents;
  readonly #hostname: string;
  readonly #port: number;
  readonly #tls: boolean;
  /** The server's half of a handshake (an accepted socket's `startTls()`): a missing client certificate is no failure unless asked for. */
  readonly #server: ServerTlsRequest | null;

  constructor(events: TransportEvents, hostname: string, port: number, tls: boolean, server: ServerTlsRequest | null = null) {
    this.#events = events;
    this.#hostname = hostname;
    this.#port = port;
    this.#tls = tls;
    this.#server = server;
    this.opening = new Promise((resolve, reject) => ((this.#resolveOpen = resolve), (this.#rejectOpen = reject)));
  }

  /**
   * The handlers of every socket: each finds its transport in `socket.data` (dial with
   * `data: transport`), so a connection allocates no closures for them.
   */
  static readonly handlers: Bun.SocketHandler<_BunTransport | undefined> = {
    binaryType: "uint8array",
    open: (socket) => {
      const transport = socket.data;
      if (transport !== undefined) transport.#onOpen(socket);
    },
    handshake: (socket, success, error) => {
      const transport = socket.data;
      if (transport !== undefined) transport.#onHandshake(socket, success, error);
    },
    // binaryType "uint8array": `chunk` is a plain Uint8Array (the types assume "buffer").
    data: (socket, chunk: Uint8Array) => {
      const transport = socket.data;
      if (transport !== undefined) transport.#onData(chunk);
    },
    end: (socket) => {
      const transport = socket.data;
      if (transport !== undefined) transport.#onEnd();
    },
    drain: (socket) => {
      const transport = socket.data;
      if (transport !== undefined) transport.#onDrain();
    },
    close: (socket, error) => {
      const transport = socket.data;
      if (transport !== undefined) transport.#onClose(error);
    },
    error: (socket, error) => {
      const transport = socket.data;
      if (transport !== undefined) transport.#fail(error);
    },
    connectError: (socket, error) => {
      const transport = socket.data;
      if (transport !== undefined) transport.#fail(error);
    },
  };

  /**
   * A socket a listener accepted (paused since its `open`, its handshake done for TLS) as
   * an open transport: `queued` are chunks that still arrived while it waited unclaimed,
   * `ended` its FIN, `closed` whether (and with which error) it closed meanwhile.
   */
  static accepted(
    socket: BunSocket,
    events: TransportEvents,
    tls: boolean,
    waited: { readonly queued: Uint8Array[]; readonly ended: boolean; readonly closed: { readonly error: unknown } | null },
  ): _BunTransport {
    const transport = new _BunTransport(events, "", 0, tls);
    transport.#socket = socket;
    transport.#nativePaused = true;
    socket.data = transport;
    transport.#opened();
    transport.#queue = waited.queued;
    if (waited.ended) transport.#onEnd();
    const closed = waited.closed;
    if (closed !== null) {
      transport.#socketClosed = true;
      // Reported once core holds the transport (after `attach` returned).
      queueMicrotask(() => transport.#onClose(closed.error as Error | undefined));
    }
    return transport;
  }

  /** The `Bun.connect` promise resolved (TCP is up; for TLS the handshake may still run). */
  connected(socket: BunSocket): void {
    this.#socket ??= socket;
    if (this.#state === "done") this.#kill();
    else if (!this.#tls) this.#opened();
  }

  /**
   * While opening, `cancel` stops the attempt (`abort()`: the open rejects, the socket is
   * terminated as soon as it exists). Bun cannot abort a connect natively.
   */
  cancelWith(cancel: Cancellation): void {
    if (this.#state !== "opening") return;
    this.#cancel = cancel;
    cancel.watch(this.#onCancel);
  }

  readonly #onCancel = (): void => this.abort();

  /** The open settled: core's cancellation no longer applies. */
  #openSettled(): void {
    this.#cancel?.unwatch(this.#onCancel);
    this.#cancel = null;
  }

  /** Stops waiting: the open rejects with `error`, a socket that exists is reset. */
  giveUp(error: unknown): void {
    if (this.#state !== "opening") return;
    this.#fail(error);
    this.#kill();
  }

  pull(): void {
    if (this.#state !== "open") return;
    this.#flowing = true;
    const queue = this.#queue;
    while (queue.length > 0 && this.#flowing && this.#state === "open") this.#events.data(queue.shift()!);
    if (queue.length > 0 || this.#state !== "open") return;
    if (this.#endPending) {
      this.#endPending = false;
      this.#events.end();
      return;
    }
    if (this.#flowing && this.#nativePaused && !this.#ended && !this.#socketClosed) {
      this.#nativePaused = false;
      this.#socket!.resume();
    }
  }

  pause(): void {
    this.#flowing = false;
    if (this.#state === "open" && !this.#nativePaused && !this.#socketClosed && this.#socket !== null) {
      this.#nativePaused = true;
      this.#socket.pause();
    }
  }

  write(bytes: Uint8Array): void | Promise<void> {
    const total = bytes.byteLength;
    const written = this.#writable().write(bytes, 0, total);
    if (written === total) return;
    if (written < 0) return this.#whyClosed();
    return this.#writeRest(bytes, written);
  }

  shutdown(): void {
    if (this.#state === "open" && !this.#socketClosed) this.#socket!.shutdown();
  }

  close(): void {
    if (this.#state === "done") return;
    this.#stop();
    const socket = this.#socket;
    if (socket === null || this.#socketClosed) return;
    // Plain TCP: end() is a full close (FIN, then close). TLS: end() only half-closes.
    if (this.#tls) socket.close();
    else socket.end();
  }

  abort(): void {
    if (this.#state === "opening") this.#fail(new SocketError("The connection attempt was aborted", { code: "EABORTED" }));
    this.#stop();
    this.#kill();
  }

  startTls(tls: TlsRequest | ServerTlsRequest, events: TransportEvents, cancel: Cancellation): Promise<Transport> {
    const socket = this.#socket;
    if (this.#state !== "open" || socket === null || this.#socketClosed) {
      return Promise.reject(this.#closeError ?? new SocketError("The connection closed before startTls()", { code: "ECLOSED" }));
    }
    // This transport is consumed: no more events from it, undelivered plain text is
    // dropped, and it lets go of the socket (a late pause/abort must not touch the TLS side).
    this.#stop();
    this.#socket = null;
    const server = isServerTls(tls) ? tls : null;
    const next = new _BunTransport(events, this.#hostname, this.#port, true, server);
    try {
      socket.reload({ socket: SILENT });
      if (server !== null) {
        // An accepted socket: the server's half (verified on 1.4.5; older Bun crashed, oven-sh/bun#25044).
        socket.upgradeTLS({ data: next, tls: _bunServerTlsOptions(server), isServer: true, socket: _BunTransport.handlers } as Parameters<BunSocket["upgradeTLS"]>[0]);
      } else {
        socket.upgradeTLS({ data: next, tls: _bunTlsOptions(tls as TlsRequest, this.#hostname), socket: _BunTransport.handlers });
      }
    } catch (error) {
      next.giveUp(error);
      socket.terminate();
    }
    // The new socket was closed (or its signal fired) during the handshake: give up and
    // tear the connection down (abort() rejects a pending open and terminates).
    next.cancelWith(cancel);
    return next.opening;
  }

  #onOpen(socket: BunSocket): void {
    this.#socket = socket;
    if (this.#state === "done") return this.#kill();
    socket.setNoDelay(true);
  }

  #onHandshake(socket: BunSocket, success: boolean, error: Error | null): void {
    if (this.#state !== "opening") return;
    this.#socket = socket;
    // A server sees an error when the client sent no certificate: a failure only if it was asked for.
    const failed = this.#server === null ? !success || error !== null : !success || (this.#server.requestCert && error !== null);
    if (failed) {
      this.#fail(toSocketError(error ?? _coded("The TLS handshake failed", "ETLS"), { code: "ETLS" }));
      this.#kill();
      return;
    }
    this.#opened();
  }

  #onData(chunk: Uint8Array): void {
    if (this.#state === "done") return;
    // Core may transfer the buffer: hand over only memory the chunk owns entirely.
    const owned = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
    if (this.#flowing && this.#queue.length === 0 && this.#state === "open") this.#events.data(owned);
    else this.#queue.push(owned);
  }

  #onEnd(): void {
    if (this.#state === "done" || this.#ended) return;
    this.#ended = true;
    if (this.#state === "open" && this.#queue.length === 0) this.#events.end();
    else this.#endPending = true;
  }

  #onDrain(): void {
    const drain = this.#drain;
    this.#drain = null;
    drain?.resolve();
  }

  #onClose(error: Error | undefined): void {
    this.#socketClosed = true;
    this.#closeError = error;
    const drain = this.#drain;
    this.#drain = null;
    drain?.reject(this.#writeError());
    const onClosed = this.#onClosed;
    this.#onClosed = null;
    onClosed?.();
    if (this.#state === "opening") {
      this.#fail(error ?? _coded("The connection closed before it was established", "ECONNRESET"));
    } else if (this.#state === "open") {
      if (error !== undefined) this.#fail(error);
      else this.#onEnd(); // closed without a FIN event: reading ends here too
    }
  }

  #opened(): void {
    if (this.#state !== "opening") return;
    const socket = this.#socket!;
    this.#state = "open";
    // Delivering from the start: core pauses us when a chunk arrives that nobody asked for
    // (pausing here and resuming on the first read would be two native calls per connection).
    this.#flowing = true;
    const alpn = this.#tls ? socket.alpnProtocol : null;
    this.info = _lazyInfo(socket, this.#hostname, this.#port, typeof alpn === "string" ? alpn : null);
    this.#openSettled();
    this.#resolveOpen(this);
  }

  /**
   * A failure: rejects a pending open, or reports `events.error` once; nothing fires
   * after. Chunks that arrived before it and wait in the queue (we were paused) go to core
   * first: the reader gets them before the error.
   */
  #fail(error: unknown): void {
    const state = this.#state;
    if (state === "done") return;
    const queued = this.#queue;
    this.#queue = [];
    this.#stop();
    if (state === "opening") {
      this.#openSettled();
      return this.#rejectOpen(error);
    }
    for (const chunk of queued) this.#events.data(chunk);
    this.#events.error(error);
  }

  #stop(): void {
    this.#state = "done";
    this.#flowing = false;
    this.#queue.length = 0;
    this.#endPending = false;
  }

  #kill(): void {
    if (this.#socket !== null && !this.#socketClosed) this.#socket.terminate();
  }

  #writable(): BunSocket {
    if (this.#socket === null || this.#socketClosed) throw this.#writeError();
    return this.#socket;
  }

  #writeError(): unknown {
    return this.#closeError ?? new SocketError("The connection is closed for writing", { code: "EPIPE" });
  }

  async #writeRest(bytes: Uint8Array, offset: number): Promise<void> {
    const total = bytes.byteLength;
    while (offset < total) {
      await new Promise<void>((resolve, reject) => (this.#drain = { resolve, reject }));
      const written = this.#writable().write(bytes, offset, total - offset);
      if (written < 0) return this.#whyClosed();
      offset += written;
    }
  }

  /**
   * `write()` returned -1: the socket is closed, but on a reset Bun says so (-1) a moment
   * before `close(socket, error)` says why (seen on TLS, ~3% of resets mid-upload, the
   * close following within 0.5 ms). Rejects with the close's error once it is known, so
   * the write (and the socket) fail with `ECONNRESET`, not a generic `EPIPE`.
   */
  #whyClosed(): Promise<never> {
    if (this.#socketClosed) return Promise.reject(this.#writeError());
    return new Promise<never>((_, reject) => (this.#onClosed = () => reject(this.#writeError())));
  }
}
