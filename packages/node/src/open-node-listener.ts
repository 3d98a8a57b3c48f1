/**
 * `listen()` on Node: `net.createServer`, its accepted sockets as core Transports.
 *
 * How Node's server API differs from what core needs, and what this file does about it:
 * - **Nothing is read before a reader asks**: `pauseOnConnect: true`, so an accepted
 *   socket does not read from its handle until core's first `pull()` resumes it; one that
 *   waits unclaimed in core's queue leaves its bytes in the kernel (TCP flow control).
 * - **`listen()` reports `EADDRINUSE`/`EACCES` later, as an `'error'` event**: the open
 *   resolves on `'listening'` and rejects on an `'error'` before it.
 * - **`server.close()`'s callback (and its `'close'` event) wait for every open
 *   connection**, which core leaves open by design. But `server.close()` itself closes
 *   the listening handle at once (`this._handle.close()`; libuv closes the socket inside
 *   `uv_close` on Unix, so the port is free when it returns: a test binds it again right
 *   after), so `close()` resolves on the next `setImmediate` instead of waiting for that
 *   callback.
 * - **TLS**: `net.createServer` and our own server handshake (`_server-handshake.ts`) over
 *   each accepted `net.Socket`, rather than `tls.createServer`: one path for TLS listeners
 *   (`"on"`) and server STARTTLS, with our `handshakeTimeout`. A connection is delivered
 *   only once its handshake succeeded; failures and timeouts go to `events.failed` (where
 *   `tls.Server` would emit `'tlsClientError'`). Handshakes run concurrently: a client that
 *   never sends, or vanishes half-way, blocks nobody. The secure context is built before
 *   binding, so a key that does not match the certificate is a synchronous `EINVAL`.
 * - **A TLS socket reads while it waits unclaimed** (the TLS layer fills its buffer, up to
 *   Node's `highWaterMark`): a FIN, a reset or a close can be reported before anybody
 *   listens, and Node emits `'end'` only once, without a listener. The accepted connection
 *   records them and the transport replays them (`NodeTransport.fromAccepted`).
 * - `allowHalfOpen: true` on every socket (the spec's policy is core's), `noDelay: true`.
 * - **`reusePort`** exists from Node 22.12 / 23.1 (`server.listen({ reusePort })`); on an
 *   older Node it is a synchronous `SocketError` `EINVAL`, never silently ignored.
 *   `ipv6Only` and `backlog` map to `server.listen()`; `exclusive: true` (no sharing of
 *   the handle with cluster workers).
 * - Accepted plain sockets read through `'data'` events: the `onread` fast path of dialled
 *   sockets (one staging buffer, see `node-transport.ts`) is an option of `net.connect`
 *   only, and `net.Server` has no equivalent.
 * - An `'error'` on the server after it listens (e.g. `EMFILE` from `accept`) fails the
 *   listener (`events.error`), as a failed `accept()` does on Deno.
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
import { checkServerTls, startServerHandshake } from "./_server-handshake.js";
import { nodeSocketInfo, NodeTransport } from "./node-transport.js";

const noop = (): void => {};

/** Node ≥ 22.12 (22.x) or ≥ 23.1: `server.listen({ reusePort })`. */
function hasReusePort(version: string): boolean {
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
  if (request.reusePort && !hasReusePort(process.versions.node)) {
    throw new SocketError(
      `Invalid option reusePort true: Node ${process.versions.node} has no SO_REUSEPORT for servers (Node 22.12+ or 23.1+ has)`,
      { code: "EINVAL" },
    );
  }
  const tlsRequest = request.tls ?? request.starttls;
  if (tlsRequest !== null) checkServerTls(tlsRequest);
  return new Promise<ListenerTransport>((resolve, reject) => {
    const listener = new NodeListener(request, events);
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

/** Where the shared listeners of an unclaimed socket find their {@link NodeAccepted}. */
const kAccepted: unique symbol = Symbol("@sockets/node accepted");
type Watched = net.Socket & { [kAccepted]?: NodeAccepted | undefined };

class NodeListener implements ListenerTransport {
  readonly server: net.Server;
  #closing: Promise<void> | null = null;
  readonly #request: ListenRequest;
  readonly #events: ListenerEvents;

  constructor(request: ListenRequest, events: ListenerEvents) {
    this.#request = request;
    this.#events = events;
    this.server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (raw) => this.#onConnection(raw));
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

  #onConnection(raw: net.Socket): void {
    if (this.#closing !== null) {
      raw.on("error", noop);
      raw.destroy();
      return;
    }
    const tlsRequest = this.#request.tls;
    if (tlsRequest === null) {
      this.#events.connection(new NodeAccepted(raw, null));
      return;
    }
    let handshake;
    try {
      handshake = startServerHandshake(raw, tlsRequest);
    } catch (error) {
      this.#events.failed(error);
      return;
    }
    handshake.done.then(
      (secure) => {
        if (this.#closing !== null) abortAccepted(secure, raw);
        else this.#events.connection(new NodeAccepted(raw, secure));
      },
      (error: unknown) => this.#events.failed(error),
    );
  }
}

/**
 * An accepted connection waiting, unread, for a socket to claim it. Meanwhile it records
 * what Node reports (a TLS socket reads up to its buffer's size while unclaimed, so a FIN,
 * a reset or a close can come); `attach` hands that to the transport, which replays it.
 */
class NodeAccepted implements AcceptedConnection {
  readonly #raw: Watched;
  readonly #secure: tls.TLSSocket | null;
  readonly info: SocketInfo;
  #error: Error | null = null;
  #ended = false;
  #closed = false;
  #rawClosed = false;

  constructor(raw: net.Socket, secure: tls.TLSSocket | null) {
    this.#raw = raw;
    this.#secure = secure;
    // Read now: once a reset came, getpeername() fails (ENOTCONN) even though the handle
    // is still open. The transport gets this same object.
    this.info = nodeSocketInfo(secure ?? raw, raw);
    // Listeners shared by every accepted socket (Node calls them with `this` = the socket,
    // which points back here): waiting unclaimed allocates no closures.
    const socket: Watched = secure ?? raw;
    socket[kAccepted] = this;
    socket.on("error", NodeAccepted.#listeners.error);
    socket.on("end", NodeAccepted.#listeners.end);
    socket.on("close", NodeAccepted.#listeners.close);
    if (secure !== null) {
      (raw as Watched)[kAccepted] = this;
      raw.on("close", NodeAccepted.#listeners.rawClose);
    }
  }

  static readonly #listeners = {
    error(this: Watched, error: Error): void {
      const accepted = this[kAccepted];
      if (accepted !== undefined) accepted.#error ??= error;
    },
    end(this: Watched): void {
      const accepted = this[kAccepted];
      if (accepted !== undefined) accepted.#ended = true;
    },
    close(this: Watched): void {
      const accepted = this[kAccepted];
      if (accepted !== undefined) accepted.#closed = true;
    },
    rawClose(this: Watched): void {
      const accepted = this[kAccepted];
      if (accepted !== undefined) accepted.#rawClosed = true;
    },
  };

  attach(events: TransportEvents): Transport {
    const raw = this.#raw;
    const socket = this.#unwatch();
    return NodeTransport.fromAccepted(
      socket,
      raw,
      events,
      { error: this.#error, ended: this.#ended, closed: this.#closed, rawClosed: this.#rawClosed },
      this.info,
    );
  }

  abort(): void {
    abortAccepted(this.#unwatch(), this.#raw);
  }

  #unwatch(): net.Socket {
    const raw = this.#raw;
    const socket: Watched = this.#secure ?? raw;
    socket[kAccepted] = undefined;
    socket.off("error", NodeAccepted.#listeners.error);
    socket.off("end", NodeAccepted.#listeners.end);
    socket.off("close", NodeAccepted.#listeners.close);
    if (socket !== raw) {
      raw[kAccepted] = undefined;
      raw.off("close", NodeAccepted.#listeners.rawClose);
    }
    return socket;
  }
}

/** RST where Node can (`resetAndDestroy` on the TCP socket; the TLS socket follows it). */
function abortAccepted(socket: net.Socket, raw: net.Socket): void {
  socket.on("error", noop);
  raw.on("error", noop);
  if (raw.destroyed) return;
  try {
    raw.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
