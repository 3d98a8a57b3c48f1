/**
 * The open Bun connection: core's {@link Transport} over one native Bun socket (from
 * `Bun.connect`, `Bun.listen` or `socket.upgradeTLS`; not `node:net`, which is Bun's
 * Node-compat layer with its own bugs). Dialling is `open-bun-transport.ts`, a TLS
 * handshake `_bun-opening.ts`, accepting `open-bun-listener.ts`: each hands the socket
 * over once it is usable.
 *
 * What Bun 1.4.5 does differently, and what this file does about it:
 *
 * - **`end()` on plain TCP closes both directions** (readyState -1, the reply is lost;
 *   oven-sh/bun#35947 was closed unmerged). The half-close is `shutdown()`, used for TCP
 *   and TLS; the abort is `terminate()` (RST). The full close is `shutdown()` too, then
 *   reading on until the peer's FIN (see the TLS item): `end()` at once closed the socket
 *   with the peer's unread bytes still in the kernel, which sends RST instead of FIN and
 *   can destroy what the peer had not read yet (4 MiB written, then `close()`, against a
 *   peer that had sent 1 MiB we never read: measured on 1.4.5).
 * - **No clean full close on TLS.** `close()` sends no close_notify (a strict peer sees a
 *   truncation: "unexpected eof"); `end()` sends it but no FIN, and then nothing closes
 *   the socket (`close()`, `terminate()` are ignored) until the peer does (verified on
 *   1.4.5). And closing while received bytes wait unread makes the kernel send RST, which
 *   can destroy what the peer has not read yet. So the TLS full close is `shutdown()`
 *   (close_notify, then FIN, behind what was written), reading resumed and dropped until
 *   the peer closes too (Bun then closes the socket), `close()` after 10 s if it does not.
 *   Until then the socket keeps the process alive: when the kernel's send buffer is full,
 *   Bun still holds the end of what was written and the close_notify (it accepts more
 *   TLS data than the kernel takes), and sends them once there is room.
 * - **Partial writes keep nothing.** `write(data, offset, length)` returns how many bytes
 *   it accepted (0 when full, -1 once closed) and drops the rest. `write()` retries the
 *   rest with offset/length (no `subarray`) on each `drain` and settles once all of it was
 *   accepted. The fast path (all accepted at once) returns synchronously, no promise.
 * - **Reads are pushed, handlers are not awaited.** The only brake is `pause()` /
 *   `resume()`: chunks go to core from the open on, core's `pause()` pauses the socket as
 *   soon as one arrives that nobody asked for, and `pull()` resumes it. Chunks that still
 *   arrive while paused (one native read can hold several TLS records) wait in a small
 *   queue, delivered on the next `pull()`; the peer's FIN waits behind them. An accepted
 *   socket starts paused: its first `pull()` resumes it.
 * - **Fresh buffers.** With `binaryType: "uint8array"` every `data` event gets a new
 *   `Uint8Array` that owns its whole `ArrayBuffer`: it goes to core as is (`_bun-socket.ts`).
 * - **The peer's FIN.** Sockets are dialled and accepted with `allowHalfOpen: true` so they
 *   stay writable after `end`; the spec's `allowHalfOpen` policy is core's. A FIN that
 *   arrives after our own `shutdown()` comes as `close(socket, undefined)` with **no `end`
 *   event** (verified on 1.4.5): a clean close counts as the peer's end.
 * - **`upgradeTLS` keeps firing the old handlers** on the raw socket with the TLS
 *   ciphertext (a "raw tap", like oven-sh/bun#32239): `_bun-opening.ts` silences them.
 * - **Errors:** a reset is `close(socket, error)` (`ECONNRESET` never reaches the `error`
 *   handler); `error` reports a TLS failure on an established session.
 * - **Addresses** are read when the connection opens (one syscall per getter): Bun
 *   forgets them once the socket closed, even within its `close` handler after a reset,
 *   so a `SocketInfo` first read later must already hold them.
 *
 * @module
 */
import {
  codeOf,
  SocketError,
  toSocketError,
  type Cancellation,
  type ServerTlsRequest,
  type SocketInfo,
  type TlsRequest,
  type Transport,
  type TransportEvents,
} from "@sockets/core";
import { upgradeTls } from "./_bun-opening.js";
import { ownedChunk, readAddresses, type BunOwner, type BunPeer, type BunSocket, type Waited } from "./_bun-socket.js";

/**
 * How long a socket waits, after `close()` sent its FIN (TLS: close_notify and FIN), for
 * the peer to close too before it is closed anyway (dropping what Bun could not send by then).
 */
const CLOSE_LINGER_MS = 10_000;

/**
 * An open Bun socket (plain, TLS, or the TLS side of an upgrade) as a {@link Transport}.
 * It owns the socket from its construction on (`socket.data`); `waited` is what arrived
 * before.
 *
 * @example
 * ```ts
 * import type { TransportEvents } from "@sockets/core";
 * import { BunTransport } from "./bun-transport.js";
 * import type { BunSocket } from "./_bun-socket.js";
 * declare const socket: BunSocket, events: TransportEvents;
 * const transport = new BunTransport(socket, events, { hostname: "127.0.0.1", port: 7, tls: false }, { queued: null, ended: false, closed: null, paused: false });
 * transport.pull();
 * ```
 */
export class BunTransport implements Transport, BunOwner {
  readonly info: SocketInfo;
  /** `false` once closed, aborted, failed or handed to `startTls()`: no event after. */
  #open = true;
  #socket: BunSocket | null;
  #socketClosed = false;
  #closeError: unknown = undefined;
  #flowing = true;
  #nativePaused: boolean;
  /** Chunks that arrived while paused; `null` when none wait (no array per idle connection). */
  #queue: Uint8Array[] | null;
  #endPending: boolean;
  #ended: boolean;
  #drain: { resolve: () => void; reject: (error: unknown) => void } | null = null;
  /** A failed write waiting to learn why the socket closed (see `#whyClosed`). */
  #onClosed: (() => void) | null = null;
  /** After `close()`: closes the socket if the peer has not closed by then. */
  #linger: ReturnType<typeof setTimeout> | undefined = undefined;
  /** `close()` sent our FIN and waits for the peer's (see `close()`). */
  #closing = false;
  readonly #events: TransportEvents;
  readonly #peer: BunPeer;

  constructor(socket: BunSocket, events: TransportEvents, peer: BunPeer, waited: Waited) {
    socket.data = this;
    this.#socket = socket;
    this.#events = events;
    this.#peer = peer;
    const alpn = peer.tls ? socket.alpnProtocol : null;
    const negotiated = typeof alpn === "string" ? alpn : null;
    const addresses = peer.addresses ?? readAddresses(socket, peer.hostname, peer.port);
    this.info = { remoteAddress: addresses.remoteAddress, localAddress: addresses.localAddress, alpn: negotiated };
    // Delivering from the start: core pauses us when a chunk arrives that nobody asked for
    // (pausing here and resuming on the first read would be two native calls per connection).
    this.#queue = waited.queued;
    this.#ended = waited.ended;
    this.#endPending = waited.ended;
    this.#nativePaused = waited.paused;
    const closed = waited.closed;
    if (closed !== null) {
      // Closed while it waited unclaimed: reported once core holds the transport and its
      // socket is open (a macrotask: after the microtasks that settle `opened`).
      this.#socketClosed = true;
      setTimeout(() => this.onClose(closed.error), 0);
    }
  }

  pull(): void {
    if (!this.#open) return;
    this.#flowing = true;
    const queue = this.#queue;
    if (queue !== null) {
      while (queue.length > 0 && this.#flowing && this.#open) this.#events.data(queue.shift()!);
      if (queue.length > 0 || !this.#open) return;
      this.#queue = null;
    }
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
    if (this.#open && !this.#nativePaused && !this.#socketClosed && this.#socket !== null) {
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
    if (this.#open && !this.#socketClosed) this.#socket!.shutdown();
  }

  close(): void {
    if (!this.#open) return;
    this.#stop();
    const socket = this.#socket;
    if (socket === null || this.#socketClosed) return;
    // shutdown() sends our FIN (on TLS close_notify first) behind the written bytes. The
    // socket keeps reading, and dropping, until the peer's FIN: bytes left unread would
    // turn the close into a RST, which destroys what the peer has not read yet (plain
    // end() and TLS close() did that; TLS close() also sends no close_notify). Then plain
    // TCP closes at the peer's FIN (`onEnd`), TLS when Bun closes it; after 10 s anyway.
    this.#closing = true;
    if (this.#nativePaused) socket.resume();
    socket.shutdown();
    this.#linger = setTimeout(() => socket.close(), CLOSE_LINGER_MS);
    this.#linger.unref?.();
  }

  abort(): void {
    this.#stop();
    // After close() the graceful close stands (its FIN is out; the socket only waits for
    // the peer's): a later abort() must not turn it into a RST. Core aborts only sockets
    // it has not closed yet.
    if (this.#closing) return;
    if (this.#socket !== null && !this.#socketClosed) this.#socket.terminate();
  }

  startTls(tls: TlsRequest | ServerTlsRequest, events: TransportEvents, cancel: Cancellation): Promise<Transport> {
    const socket = this.#socket;
    if (!this.#open || socket === null || this.#socketClosed) {
      return Promise.reject(this.#closeError ?? new SocketError("The connection closed before startTls()", { code: "ECLOSED" }));
    }
    // This transport is consumed: no more events from it, undelivered plain text is
    // dropped, and it lets go of the socket (a late pause/abort must not touch the TLS side).
    this.#stop();
    this.#socket = null;
    return upgradeTls(socket, tls, cancel, events, { ...this.#peer, tls: true, addresses: this.info }, BunTransport);
  }

  // The socket's events (from `_bun-socket.ts`'s handlers).

  onOpen(): void {}

  onHandshake(): void {}

  onData(chunk: Uint8Array): void {
    if (!this.#open) return;
    const owned = ownedChunk(chunk);
    if (this.#flowing && this.#queue === null) this.#events.data(owned);
    else (this.#queue ??= []).push(owned);
  }

  onEnd(): void {
    // Our close() waited for this FIN (TLS: Bun closes the socket itself after it).
    if (this.#closing && !this.#peer.tls && !this.#socketClosed) return void this.#socket?.end();
    if (!this.#open || this.#ended) return;
    this.#ended = true;
    if (this.#queue === null) this.#events.end();
    else this.#endPending = true;
  }

  onDrain(): void {
    const drain = this.#drain;
    this.#drain = null;
    drain?.resolve();
  }

  onClose(error: Error | undefined): void {
    this.#socketClosed = true;
    clearTimeout(this.#linger);
    this.#closeError = error;
    const drain = this.#drain;
    this.#drain = null;
    drain?.reject(this.#writeError());
    const onClosed = this.#onClosed;
    this.#onClosed = null;
    onClosed?.();
    if (error !== undefined) this.onError(error);
    else this.onEnd(); // closed without a FIN event: reading ends here too
  }

  /**
   * A failure: reports `events.error` once; nothing fires after. Chunks that arrived
   * before it and wait in the queue (we were paused) go to core first: the reader gets
   * them before the error.
   */
  onError(error: unknown): void {
    if (!this.#open) return;
    const queued = this.#queue;
    this.#stop();
    if (queued !== null) for (const chunk of queued) this.#events.data(chunk);
    // On TLS, what Bun reports with no code core knows (an alert after the handshake, such as
    // TLS 1.3's certificate_required, comes as EPROTO) is the TLS session's failure: ETLS,
    // as Node and Deno report it. A reset keeps its ECONNRESET.
    this.#events.error(this.#peer.tls && codeOf(error) === undefined ? toSocketError(error, { code: "ETLS" }) : error);
  }

  #stop(): void {
    this.#open = false;
    this.#flowing = false;
    this.#queue = null;
    this.#endPending = false;
  }

  #writable(): BunSocket {
    // After close() the socket stays open only to read the peer's FIN: nothing more is sent.
    if (this.#socket === null || this.#socketClosed || this.#closing) throw this.#writeError();
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
