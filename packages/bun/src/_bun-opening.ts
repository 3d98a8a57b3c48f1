/**
 * A Bun socket from its dial or `upgradeTLS` until it is usable; then it is handed to a
 * new transport. Used by `open-bun-transport.ts` (dialling) and by an open transport's
 * `startTls()` (client and server side).
 *
 * What Bun 1.4.5 does differently, and what this file does about it:
 *
 * - **TLS resolves early.** `Bun.connect` resolves at TCP connect, before the handshake;
 *   without a `handshake` handler a failed verification closes with `close(socket,
 *   undefined)` and the reason is lost (oven-sh/bun#34344). The `handshake` handler is
 *   always installed and the open resolves from `handshake(true)`, or rejects with the
 *   authorization error as `ETLS` (also when `success` is true but an error is set: 1.4.0
 *   canaries did not enforce `rejectUnauthorized`, oven-sh/bun#33846). A *server* sees an
 *   authorization error whenever the client sent no certificate: a failure only with
 *   `requestCert`.
 * - **No abort for a connect in flight** (see `open-bun-transport.ts`): a cancelled open
 *   rejects at once and the socket is terminated as soon as it exists (or now,
 *   mid-handshake).
 * - **`upgradeTLS` keeps firing the old handlers** on the raw socket with the TLS
 *   ciphertext (a "raw tap", like oven-sh/bun#32239). The raw socket's handlers are
 *   `reload()`ed to no-ops first; everything then goes through the new TLS socket only.
 *   Its `open` fires synchronously inside `upgradeTLS`. Server side (`isServer: true`)
 *   works on 1.4.5 (older Bun crashed, oven-sh/bun#25044), also on an accepted socket
 *   that is still paused (nobody read it): the TLS socket reads regardless (verified).
 * - **A server handshake is bounded** by `handshakeTimeout` (a client that never sends its
 *   `ClientHello`); a client handshake by the socket's `signal` / `close()` (core cancels).
 * - **Errors come from three places:** the `Bun.connect` rejection / `connectError`
 *   (refused, DNS), `close(socket, error)` (a reset) and `handshake(socket, false, error)`.
 *   A close during the opening with no error becomes `ECONNRESET`.
 *
 * @module
 */
import {
  attemptAborted,
  isServerTls,
  SocketError,
  toSocketError,
  type Cancellation,
  type ServerTlsRequest,
  type TlsRequest,
  type Transport,
  type TransportEvents,
} from "@sockets/core";
import { bunHandlers, coded, ownedChunk, SILENT, type BunOwner, type BunPeer, type BunSocket, type Waited } from "./_bun-socket.js";
import { bunServerTlsOptions, bunTlsOptions } from "./_tls-options.js";

/** The open transport's class (passed in, so this file does not import it back). */
export type TransportClass = new (socket: BunSocket, events: TransportEvents, peer: BunPeer, waited: Waited) => Transport;

/**
 * How a TLS handshake is judged. `requireCert`: an authorization error fails it (a client
 * verifying the server; a server with `requestCert`). `timeout`: milliseconds it may take
 * (0: no limit).
 */
export interface HandshakeRule {
  readonly requireCert: boolean;
  readonly timeout: number;
}

/** A client handshake: the server's certificate must verify; no time limit of its own. */
export const CLIENT_HANDSHAKE: HandshakeRule = { requireCert: true, timeout: 0 };

/**
 * The server's rule for `tls`.
 *
 * @example
 * ```ts
 * import { serverHandshake } from "./_bun-opening.js";
 * declare const cert: string, key: string;
 * serverHandshake({ role: "server", cert, key, alpn: [], requestCert: false, caCerts: [], handshakeTimeout: 5_000 }).timeout; // 5000
 * ```
 */
export function serverHandshake(tls: ServerTlsRequest): HandshakeRule {
  return { requireCert: tls.requestCert, timeout: tls.handshakeTimeout };
}

/**
 * Whether a `handshake(socket, success, error)` event is a failure under `rule`.
 *
 * @example
 * ```ts
 * import { CLIENT_HANDSHAKE, handshakeFailed } from "./_bun-opening.js";
 * handshakeFailed(CLIENT_HANDSHAKE, true, new Error("self-signed certificate")); // true
 * ```
 */
export function handshakeFailed(rule: HandshakeRule, success: boolean, error: Error | null): boolean {
  return !success || (rule.requireCert && error !== null);
}

/**
 * The error for a server handshake that did not finish in time.
 *
 * @example
 * ```ts
 * import { handshakeTimedOut } from "./_bun-opening.js";
 * handshakeTimedOut(10_000).code; // "ETLS"
 * ```
 */
export function handshakeTimedOut(ms: number): SocketError {
  return new SocketError(`The client did not finish the TLS handshake within ${ms} ms`, { code: "ETLS" });
}

type Outcome = "pending" | "open" | "failed";

/**
 * One socket while it opens: it owns the socket (`socket.data`) until the TCP connection
 * (plain) or the handshake (TLS) is up, keeping what arrives meanwhile, then hands it to
 * a new transport and resolves `promise` with it. Cancelling `cancel`, a failure or
 * {@link BunOpening.giveUp} rejects `promise` and terminates the socket (now, or as soon
 * as it exists).
 *
 * @example
 * ```ts
 * import { Cancellation, type TransportEvents } from "@sockets/core";
 * import { BunOpening } from "./_bun-opening.js";
 * import { bunHandlers } from "./_bun-socket.js";
 * import { BunTransport } from "./bun-transport.js";
 * declare const events: TransportEvents;
 * const peer = { hostname: "127.0.0.1", port: 7, tls: false };
 * const opening = new BunOpening(null, events, peer, new Cancellation(), BunTransport);
 * Bun.connect({ ...peer, data: opening, socket: bunHandlers }).then((s) => opening.connected(s), (e) => opening.giveUp(e));
 * const transport = await opening.promise;
 * ```
 */
export class BunOpening implements BunOwner {
  readonly promise: Promise<Transport>;
  #resolve!: (transport: Transport) => void;
  #reject!: (error: unknown) => void;
  #outcome: Outcome = "pending";
  #socket: BunSocket | null = null;
  #socketClosed = false;
  #queued: Uint8Array[] | null = null;
  #ended = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** `null`: plain TCP, open once connected. */
  readonly #rule: HandshakeRule | null;
  readonly #events: TransportEvents;
  readonly #peer: BunPeer;
  readonly #cancel: Cancellation;
  readonly #Transport: TransportClass;
  readonly #onCancel = (reason: unknown): void => this.giveUp(attemptAborted(reason));

  constructor(rule: HandshakeRule | null, events: TransportEvents, peer: BunPeer, cancel: Cancellation, Transport: TransportClass) {
    this.#rule = rule;
    this.#events = events;
    this.#peer = peer;
    this.#cancel = cancel;
    this.#Transport = Transport;
    this.promise = new Promise((resolve, reject) => ((this.#resolve = resolve), (this.#reject = reject)));
    cancel.watch(this.#onCancel);
    const ms = rule?.timeout ?? 0;
    if (ms > 0 && this.#outcome === "pending") this.#timer = setTimeout(() => this.giveUp(handshakeTimedOut(ms)), ms);
  }

  /** The `Bun.connect` promise resolved (TCP is up; for TLS the handshake may still run). */
  connected(socket: BunSocket): void {
    this.#socket ??= socket;
    if (this.#outcome === "failed") this.#kill();
    else if (this.#outcome === "pending" && this.#rule === null) this.#succeed();
  }

  /** Stops waiting: the open rejects with `error`, a socket that exists is reset. */
  giveUp(error: unknown): void {
    if (this.#outcome !== "pending") return;
    this.#fail(error);
    this.#kill();
  }

  // The socket's events (from `_bun-socket.ts`'s handlers).

  onOpen(socket: BunSocket): void {
    this.#socket = socket;
    if (this.#outcome === "failed") return this.#kill();
    socket.setNoDelay(true); // DESIGN.md: TCP_NODELAY on by default
    if (this.#rule === null) this.#succeed();
  }

  onHandshake(socket: BunSocket, success: boolean, error: Error | null): void {
    if (this.#outcome !== "pending" || this.#rule === null) return;
    this.#socket = socket;
    if (handshakeFailed(this.#rule, success, error)) {
      this.giveUp(toSocketError(error ?? coded("The TLS handshake failed", "ETLS"), { code: "ETLS" }));
      return;
    }
    this.#succeed();
  }

  onData(chunk: Uint8Array): void {
    if (this.#outcome === "pending") (this.#queued ??= []).push(ownedChunk(chunk));
  }

  onEnd(): void {
    this.#ended = true;
  }

  onDrain(): void {}

  onClose(error: Error | undefined): void {
    this.#socketClosed = true;
    this.#fail(error ?? coded("The connection closed before it was established", "ECONNRESET"));
  }

  onError(error: Error): void {
    this.giveUp(error);
  }

  #succeed(): void {
    this.#outcome = "open";
    this.#settled();
    const waited: Waited = { queued: this.#queued, ended: this.#ended, closed: null, paused: false };
    this.#resolve(new this.#Transport(this.#socket!, this.#events, this.#peer, waited));
  }

  #fail(error: unknown): void {
    if (this.#outcome !== "pending") return;
    this.#outcome = "failed";
    this.#settled();
    this.#queued = null;
    this.#reject(error);
  }

  #settled(): void {
    clearTimeout(this.#timer);
    this.#cancel.unwatch(this.#onCancel);
  }

  #kill(): void {
    if (this.#socket !== null && !this.#socketClosed) this.#socket.terminate();
  }
}

/**
 * Upgrades an open raw socket to TLS (`startTls()`): the client's handshake for a dialled
 * socket, the server's (`isServer`) for an accepted one. Resolves with the new transport
 * over the TLS socket; the raw socket is silenced first (Bun keeps feeding it ciphertext).
 *
 * @example
 * ```ts
 * import type { Cancellation, TlsRequest, TransportEvents } from "@sockets/core";
 * import { upgradeTls } from "./_bun-opening.js";
 * import { BunTransport } from "./bun-transport.js";
 * import type { BunSocket } from "./_bun-socket.js";
 * declare const raw: BunSocket, tls: TlsRequest, cancel: Cancellation, events: TransportEvents;
 * const transport = await upgradeTls(raw, tls, cancel, events, { hostname: "mail.example", port: 25, tls: true }, BunTransport);
 * ```
 */
export function upgradeTls(
  raw: BunSocket,
  tls: TlsRequest | ServerTlsRequest,
  cancel: Cancellation,
  events: TransportEvents,
  peer: BunPeer,
  Transport: TransportClass,
): Promise<Transport> {
  const server = isServerTls(tls) ? tls : null;
  const opening = new BunOpening(server === null ? CLIENT_HANDSHAKE : serverHandshake(server), events, peer, cancel, Transport);
  try {
    // The raw socket keeps firing its handlers with the ciphertext: they must go nowhere.
    // A dialled socket's handlers are its own (`reload()`); an accepted socket's are the
    // listener's, shared by every connection (a `reload()` would silence the listener:
    // no later connection would be served), so there the owner is removed instead.
    if (server === null) raw.reload({ socket: SILENT });
    else raw.data = undefined;
    if (server !== null) {
      // Bun's types do not list `isServer` (it is in its implementation and docs).
      raw.upgradeTLS({ data: opening, tls: bunServerTlsOptions(server), isServer: true, socket: bunHandlers } as Parameters<
        BunSocket["upgradeTLS"]
      >[0]);
    } else {
      raw.upgradeTLS({ data: opening, tls: bunTlsOptions(tls as TlsRequest, peer.hostname), socket: bunHandlers });
    }
  } catch (error) {
    opening.giveUp(error);
    raw.terminate();
  }
  return opening.promise;
}
