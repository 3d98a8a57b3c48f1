/**
 * `listen()` on Node: `net.createServer`, its accepted sockets as core Transports.
 *
 * How Node's server API differs from what core needs, and what this file does about it:
 * - **Nothing is read before a reader asks**: `pauseOnConnect: true`, so an accepted
 *   socket does not read from its handle until core's first `pull()` resumes it; one that
 *   waits unclaimed in core's queue leaves its bytes in the kernel (TCP flow control).
 * - **`listen()` reports `EADDRINUSE`/`EACCES` later, as an `'error'` event**: the open
 *   resolves on `'listening'` and rejects on an `'error'` before it.
 * - **`server.close()`'s callback waits for every open connection**, which core leaves
 *   open by design: `close()` resolves once the listening handle is closed (Node closes it
 *   inside `server.close()`; libuv frees the port on the next loop turn), not on the
 *   callback.
 * - **TLS** (`"on"`) and server STARTTLS share one handshake (`_server-handshake.ts`) over
 *   the accepted `net.Socket`; a connection is delivered only once it succeeded, failures
 *   and timeouts go to `events.failed`. Handshakes run concurrently: a client that never
 *   sends blocks nobody.
 * - `allowHalfOpen: true` on every socket (the spec's policy is core's), `noDelay: true`.
 * - **`reusePort`** exists from Node 22.12 / 23.1 (`server.listen({ reusePort })`); on an
 *   older Node it is a synchronous `SocketError` `EINVAL`, never silently ignored.
 * - Accepted plain sockets read through `'data'` events: the `onread` fast path of dialled
 *   sockets is an option of `net.connect` only.
 *
 * @module
 */
import * as net from "node:net";
import type * as tls from "node:tls";
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
import { _startServerHandshake } from "./_server-handshake.js";
import { NodeTransport } from "./node-transport.js";

const noop = (): void => {};

/** Node ≥ 22.12 (22.x) or ≥ 23.1: `server.listen({ reusePort })`. */
function _hasReusePort(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/**
 * The Node `OpenListener`: binds `request` and resolves once it listens.
 *
 * @example
 * ```ts
 * import { createListen } from "@sockets/core";
 * import { openNodeListener } from "@sockets/node";
 * const listen = createListen(openNodeListener);
 * const server = listen("127.0.0.1:0");
 * console.log((await server.opened).localAddress);
 * await server.close();
 * ```
 */
export const openNodeListener: OpenListener = (request, events) => {
  if (request.reusePort && !_hasReusePort(process.versions.node)) {
    throw new SocketError(
      `Invalid option reusePort true: Node ${process.versions.node} has no SO_REUSEPORT for servers (Node 22.12+ or 23.1+ has)`,
      { code: "EINVAL" },
    );
  }
  return new Promise<ListenerTransport>((resolve, reject) => {
    const listener = new _NodeListener(request, events);
    const server = listener.server;
    const onError = (error: Error): void => {
      server.off("listening", onListening);
      server.close();
      reject(error);
    };
    const onListening = (): void => {
      server.off("error", onError);
      server.on("error", (error: Error) => events.error(error));
      resolve(listener);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen({
      host: request.hostname,
      port: request.port,
      backlog: request.backlog,
      ipv6Only: request.ipv6Only,
      exclusive: true,
      ...(request.reusePort ? { reusePort: true } : {}),
    });
  });
};

class _NodeListener implements ListenerTransport {
  readonly server: net.Server;
  #closing: Promise<void> | null = null;
  readonly #request: ListenRequest;
  readonly #events: ListenerEvents;

  constructor(request: ListenRequest, events: ListenerEvents) {
    this.#request = request;
    this.#events = events;
    this.server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (raw) => this.#accepted(raw));
  }

  get localAddress(): string {
    const address = this.server.address() as net.AddressInfo | null;
    return formatAddress(address?.address, address?.port) ?? `${this.#request.hostname}:${this.#request.port}`;
  }

  pull(): void {
    // Push: connections arrive through the server's 'connection' event.
  }

  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    this.server.close(); // closes the listening handle now; its callback would wait for every connection
    this.#closing = new Promise((resolve) => setImmediate(resolve));
    return this.#closing;
  }

  #accepted(raw: net.Socket): void {
    if (this.#closing !== null) {
      raw.on("error", noop);
      raw.destroy();
      return;
    }
    const tlsRequest = this.#request.tls;
    if (tlsRequest === null) {
      this.#events.connection(new _NodeAccepted(raw, null));
      return;
    }
    let handshake;
    try {
      handshake = _startServerHandshake(raw, tlsRequest);
    } catch (error) {
      this.#events.failed(error);
      return;
    }
    handshake.done.then(
      (secure) => {
        if (this.#closing !== null) _abort(secure, raw);
        else this.#events.connection(new _NodeAccepted(raw, secure));
      },
      (error: unknown) => this.#events.failed(error),
    );
  }
}

/** An accepted connection waiting, unread, for a socket to claim it. */
class _NodeAccepted implements AcceptedConnection {
  readonly info: SocketInfo;
  readonly #raw: net.Socket;
  readonly #secure: tls.TLSSocket | null;
  /** What happened to it while unclaimed: reported right after `attach`. */
  #failure: Error | null = null;
  readonly #onError = (error: Error): void => void (this.#failure ??= error);
  readonly #onClose = (): void => void (this.#failure ??= Object.assign(new Error("The client closed the connection before it was accepted"), { code: "ECONNRESET" }));

  constructor(raw: net.Socket, secure: tls.TLSSocket | null) {
    this.#raw = raw;
    this.#secure = secure;
    const alpn = secure?.alpnProtocol;
    this.info = {
      remoteAddress: formatAddress(raw.remoteAddress, raw.remotePort),
      localAddress: formatAddress(raw.localAddress, raw.localPort),
      alpn: typeof alpn === "string" ? alpn : null,
    };
    const socket = secure ?? raw;
    socket.on("error", this.#onError);
    socket.once("close", this.#onClose);
  }

  attach(events: TransportEvents): Transport {
    const raw = this.#raw;
    const socket = this.#secure ?? raw;
    socket.off("error", this.#onError);
    socket.off("close", this.#onClose);
    const failure = this.#failure;
    const transport = new NodeTransport(socket, raw, events);
    if (failure !== null) queueMicrotask(() => events.error(failure));
    return transport;
  }

  abort(): void {
    const socket = this.#secure ?? this.#raw;
    socket.off("error", this.#onError);
    socket.off("close", this.#onClose);
    _abort(socket, this.#raw);
  }
}

/** RST where Node can (`resetAndDestroy` on the TCP socket; the TLS socket follows it). */
function _abort(socket: net.Socket, raw: net.Socket): void {
  socket.on("error", noop);
  raw.on("error", noop);
  if (raw.destroyed) return;
  try {
    raw.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
