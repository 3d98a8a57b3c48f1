/**
 * One connection `Bun.listen` accepted, from its `open` until a socket claims it
 * (`attach`) or the listener drops it (`abort`).
 *
 * What Bun 1.4.5 does differently, and what this file does about it:
 * - **Push, and handlers are not awaited**: the socket is `pause()`d at once (plain) or as
 *   soon as its handshake is done (TLS: a paused socket reads nothing, so its handshake
 *   would never finish), so nothing is read before a reader claims it; the first `pull()`
 *   of its transport resumes it. A chunk already in flight waits here with it.
 * - **TLS** (`"on"`): `open` fires before the handshake; the connection is delivered from
 *   the `handshake` handler once it succeeded (a server sees an authorization error
 *   whenever the client sent no certificate: a failure only with `requestCert`).
 *   Failures, clients that close mid-handshake and the `handshakeTimeout` are
 *   `events.failed`: counted, never delivered. Handshakes run concurrently, so a silent
 *   client blocks nobody.
 * - **A close or reset while it waits unclaimed** is kept and reported by its transport
 *   right after `attach` (Bun may also hold it back until the socket is resumed).
 *
 * @module
 */
import {
  toSocketError,
  type AcceptedConnection,
  type ListenerEvents,
  type SocketInfo,
  type Transport,
  type TransportEvents,
} from "@sockets/core";
import { handshakeFailed, handshakeTimedOut, type HandshakeRule } from "./_bun-opening.js";
import { coded, ownedChunk, readAddresses, type Addresses, type BunOwner, type BunSocket } from "./_bun-socket.js";
import { BunTransport } from "./bun-transport.js";

/** What an accepted connection needs from its listener. */
export interface AcceptingListener {
  readonly events: ListenerEvents;
  /** The listener stopped: nothing is delivered or reported any more. */
  readonly closed: boolean;
  /** TLS handshakes in progress (aborted when the listener closes). */
  readonly handshakes: Set<BunAccepted>;
}

/**
 * An accepted connection waiting, paused, for a socket to claim it. It owns the socket
 * (`socket.data`) until `attach` hands it to a {@link BunTransport}.
 *
 * @example
 * ```ts
 * import { BunAccepted, type AcceptingListener } from "./_bun-accepted.js";
 * import type { BunSocket } from "./_bun-socket.js";
 * declare const socket: BunSocket, listener: AcceptingListener;
 * const accepted = new BunAccepted(socket, listener, null); // plain: delivered at once
 * ```
 */
export class BunAccepted implements AcceptedConnection, BunOwner {
  #info: SocketInfo | null = null;
  readonly #addresses: Addresses;
  #queued: Uint8Array[] | null = null;
  #ended = false;
  #closed: { readonly error: Error | undefined } | null = null;
  #handshaking: boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #socket: BunSocket;
  readonly #listener: AcceptingListener;
  /** `null`: plain TCP. */
  readonly #rule: HandshakeRule | null;

  constructor(socket: BunSocket, listener: AcceptingListener, rule: HandshakeRule | null) {
    socket.data = this;
    this.#socket = socket;
    this.#listener = listener;
    this.#rule = rule;
    this.#handshaking = rule !== null;
    this.#addresses = readAddresses(socket, "", 0);
    socket.setNoDelay(true); // DESIGN.md: TCP_NODELAY on by default
    if (rule === null) {
      socket.pause();
      listener.events.connection(this);
      return;
    }
    listener.handshakes.add(this);
    const ms = rule.timeout;
    this.#timer = setTimeout(() => this.#handshakeFailed(handshakeTimedOut(ms)), ms);
  }

  /** The client's address as `remoteAddress`, ours as `localAddress` (read at accept), the negotiated ALPN. */
  get info(): SocketInfo {
    if (this.#info === null) {
      const alpn = this.#rule === null ? null : this.#socket.alpnProtocol;
      this.#info = { ...this.#addresses, alpn: typeof alpn === "string" ? alpn : null };
    }
    return this.#info;
  }

  attach(events: TransportEvents): Transport {
    const waited = { queued: this.#queued, ended: this.#ended, closed: this.#closed, paused: true };
    return new BunTransport(this.#socket, events, { hostname: "", port: 0, tls: this.#rule !== null, addresses: this.#addresses }, waited);
  }

  abort(): void {
    this.#stopHandshake();
    if (this.#closed === null) this.#socket.terminate();
  }

  // The socket's events (from `_bun-socket.ts`'s handlers).

  onOpen(): void {}

  onHandshake(socket: BunSocket, success: boolean, error: Error | null): void {
    if (!this.#handshaking) return;
    if (handshakeFailed(this.#rule!, success, error)) {
      this.#handshakeFailed(toSocketError(error ?? coded("The TLS handshake failed", "ETLS"), { code: "ETLS" }));
      return;
    }
    this.#stopHandshake();
    socket.pause();
    if (this.#listener.closed) socket.terminate();
    else this.#listener.events.connection(this);
  }

  onData(chunk: Uint8Array): void {
    (this.#queued ??= []).push(ownedChunk(chunk));
  }

  onEnd(): void {
    this.#ended = true;
  }

  onDrain(): void {}

  onClose(error: Error | undefined): void {
    if (this.#handshaking) {
      this.#closed = { error };
      this.#handshakeFailed(error ?? coded("The client closed the connection during the TLS handshake", "ECONNRESET"));
      return;
    }
    this.#closed ??= { error };
  }

  onError(error: Error): void {
    if (this.#handshaking) return this.#handshakeFailed(error);
    this.#closed ??= { error };
    this.#socket.terminate();
  }

  /** The handshake failed, timed out or the client left: counted, never delivered. */
  #handshakeFailed(error: unknown): void {
    if (!this.#handshaking) return;
    this.#stopHandshake();
    if (this.#closed === null) this.#socket.terminate();
    if (!this.#listener.closed) this.#listener.events.failed(error);
  }

  #stopHandshake(): void {
    if (!this.#handshaking) return;
    this.#handshaking = false;
    clearTimeout(this.#timer);
    this.#listener.handshakes.delete(this);
  }
}
