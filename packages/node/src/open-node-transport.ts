/**
 * Dialling on Node: `net.connect`, then (for `secureTransport: "on"`) a TLS handshake over
 * that TCP socket.
 *
 * Node quirks and choices:
 * - TLS is `tls.connect({ socket })` over our own `net.connect` rather than
 *   `tls.connect({ host, port })`: the same code path as `startTls()`, one place for
 *   addresses and `noDelay`, and the `net.Socket` under the TLS layer stays reachable, so
 *   `abort()` can send RST (`resetAndDestroy()` throws `ERR_INVALID_HANDLE_TYPE` on a
 *   `TLSSocket`). See `_handshake.ts` for SNI, verification and trust.
 * - `allowHalfOpen: true` always: Node's `false` ends our side by itself on the peer's
 *   FIN. The spec's `allowHalfOpen` policy is core's.
 * - `noDelay: true`: request/response protocols are the main users (see the
 *   repository README, [Behaviour where the spec is silent](../../../README.md#behaviour-where-the-spec-is-silent)).
 * - IPv6 literals come from core without brackets; Node's resolver wants them bare (a
 *   bracketed host fails with `ENOTFOUND`).
 * - **Cancellation** (`request.cancel`: the socket was closed, its `signal` fired) covers
 *   the whole open (TCP connect and TLS handshake): the sockets are destroyed (which
 *   cancels the native connect, as Node's own `signal` option does) and `open` rejects
 *   with core's `attemptAborted(reason)`: the reason itself when it is a `SocketError`,
 *   else a `SocketError` `EABORTED` with the reason as `cause`. Node's `signal`
 *   option is not used: it would need an `AbortSignal` per connection and stay attached
 *   for the socket's whole life, while core owns what an abort means once it is open.
 * - A reset right after accept surfaces as `'error'` `ECONNRESET` and `'close'` without
 *   any `'connect'`: `open` rejects with that error. A `'close'` with no error and no
 *   `'connect'` rejects with `ECONNRESET` too.
 *
 * @module
 */
import * as net from "node:net";
import type * as tls from "node:tls";
import { attemptAborted, type OpenRequest, type Transport, type TransportEvents } from "@sockets/core";
import { destroyPair, startHandshake, type Handshake } from "./_handshake.js";
import { NodeTransport, userBufferReader, type UserBufferReader } from "./node-transport.js";

/**
 * The Node `OpenTransport`: dials `request` and resolves with a {@link NodeTransport}
 * once the TCP connection (and, for TLS, a verified handshake) is up.
 *
 * @example
 * ```ts
 * import { createConnect } from "@sockets/core";
 * import { openNodeTransport } from "./open-node-transport.js";
 * const connect = createConnect(openNodeTransport);
 * const socket = connect("127.0.0.1:7");
 * ```
 */
export function openNodeTransport(request: OpenRequest, events: TransportEvents): Promise<Transport> {
  const { cancel } = request;
  if (cancel.cancelled) return Promise.reject(attemptAborted(cancel.reason));
  return new Promise<Transport>((resolve, reject) => new Dial(request, events, resolve, reject));
}

const kDial: unique symbol = Symbol("@sockets/node dial");
type Dialling = net.Socket & { [kDial]?: Dial };

/**
 * One connection attempt. Its listeners are shared by every attempt (Node calls them with
 * `this` = the socket, which points back here): a connect allocates no closures for them.
 */
class Dial {
  readonly #raw: Dialling;
  #secure: tls.TLSSocket | null = null;
  #settled = false;
  readonly #request: OpenRequest;
  readonly #events: TransportEvents;
  readonly #reader: UserBufferReader | null;
  readonly #resolve: (transport: Transport) => void;
  readonly #reject: (error: unknown) => void;
  readonly #onCancel = (reason: unknown): void => this.#fail(attemptAborted(reason));

  constructor(request: OpenRequest, events: TransportEvents, resolve: (transport: Transport) => void, reject: (error: unknown) => void) {
    this.#request = request;
    this.#events = events;
    this.#resolve = resolve;
    this.#reject = reject;
    // Plain TCP reads go through one shared buffer (see `userBufferReader`); TLS (now or
    // after startTls) reads through the TLS socket's 'data' events.
    const reader = (this.#reader = request.tls === null && !request.starttls ? userBufferReader() : null);
    const raw: Dialling = (this.#raw = net.connect({
      host: request.hostname,
      port: request.port,
      allowHalfOpen: true,
      noDelay: true,
      ...(reader === null ? {} : { onread: reader.onread }),
    }));
    raw[kDial] = this;
    request.cancel.watch(this.#onCancel);
    raw.on("connect", Dial.#listeners.connect);
    raw.on("error", Dial.#listeners.error);
    raw.on("close", Dial.#listeners.close);
  }

  /**
   * The socket listeners, shared by every attempt: Node calls them with `this` = the
   * socket, which points back to its attempt.
   */
  static readonly #listeners = {
    connect(this: Dialling): void {
      const dial = this[kDial];
      if (dial !== undefined) dial.#onConnect();
    },
    error(this: Dialling, error: Error): void {
      const dial = this[kDial];
      if (dial !== undefined) dial.#fail(error);
    },
    close(this: Dialling): void {
      const dial = this[kDial];
      if (dial !== undefined) dial.#fail(Object.assign(new Error("The connection closed while connecting"), { code: "ECONNRESET" }));
    },
  };

  /** `'connect'`: done for plain TCP; for TLS the handshake starts. */
  #onConnect(): void {
    const raw = this.#raw;
    const tlsRequest = this.#request.tls;
    if (tlsRequest === null) {
      this.#cleanup();
      this.#resolve(new NodeTransport(raw, raw, this.#events, this.#reader));
      return;
    }
    // From here on the TLS socket owns the handle; errors arrive through the handshake.
    this.#unlisten();
    let handshake: Handshake;
    try {
      handshake = startHandshake(raw, tlsRequest);
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#secure = handshake.socket;
    handshake.done.then(
      (socket) => {
        if (this.#settled) return;
        this.#cleanup();
        this.#resolve(new NodeTransport(socket, raw, this.#events));
      },
      (error: unknown) => this.#fail(error),
    );
  }

  /** `'error'` or `'close'` before the connection was up, a failed handshake, a cancel. */
  #fail(error: unknown): void {
    if (this.#settled) return;
    this.#cleanup();
    destroyPair(this.#secure ?? this.#raw, this.#raw);
    this.#reject(error);
  }

  #unlisten(): void {
    const raw = this.#raw;
    raw[kDial] = undefined;
    raw.off("connect", Dial.#listeners.connect);
    raw.off("error", Dial.#listeners.error);
    raw.off("close", Dial.#listeners.close);
  }

  #cleanup(): void {
    this.#settled = true;
    this.#request.cancel.unwatch(this.#onCancel);
    this.#unlisten();
  }
}
