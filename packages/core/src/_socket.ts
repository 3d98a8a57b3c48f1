/**
 * The one `Socket` implementation: the spec's state machine over a {@link Transport}.
 *
 * Phases: `opening` → `open` → (`closing` →) `closed`, or `failed` from any of them, or
 * `upgraded` once `startTls()` handed the connection to a new socket. The spec's
 * `connect()` algorithm: the socket is returned at once with `opened`/`closed` marked
 * handled; on failure one `SocketError` rejects both and errors both streams.
 * Decisions where the spec is silent are DESIGN.md's (see the README of this package).
 *
 * @module
 */
import { ReadSide, type ReadOwner } from "./_read-side.js";
import { Cancellation } from "./cancellation.js";
import { WriteSide, type WriteOwner } from "./_write-side.js";
import { signalAborted, toSocketError } from "./normalize-error.js";
import type { ResolvedOptions } from "./options.js";
import { SocketError } from "./socket-error.js";
import { assertCanStartTls } from "./start-tls-guard.js";
import type { ServerTlsRequest } from "./listener-transport.js";
import type { TlsRequest, Transport, TransportEvents } from "./transport.js";
import type { SecureTransportKind, Socket, SocketInfo } from "./types.js";

type Phase = "opening" | "open" | "closing" | "closed" | "failed" | "upgraded";

/** Internal: how a socket gets its transport. */
export interface SocketInit {
  /** A transport at once (an accepted connection: no promise, no microtask) or a promise of one. */
  readonly open: (events: TransportEvents, cancel: Cancellation) => Promise<Transport> | Transport;
  readonly options: ResolvedOptions;
  readonly secureTransport: SecureTransportKind;
  /** The client handshake for a dialled socket; the listener's server handshake for an accepted one. */
  readonly tls: TlsRequest | ServerTlsRequest;
}

const noop = (): void => {};

/** Internal: the Socket. Only the spec surface is public; state lives in private fields. */
export class SocketImpl implements Socket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<ArrayBufferView | ArrayBuffer | string>;
  readonly opened: Promise<SocketInfo>;
  readonly closed: Promise<void>;
  readonly secureTransport: SecureTransportKind;

  #phase: Phase = "opening";
  #shutdownStarted = false;
  #writeDone = false;
  #failure: SocketError | null = null;
  #transport: Transport | null = null;
  readonly #read: ReadSide;
  readonly #write: WriteSide;
  /** The transport once open; `null` once it never will be; `undefined` while opening. */
  #readyState: Transport | null | undefined = undefined;
  /** Made only when something waits for the open while it is in progress (see `#whenReady`). */
  #ready: Promise<Transport | null> | null = null;
  #setReady: ((transport: Transport | null) => void) | null = null;
  /** `opened` / `closed` already settled (or rejected): no handler is attached twice. */
  #openedSettled = false;
  #closedSettled = false;
  readonly #resolveOpened: (info: SocketInfo) => void;
  readonly #rejectOpened: (reason: unknown) => void;
  readonly #resolveClosed: () => void;
  readonly #rejectClosed: (reason: unknown) => void;
  /**
   * Gives up the open (or the `startTls()` handshake) in flight when this socket is torn
   * down; dropped once open (nothing is in flight then, and an idle connection keeps less).
   */
  #dialing: Cancellation | null = new Cancellation();
  readonly #options: ResolvedOptions;
  readonly #tls: TlsRequest | ServerTlsRequest;
  #unlisten: () => void = noop;

  constructor(init: SocketInit) {
    this.#options = init.options;
    this.#tls = init.tls;
    this.secureTransport = init.secureTransport;
    let resolveOpened!: (info: SocketInfo) => void;
    let rejectOpened!: (reason: unknown) => void;
    let resolveClosed!: () => void;
    let rejectClosed!: (reason: unknown) => void;
    // The spec's "handled" flag is set right before a rejection (`#rejectOpenedWith`), not
    // here: a socket that never fails allocates no handler promises.
    this.opened = new Promise<SocketInfo>((resolve, reject) => ((resolveOpened = resolve), (rejectOpened = reject)));
    this.closed = new Promise<void>((resolve, reject) => ((resolveClosed = resolve), (rejectClosed = reject)));
    this.#resolveOpened = resolveOpened;
    this.#rejectOpened = rejectOpened;
    this.#resolveClosed = resolveClosed;
    this.#rejectClosed = rejectClosed;
    // One object receives the transport's events and the writable's reports (instead of a
    // closure per callback): idle connections are mostly fixed per-connection objects.
    const events = new SocketImpl.#Events(this);
    const signal = init.options.signal;
    // The dial starts before the two streams are built (~10 µs on Deno and Bun, whose
    // connect() makes the syscall at once): the handshake runs meanwhile. No event comes
    // before `open` settles, and a transport handed over at once is attached below.
    let opening: Promise<Transport> | Transport | undefined;
    let openFailure: SocketError | null = null;
    if (signal?.aborted !== true) {
      try {
        opening = init.open(events, this.#dialing!);
      } catch (error) {
        openFailure = toSocketError(error);
      }
    }
    const read = (this.#read = new ReadSide(events));
    this.#write = new WriteSide(events);
    this.readable = read.stream;
    this.writable = this.#write.stream;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.#fail(signalAborted(signal));
        return;
      }
      const onAbort = (): void => this.#fail(signalAborted(signal));
      signal.addEventListener("abort", onAbort, { once: true });
      this.#unlisten = () => signal.removeEventListener("abort", onAbort);
    }
    if (openFailure !== null || opening === undefined) {
      this.#fail(openFailure ?? new SocketError("The transport did not open", { code: "EUNKNOWN" }));
      return;
    }
    if (!(opening instanceof Promise)) this.#onOpen(opening);
    else
      opening.then(
        (transport) => this.#onOpen(transport),
        (error) => this.#fail(toSocketError(error)),
      );
  }

  /** The transport's events and the writable's reports, routed to this socket's private methods. */
  static readonly #Events = class implements TransportEvents, WriteOwner, ReadOwner {
    readonly #socket: SocketImpl;
    constructor(socket: SocketImpl) {
      this.#socket = socket;
    }
    data(chunk: Uint8Array): void {
      this.#socket.#read.data(chunk);
    }
    end(): void {
      this.#socket.#peerEnd();
    }
    endSeen(): void {
      this.#socket.#peerEndSeen();
    }
    error(error: unknown): void {
      this.#socket.#fail(toSocketError(error));
    }
    writableClosed(): Promise<void> | undefined {
      return this.#socket.#halfClose();
    }
    writableAborted(reason: unknown): void {
      void this.#socket.close(reason ?? new SocketError("The writable was aborted", { code: "ECLOSED" }));
    }
    writeFailed(error: unknown): unknown {
      const socket = this.#socket;
      socket.#fail(toSocketError(error));
      return socket.#failure ?? toSocketError(error);
    }
  };

  get upgraded(): boolean {
    return this.#phase === "upgraded";
  }

  close(reason?: unknown): Promise<void> {
    const phase = this.#phase;
    // Closed already: the same `closed`. Closing gracefully (our close(), or both directions
    // finished): the same `closed`, unless a reason comes: then the close is cut short (an
    // abort), so a graceful close that waits for a peer that never reads can be ended.
    if (phase === "closed" || phase === "failed" || phase === "upgraded") return this.closed;
    if (phase === "closing" && reason === undefined) return this.closed;
    if (reason !== undefined) {
      // An abort: everything pending rejects with the caller's reason.
      this.#phase = "closed";
      this.#teardown(reason);
      this.#resolveClosed();
      return this.closed;
    }
    const closedError = quietError("The socket was closed", "ECLOSED");
    this.#read.end();
    const transport = this.#transport;
    if (phase === "opening" || transport === null) {
      this.#phase = "closed";
      this.#teardown(closedError);
      this.#resolveClosed();
      return this.closed;
    }
    this.#phase = "closing";
    // What was written before close() goes out first; then the writable errors (the spec's
    // abort) and the connection closes gracefully. Reading goes on meanwhile (bytes are
    // dropped): unread bytes in the kernel would turn the FIN into a RST.
    const flushed = this.#write.flush(closedError);
    if (flushed === undefined) this.#closeAfterFlush(transport, closedError);
    else void flushed.then(() => this.#closeAfterFlush(transport, closedError));
    return this.closed;
  }

  #closeAfterFlush(transport: Transport, closedError: SocketError): void {
    this.#write.error(closedError);
    this.#closeTransport(transport);
  }

  /** The graceful close of the connection; `closed` settles when it completes. */
  #closeTransport(transport: Transport): void {
    let pending: void | Promise<void>;
    try {
      pending = transport.close();
    } catch (error) {
      this.#fail(toSocketError(error));
      return;
    }
    if (pending === undefined) this.#settle();
    else
      pending.then(
        () => this.#settle(),
        (error) => this.#fail(toSocketError(error)),
      );
  }

  startTls(): Socket {
    const phase = this.#phase;
    assertCanStartTls({
      secureTransport: this.secureTransport,
      upgraded: phase === "upgraded",
      closed: phase === "closed" || phase === "failed" || phase === "closing",
    });
    this.#phase = "upgraded";
    this.#unlisten();
    this.#read.end();
    const moved = new SocketError("The socket was upgraded by startTls(); use the socket it returned", {
      code: "ECLOSED",
    });
    const flushed = this.#write.flush(moved);
    const open = async (events: TransportEvents, cancel: Cancellation): Promise<Transport> => {
      try {
        const transport = await this.#whenReady();
        if (flushed !== undefined) await flushed;
        if (transport === null || this.#failure !== null) {
          // The connection failed while the writes flushed: nobody else releases it.
          transport?.abort();
          throw this.#failure ?? moved;
        }
        this.#write.error(moved);
        this.#resolveClosed();
        return await transport.startTls(this.#tls, events, cancel);
      } catch (error) {
        this.#rejectClosedWith(toSocketError(error));
        throw error;
      }
    };
    return new SocketImpl({
      open,
      options: { ...this.#options, secureTransport: "on" },
      secureTransport: "on",
      tls: this.#tls,
    });
  }

  /** Resolves with the transport once open, or `null` if it never will be. */
  #whenReady(): Promise<Transport | null> {
    const state = this.#readyState;
    if (state !== undefined) return Promise.resolve(state);
    return (this.#ready ??= new Promise((resolve) => (this.#setReady = resolve)));
  }

  /** The first call decides what `#whenReady()` resolves with. */
  #markReady(transport: Transport | null): void {
    if (this.#readyState !== undefined) return;
    this.#readyState = transport;
    this.#setReady?.(transport);
  }

  /** Rejects `opened` (if still pending), marked handled first: never an unhandled rejection. */
  #rejectOpenedWith(reason: unknown): void {
    if (this.#openedSettled) return;
    this.#openedSettled = true;
    this.opened.catch(noop);
    this.#rejectOpened(reason);
  }

  /** Rejects `closed` (if still pending), marked handled first. */
  #rejectClosedWith(reason: unknown): void {
    if (this.#closedSettled) return;
    this.#closedSettled = true;
    this.closed.catch(noop);
    this.#rejectClosed(reason);
  }

  #onOpen(transport: Transport): void {
    const phase = this.#phase;
    if (phase === "closed" || phase === "failed") {
      transport.abort();
      return;
    }
    this.#transport = transport;
    this.#dialing = null;
    if (phase === "opening") this.#phase = "open";
    this.#read.attach(transport);
    this.#markReady(transport);
    this.#openedSettled = true;
    this.#resolveOpened(transport.info);
    // Last: a write made before the open goes out now, and may fail the socket at once.
    this.#write.attach(transport);
  }

  // Called from `#Events.end()` (a class inside this one): the rule does not see that use.
  // oxlint-disable-next-line no-unused-private-class-members
  #peerEnd(): void {
    if (this.#phase !== "open") return;
    if (this.#options.allowHalfOpen) {
      this.#read.end();
      this.#maybeFinish();
      return;
    }
    // Without allowHalfOpen our side ends too, but only once the reader has taken the
    // end (after every chunk before it): `#peerEndSeen`.
    this.#read.peerEnd();
  }

  /** The reader took the peer's end (allowHalfOpen false): refuse later writes, then our FIN. */
  // Called from `#Events.endSeen()`.
  // oxlint-disable-next-line no-unused-private-class-members
  #peerEndSeen(): void {
    if (this.#phase !== "open") return;
    // Writes accepted from now on reject with EPIPE; those accepted before are sent first.
    const flushed = this.#write.flush(quietError("The peer closed the connection", "EPIPE"));
    // Deferred even when nothing is pending, so our FIN comes at the same point either way:
    // two microtasks after the flush (see `#endWriting`).
    if (flushed === undefined) queueMicrotask(() => this.#endWriting());
    else void flushed.then(() => this.#endWriting());
  }

  /**
   * After the peer's FIN without allowHalfOpen, once the writes accepted before it went
   * out: our FIN. The writable is neither errored nor closed here; it is left to whoever
   * holds it: its writes reject with EPIPE (the flush cutoff) and its close() resolves. So
   * a `readable.pipeTo(writable)` echo, or a proxy's two pipes, end cleanly whenever their
   * own close of the writable comes (an errored writable made them reject with EPIPE; a
   * held WritableStream cannot be closed from its sink, as workerd's forceClose() does).
   */
  #endWriting(): void {
    // A microtask later: a close() the reader makes on seeing the end comes first and
    // sends the FIN itself (no separate shutdown then).
    queueMicrotask(() => void this.#halfClose()?.catch(noop));
  }

  /** Our FIN: after the consumer closed the writable, or after the peer's FIN without allowHalfOpen. */
  #halfClose(): Promise<void> | undefined {
    if (this.#shutdownStarted) {
      this.#maybeFinish();
      return undefined;
    }
    this.#shutdownStarted = true;
    const ready = this.#readyState;
    if (ready === undefined) return this.#whenReady().then((transport) => this.#shutdown(transport));
    return this.#shutdown(ready);
  }

  /** Sends our FIN on `transport` (unless the socket is no longer open); `undefined` when already done. */
  #shutdown(transport: Transport | null): Promise<void> | undefined {
    if (transport === null || this.#phase !== "open") return undefined;
    let pending: void | Promise<void>;
    try {
      pending = transport.shutdown();
    } catch (error) {
      this.#fail(toSocketError(error));
      return Promise.reject(error);
    }
    if (pending === undefined) {
      this.#wroteFin();
      return undefined;
    }
    return pending.then(
      () => this.#wroteFin(),
      (error: unknown) => {
        this.#fail(toSocketError(error));
        throw error;
      },
    );
  }

  /** Our FIN went out: the writing direction is done. */
  #wroteFin(): void {
    this.#writeDone = true;
    this.#maybeFinish();
  }

  /** Both directions are done: close the connection and resolve `closed`. */
  #maybeFinish(): void {
    const transport = this.#transport;
    if (this.#phase !== "open" || !this.#read.done || !this.#writeDone || transport === null) return;
    this.#phase = "closing";
    // Not from inside the transport's event (or the shutdown) that finished the last direction.
    queueMicrotask(() => this.#closeTransport(transport));
  }

  #settle(): void {
    if (this.#phase !== "closing") return;
    this.#phase = "closed";
    this.#unlisten();
    this.#resolveClosed();
  }

  #fail(error: SocketError): void {
    const phase = this.#phase;
    if (phase === "upgraded") {
      // The connection failed before startTls() could hand it over: the new socket's
      // open rejects with this, and so do the old `opened` (if pending) and `closed`.
      this.#failure ??= error;
      this.#rejectOpenedWith(error);
      this.#markReady(null);
      this.#write.attach(null);
      return;
    }
    if (phase === "closed" || phase === "failed") return;
    this.#phase = "failed";
    this.#failure = error;
    // workerd's order: `opened`, then `closed`, then pending writes, then pending reads.
    // Drivers that report each rejection (postgres.js) then report the failure once.
    this.#rejectOpenedWith(error);
    this.#rejectClosedWith(error);
    this.#teardown(error, true);
  }

  /**
   * Rejects a pending `opened`, errors both streams, and drops the connection. After a
   * connection failure (`failed`) the reader still gets the bytes that had arrived first.
   */
  #teardown(reason: unknown, failed = false): void {
    this.#unlisten();
    this.#rejectOpenedWith(reason);
    this.#write.error(reason);
    this.#read.error(reason, failed);
    this.#dialing?.cancel(reason);
    this.#markReady(null);
    this.#read.attach(null);
    this.#write.attach(null);
    this.#transport?.abort();
  }
}

/**
 * A `SocketError` for graceful paths (close, the peer's FIN) that only ever reaches a write
 * made afterwards: built without a stack trace, which is most of an Error's cost (~4 µs
 * on Node 20, once per connection) and says nothing here.
 */
function quietError(message: string, code: "ECLOSED" | "EPIPE"): SocketError {
  // V8 and JavaScriptCore honour stackTraceLimit; elsewhere this is a plain construction.
  const errorClass = Error as { stackTraceLimit?: number };
  const limit = errorClass.stackTraceLimit;
  errorClass.stackTraceLimit = 0;
  try {
    return new SocketError(message, { code });
  } finally {
    errorClass.stackTraceLimit = limit;
  }
}
