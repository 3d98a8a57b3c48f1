/**
 * The one `UDPSocket` implementation over a runtime's {@link DatagramTransport}.
 *
 * - `readable`: a value stream of `UDPMessage` over a bounded queue whose overflow is
 *   dropped and counted (`_udp-read-side.ts`).
 * - `writable`: one write is one datagram, resolved once the runtime handed it to the OS.
 *   A write that fails (a bad chunk, `EMSGSIZE`, `ENOTFOUND`, an ICMP `ECONNREFUSED`)
 *   rejects with a `SocketError`; WHATWG streams then error that `WritableStream` (and
 *   reject the writes queued behind it, unsent), so the socket installs a fresh one:
 *   `socket.writable` is usable again, the readable and the socket never notice. See the
 *   README ("UDP: a failed datagram").
 * - `close()` ends the readable (a pending read resolves `done`), lets the datagram in
 *   flight reach the OS, errors the writable with `ECLOSED`, releases the socket;
 *   `close(reason)` errors both streams with `reason`. A `signal` is `close` with
 *   `EABORTED`, but `closed` rejects with it. `opened`/`closed` are marked handled.
 *
 * @module
 */
import { datagramOf } from "./_udp-chunk.js";
import { UdpReadSide } from "./_udp-read-side.js";
import type { DatagramEvents, DatagramTransport, OpenDatagram } from "./datagram-transport.js";
import { deferred } from "./deferred.js";
import { codeOf, signalAborted, toSocketError } from "./normalize-error.js";
import { SocketError } from "./socket-error.js";
import { isIpv4 } from "./ip-literals.js";
import { isIpLiteral, type ResolvedUdpOptions } from "./udp-options.js";
import type { UDPMessage, UDPMessageInit, UDPSocket, UDPSocketInfo, UDPSocketStats } from "./udp-types.js";

type Phase = "opening" | "open" | "closing" | "closed" | "failed";
type Chunk = UDPMessageInit | ArrayBufferView | ArrayBuffer;

const noop = (): void => {};

/** Closes `transport` (a microtask later, never from inside its own event); resolves when done, failed or not. */
function closeQuietly(transport: DatagramTransport): Promise<void> {
  return Promise.resolve()
    .then(() => transport.close())
    .catch(noop);
}

/** Internal: the UDPSocket. Only the public surface is visible; state lives in private fields. */
export class UdpSocketImpl implements UDPSocket {
  readonly readable: ReadableStream<UDPMessage>;
  readonly opened: Promise<UDPSocketInfo>;
  readonly closed: Promise<void>;

  #phase: Phase = "opening";
  #closeCalled = false;
  #failure: SocketError | null = null;
  #transport: DatagramTransport | null = null;
  readonly #open: OpenDatagram;
  readonly #connected: boolean;
  readonly #read: UdpReadSide;
  /** The bound address once open (`""` before). */
  #localAddress = "";
  #writable: WritableStream<Chunk>;
  #writes: WritableStreamDefaultController | null = null;
  /** The user closed or aborted the writable: no fresh one after a failed write. */
  #writableDone = false;
  /** The send in flight (what `close()` lets finish). */
  #inFlight: Promise<void> | null = null;
  readonly #lastPeer = { address: undefined as unknown, host: "" };
  #openedSettled = false;
  #closedSettled = false;
  readonly #resolveOpened: (info: UDPSocketInfo) => void;
  readonly #rejectOpened: (reason: unknown) => void;
  readonly #resolveClosed: () => void;
  readonly #rejectClosed: (reason: unknown) => void;
  /** Settles once the open did, with or without a transport. */
  readonly #ready: Promise<void>;
  readonly #setReady: () => void;
  /** The open settled (with a transport or without one). */
  #openSettled = false;
  /** Closed or failed while opening: runs once the late transport closed, or the open failed. */
  #afterOpen: (() => void) | null = null;
  #unlisten: () => void = noop;

  constructor(open: OpenDatagram, options: ResolvedUdpOptions) {
    this.#open = open;
    this.#connected = options.mode === "connected";
    [this.opened, this.#resolveOpened, this.#rejectOpened] = deferred<UDPSocketInfo>();
    [this.closed, this.#resolveClosed, this.#rejectClosed] = deferred<void>();
    [this.#ready, this.#setReady] = deferred<void>();
    this.#read = new UdpReadSide(options.highWaterMark, this.#ready, (error) => this.#fail(toSocketError(error)));
    this.readable = this.#read.stream;
    this.#writable = this.#newWritable();
    const signal = options.signal;
    if (signal?.aborted === true) {
      this.#openSettled = true; // nothing is opened: `closed` rejects at once
      this.#fail(signalAborted(signal, "The UDP socket"));
      return;
    }
    // A synchronous throw (an option this runtime cannot honour, a missing flag) leaves udp() as it is.
    const opening = open(options.request, new UdpSocketImpl.#Events(this));
    if (signal !== undefined) {
      const onAbort = (): void => this.#fail(signalAborted(signal, "The UDP socket"));
      signal.addEventListener("abort", onAbort, { once: true });
      this.#unlisten = () => signal.removeEventListener("abort", onAbort);
    }
    opening.then(
      (transport) => this.#onOpen(transport),
      (error: unknown) => {
        this.#openSettled = true;
        this.#setReady();
        this.#fail(toSocketError(error));
        // Closed or failed while opening: nothing was bound, `closed` settles now.
        this.#runAfterOpen();
      },
    );
  }

  /** The runtime's reports, routed to private methods (not visible on the socket). */
  // oxlint-disable-next-line no-unused-private-class-members
  static readonly #Events = class implements DatagramEvents {
    // oxlint-disable-next-line no-unused-private-class-members
    readonly #socket: UdpSocketImpl;
    constructor(socket: UdpSocketImpl) {
      this.#socket = socket;
    }
    message(data: Uint8Array, address: string, port: number): void {
      this.#socket.#read.message(data, address, port);
    }
    error(error: unknown): void {
      this.#socket.#fail(toSocketError(error));
    }
  };

  get writable(): WritableStream<Chunk> {
    return this.#writable;
  }

  get stats(): UDPSocketStats {
    return { received: this.#read.received, dropped: this.#read.dropped };
  }

  close(reason?: unknown): Promise<void> {
    const phase = this.#phase;
    if (this.#closeCalled || phase === "closed" || phase === "failed") return this.closed;
    this.#closeCalled = true;
    this.#unlisten();
    this.#rejectOpenedWith(reason ?? new SocketError("The UDP socket was closed before it was bound", { code: "ECLOSED" }));
    this.#read.end(reason);
    const error = reason ?? new SocketError("The UDP socket was closed", { code: "ECLOSED" });
    const transport = this.#transport;
    if (phase === "opening" || transport === null) {
      // `closed` resolves once the port is released: after `#onOpen` closed a transport
      // that arrives late, or at once if the open failed.
      this.#phase = "closed";
      this.#errorWritable(error);
      this.#releaseThen(() => this.#settleClosed());
      return this.closed;
    }
    this.#phase = "closing";
    if (reason !== undefined) this.#errorWritable(error);
    const inFlight = reason === undefined ? this.#inFlight : null;
    (inFlight === null ? Promise.resolve() : inFlight.catch(noop))
      .then(() => {
        this.#errorWritable(error);
        return transport.close();
      })
      .then(
        () => {
          this.#phase = "closed";
          this.#settleClosed();
        },
        (failure: unknown) => {
          this.#phase = "failed";
          this.#rejectClosedWith(toSocketError(failure));
        },
      );
    return this.closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<UDPMessage> {
    return (this.readable as unknown as AsyncIterable<UDPMessage>)[Symbol.asyncIterator]();
  }

  // ── writing ─────────────────────────────────────────────────────────────────────────

  #newWritable(): WritableStream<Chunk> {
    return new WritableStream<Chunk>({
      start: (controller) => void (this.#writes = controller),
      write: (chunk) => this.#write(chunk),
      close: () => void (this.#writableDone = true),
      abort: () => void (this.#writableDone = true),
    });
  }

  #write(chunk: Chunk): Promise<void> | void {
    if (this.#phase !== "open" && this.#phase !== "opening") throw this.#failure ?? this.#closedError();
    let datagram;
    try {
      datagram = datagramOf(chunk, this.#connected, this.#lastPeer);
    } catch (error) {
      throw this.#writeFailed(error);
    }
    const transport = this.#transport;
    const host = datagram.host;
    if (host !== null && transport !== null) this.#checkFamily(host);
    if (transport === null || (host !== null && !isIpLiteral(host)))
      return this.#track(this.#writeLater(datagram.data, host, datagram.port));
    let sending: void | Promise<void>;
    try {
      sending = transport.send(datagram.data, host, datagram.port);
    } catch (error) {
      throw this.#writeFailed(error);
    }
    if (sending === undefined) return;
    return this.#track(sending.catch((error: unknown) => Promise.reject(this.#writeFailed(error))));
  }

  /** The socket's address family, for bound-mode hostnames and literals (`undefined`: a dual-stack `"::"`). */
  get #family(): 4 | 6 | undefined {
    const local = this.#localAddress;
    return !local.includes(":") ? 4 : local === "::" ? undefined : 6;
  }

  /**
   * A bound socket of one family cannot send to an IP literal of the other (the OS says
   * `EINVAL` or `EAFNOSUPPORT`, a different message on each runtime): refused here, as a
   * bad write (`EINVAL`) naming the address. A dual-stack `"::"` socket sends to both.
   */
  #checkFamily(host: string): void {
    const family = this.#family;
    if (family === undefined) return;
    const literal = isIpv4(host) ? 4 : host.includes(":") ? 6 : undefined;
    if (literal === undefined || literal === family) return;
    throw this.#writeFailed(
      new SocketError(
        `Invalid write: remoteAddress ${JSON.stringify(host)} is an IPv${literal} address, but the socket is bound to ${JSON.stringify(this.#localAddress)} (IPv${family}); expected an IPv${family} address or a hostname (bind to "::" for both families)`,
        { code: "EINVAL" },
      ),
    );
  }

  /** A write before the socket is open, or to a hostname: wait for the open, resolve, send. */
  async #writeLater(data: Uint8Array, host: string | null, port: number | null): Promise<void> {
    await this.#ready;
    const transport = this.#transport;
    if (transport === null || this.#phase !== "open") throw this.#failure ?? this.#closedError();
    if (host !== null && isIpLiteral(host)) this.#checkFamily(host);
    let address = host;
    if (host !== null && !isIpLiteral(host)) {
      try {
        address = await this.#open.resolve(host, this.#family);
      } catch (error) {
        throw this.#writeFailed(toSocketError(error, codeOf(error) === undefined ? { code: "ENOTFOUND" } : {}));
      }
      if (this.#phase !== "open") throw this.#failure ?? this.#closedError();
    }
    try {
      await transport.send(data, address, port);
    } catch (error) {
      throw this.#writeFailed(error);
    }
  }

  #track(sending: Promise<void>): Promise<void> {
    this.#inFlight = sending;
    return sending;
  }

  /**
   * One datagram failed: the error for that write. The WHATWG stream errors with it, so
   * the socket installs a fresh writable (unless it is closing, or the user closed it).
   */
  #writeFailed(cause: unknown): SocketError {
    const error = toSocketError(cause);
    if ((this.#phase === "open" || this.#phase === "opening") && !this.#writableDone) {
      this.#writable = this.#newWritable();
    }
    return error;
  }

  #errorWritable(reason: unknown): void {
    this.#writableDone = true;
    try {
      this.#writes?.error(reason);
    } catch {
      // Already errored.
    }
  }

  #closedError(): SocketError {
    return new SocketError("The UDP socket was closed", { code: "ECLOSED" });
  }

  // ── lifecycle ───────────────────────────────────────────────────────────────────────

  #onOpen(transport: DatagramTransport): void {
    this.#openSettled = true;
    if (this.#phase !== "opening") {
      // Closed (or aborted) while binding: release the port, then `closed` settles.
      this.#setReady();
      closeQuietly(transport).then(() => this.#runAfterOpen());
      return;
    }
    this.#phase = "open";
    this.#transport = transport;
    this.#read.attach(transport);
    const local = transport.localAddress;
    this.#localAddress = local;
    const info: UDPSocketInfo = { localAddress: local, localPort: transport.localPort };
    if (transport.remoteAddress !== null && transport.remotePort !== null) {
      info.remoteAddress = transport.remoteAddress;
      info.remotePort = transport.remotePort;
    }
    this.#openedSettled = true;
    this.#resolveOpened(info);
    this.#setReady();
  }

  #fail(error: SocketError): void {
    const phase = this.#phase;
    if (phase === "closed" || phase === "failed" || this.#closeCalled) return;
    this.#phase = "failed";
    this.#failure = error;
    this.#unlisten();
    this.#rejectOpenedWith(error);
    this.#read.end(error);
    this.#errorWritable(error);
    // `closed` rejects once the port is released (a rebind right after it succeeds).
    this.#releaseThen(() => this.#rejectClosedWith(error));
  }

  /** Runs `then` once nothing is bound: the transport closed, or the open ended without one. */
  #releaseThen(then: () => void): void {
    const transport = this.#transport;
    if (transport !== null) closeQuietly(transport).then(then);
    else if (this.#openSettled) then();
    else this.#afterOpen = then;
  }

  #runAfterOpen(): void {
    const then = this.#afterOpen;
    this.#afterOpen = null;
    then?.();
  }

  #settleClosed(): void {
    if (this.#closedSettled) return;
    this.#closedSettled = true;
    this.#resolveClosed();
  }

  #rejectOpenedWith(reason: unknown): void {
    if (this.#openedSettled) return;
    this.#openedSettled = true;
    this.opened.catch(noop);
    this.#rejectOpened(reason);
  }

  #rejectClosedWith(reason: unknown): void {
    if (this.#closedSettled) return;
    this.#closedSettled = true;
    this.closed.catch(noop);
    this.#rejectClosed(reason);
  }
}
