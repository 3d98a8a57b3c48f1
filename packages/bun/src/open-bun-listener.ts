/**
 * `listen()` on Bun: native `Bun.listen`, its accepted sockets as core Transports.
 *
 * How Bun's server API differs from what core needs, and what this file does about it:
 * - **Push, and handlers are not awaited**: every accepted socket is `pause()`d (in its
 *   `open` handler; a TLS one once its handshake is done, since a paused socket cannot
 *   finish one), so nothing is read before a reader claims it (core's first `pull()`
 *   resumes it); a chunk already in flight waits with it (at most one native read).
 * - **`Bun.listen` throws `EADDRINUSE` synchronously**: that becomes a rejected open, so
 *   `opened` and `closed` reject as on the other runtimes.
 * - **TLS** (`"on"`): `open` fires before the handshake; a socket is delivered from the
 *   `handshake` handler once it succeeded (a server sees an authorization error whenever
 *   the client sent no certificate: a failure only with `requestCert`). Failures, clients
 *   that close mid-handshake and the `handshakeTimeout` go to `events.failed`; handshakes
 *   run concurrently, so a silent client blocks nobody.
 * - **ALPN** must be wire format (`_tls-options.ts`); server-side `upgradeTLS` (for
 *   `startTls()` on an accepted socket) works on 1.4.5 with `isServer: true`
 *   (`_bun-transport.ts`).
 * - **`stop(false)`** stops listening and keeps the accepted connections, as core wants.
 * - `ipv6Only` and `backlog`: `Bun.listen` has neither on 1.4.5, so they are a
 *   synchronous `SocketError` `EINVAL`, never ignored; `reusePort` is Bun's own option.
 *
 * @module
 */
import {
  formatAddress,
  SocketError,
  type AcceptedConnection,
  type ListenerEvents,
  type ListenerTransport,
  type ListenRequest,
  type OpenListener,
  type SocketInfo,
  type Transport,
  type TransportEvents,
} from "@sockets/core";
import { _BunTransport } from "./_bun-transport.js";
import { _bunServerTlsOptions } from "./_tls-options.js";

type AcceptedSocket = Bun.Socket<_BunAccepted | _BunTransport | undefined>;

function _unsupported(option: string, why: string): SocketError {
  return new SocketError(`Invalid option ${option}: ${why} on Bun ${Bun.version}`, { code: "EINVAL" });
}

/**
 * The Bun `OpenListener`.
 *
 * @example
 * ```ts
 * import { createListen } from "@sockets/core";
 * import { openBunListener } from "@sockets/bun";
 * const listen = createListen(openBunListener);
 * const server = listen("127.0.0.1:0");
 * console.log((await server.opened).localAddress);
 * await server.close();
 * ```
 */
export const openBunListener: OpenListener = (request, events) => {
  if (request.backlog !== undefined) throw _unsupported(`backlog ${request.backlog}`, "Bun.listen has no backlog option");
  if (request.ipv6Only) throw _unsupported("ipv6Only true", "Bun.listen has no ipv6Only option");
  const listener = new _BunListener(request, events);
  try {
    listener.start();
  } catch (error) {
    return Promise.reject(error);
  }
  return Promise.resolve(listener);
};

class _BunListener implements ListenerTransport {
  #native: Bun.TCPSocketListener<_BunAccepted | _BunTransport | undefined> | null = null;
  #closed = false;
  readonly #request: ListenRequest;
  readonly #events: ListenerEvents;

  constructor(request: ListenRequest, events: ListenerEvents) {
    this.#request = request;
    this.#events = events;
  }

  start(): void {
    const tls = this.#request.tls;
    this.#native = Bun.listen<_BunAccepted | _BunTransport | undefined>({
      hostname: this.#request.hostname,
      port: this.#request.port,
      allowHalfOpen: true,
      ...(this.#request.reusePort ? { reusePort: true } : {}),
      ...(tls === null ? {} : { tls: _bunServerTlsOptions(tls) }),
      socket: this.#handlers(),
    } as Bun.TCPSocketListenOptions<_BunAccepted | _BunTransport | undefined>);
  }

  get localAddress(): string {
    const native = this.#native!;
    return formatAddress(native.hostname, native.port) ?? `${this.#request.hostname}:${native.port}`;
  }

  pull(): void {
    // Push: connections arrive through the `open` / `handshake` handlers.
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#native?.stop(false); // keeps the connections already accepted
  }

  /** Per listener (its TLS setting and events); each socket's state lives in `socket.data`. */
  #handlers(): Bun.SocketHandler<_BunAccepted | _BunTransport | undefined> {
    const tls = this.#request.tls;
    const plain = _BunTransport.handlers;
    return {
      binaryType: "uint8array",
      open: (socket) => {
        // Plain: paused at once. TLS: paused once its handshake is done (a paused socket
        // reads nothing, so its handshake would never finish).
        if (tls === null) socket.pause();
        socket.setNoDelay(true);
        if (this.#closed) return void socket.terminate();
        const accepted = new _BunAccepted(socket, tls !== null);
        socket.data = accepted;
        if (tls === null) this.#events.connection(accepted);
        else accepted.startHandshakeTimer(tls.handshakeTimeout, (error) => this.#events.failed(error));
      },
      handshake: (socket, success, error) => {
        const data = socket.data;
        if (!(data instanceof _BunAccepted)) return plain.handshake!(socket as never, success, error);
        const failed = !success || (tls?.requestCert === true && error !== null);
        if (!data.handshakeDone(failed ? (error ?? new Error("The TLS handshake failed")) : null, this.#events)) return;
        socket.pause();
        if (this.#closed) data.abort();
        else this.#events.connection(data);
      },
      data: (socket, chunk: Uint8Array) => {
        const data = socket.data;
        if (data instanceof _BunAccepted) data.queued.push(chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice());
        else plain.data!(socket as never, chunk as never);
      },
      end: (socket) => {
        const data = socket.data;
        if (data instanceof _BunAccepted) data.ended = true;
        else plain.end!(socket as never);
      },
      drain: (socket) => {
        if (!(socket.data instanceof _BunAccepted)) plain.drain!(socket as never);
      },
      close: (socket, error) => {
        const data = socket.data;
        if (data instanceof _BunAccepted) data.closedWhileWaiting(error, this.#events);
        else plain.close!(socket as never, error);
      },
      error: (socket, error) => {
        const data = socket.data;
        if (data instanceof _BunAccepted) data.closedWhileWaiting(error, this.#events);
        else plain.error!(socket as never, error);
      },
    };
  }
}

/** An accepted socket waiting, paused, for a socket to claim it. */
class _BunAccepted implements AcceptedConnection {
  info: SocketInfo = { remoteAddress: null, localAddress: null, alpn: null };
  readonly queued: Uint8Array[] = [];
  ended = false;
  #closed: { readonly error: unknown } | null = null;
  #handshaking: boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #socket: AcceptedSocket;
  readonly #tls: boolean;

  constructor(socket: AcceptedSocket, tls: boolean) {
    this.#socket = socket;
    this.#tls = tls;
    this.#handshaking = tls;
    this.#readInfo(null);
  }

  startHandshakeTimer(ms: number, failed: (error: unknown) => void): void {
    this.#timer = setTimeout(() => {
      if (!this.#handshaking) return;
      this.#handshaking = false;
      this.#socket.terminate();
      failed(new SocketError(`The client did not finish the TLS handshake within ${ms} ms`, { code: "ETLS" }));
    }, ms);
  }

  /** The handshake settled: `true` when the socket is ready to be delivered. */
  handshakeDone(error: Error | null, events: ListenerEvents): boolean {
    if (!this.#handshaking) return false;
    this.#handshaking = false;
    clearTimeout(this.#timer);
    if (error !== null) {
      this.#socket.terminate();
      events.failed(error);
      return false;
    }
    const alpn = this.#socket.alpnProtocol;
    this.#readInfo(typeof alpn === "string" ? alpn : null);
    return true;
  }

  /** Closed (reset, or FIN + close) before a socket claimed it. */
  closedWhileWaiting(error: Error | undefined, events: ListenerEvents): void {
    if (this.#handshaking) {
      this.#handshaking = false;
      clearTimeout(this.#timer);
      events.failed(error ?? new Error("The client closed the connection during the TLS handshake"));
      return;
    }
    this.#closed ??= { error };
  }

  attach(events: TransportEvents): Transport {
    return _BunTransport.accepted(this.#socket as Bun.Socket<_BunTransport | undefined>, events, this.#tls, {
      queued: this.queued,
      ended: this.ended,
      closed: this.#closed,
    });
  }

  abort(): void {
    clearTimeout(this.#timer);
    this.#handshaking = false;
    if (this.#closed === null) this.#socket.terminate();
  }

  #readInfo(alpn: string | null): void {
    const socket = this.#socket;
    this.info = {
      remoteAddress: formatAddress(socket.remoteAddress, socket.remotePort || null),
      localAddress: formatAddress(socket.localAddress, socket.localPort || null),
      alpn,
    };
  }
}
