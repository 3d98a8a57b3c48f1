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
import { _ReadSide } from "./_read-side.js";
import { _WriteSide } from "./_write-side.js";
import { toSocketError } from "./normalize-error.js";
import type { ResolvedOptions } from "./options.js";
import { SocketError } from "./socket-error.js";
import type { TlsRequest, Transport, TransportEvents } from "./transport.js";
import type { SecureTransportKind, Socket, SocketInfo } from "./types.js";

type Phase = "opening" | "open" | "closing" | "closed" | "failed" | "upgraded";

/** Internal: how a socket gets its transport. */
export interface _SocketInit {
  readonly open: (events: TransportEvents, signal: AbortSignal) => Promise<Transport>;
  readonly options: ResolvedOptions;
  readonly secureTransport: SecureTransportKind;
  readonly tls: TlsRequest;
}

const noop = (): void => {};

function deferred<T>(): [Promise<T>, (value: T) => void, (reason: unknown) => void] {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(noop); // the spec's "handled" flag: never an unhandled rejection
  return [promise, resolve, reject];
}

/** Internal: the Socket. Only the spec surface is public; state lives in private fields. */
export class _SocketImpl implements Socket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<ArrayBufferView | ArrayBuffer | string>;
  readonly opened: Promise<SocketInfo>;
  readonly closed: Promise<void>;
  readonly secureTransport: SecureTransportKind;

  #phase: Phase = "opening";
  #upgraded = false;
  #closeCalled = false;
  #shutdownStarted = false;
  #writeDone = false;
  #failure: SocketError | null = null;
  #transport: Transport | null = null;
  readonly #read: _ReadSide;
  readonly #write: _WriteSide;
  readonly #ready: Promise<Transport | null>;
  readonly #setReady: (transport: Transport | null) => void;
  readonly #resolveOpened: (info: SocketInfo) => void;
  readonly #rejectOpened: (reason: unknown) => void;
  readonly #resolveClosed: () => void;
  readonly #rejectClosed: (reason: unknown) => void;
  readonly #dialing = new AbortController();
  readonly #options: ResolvedOptions;
  readonly #tls: TlsRequest;
  #unlisten: () => void = noop;

  constructor(init: _SocketInit) {
    this.#options = init.options;
    this.#tls = init.tls;
    this.secureTransport = init.secureTransport;
    [this.opened, this.#resolveOpened, this.#rejectOpened] = deferred<SocketInfo>();
    [this.closed, this.#resolveClosed, this.#rejectClosed] = deferred<void>();
    let setReady!: (transport: Transport | null) => void;
    this.#ready = new Promise((resolve) => (setReady = resolve));
    this.#setReady = setReady;
    const read = (this.#read = new _ReadSide());
    this.#write = new _WriteSide(
      () => this.#halfClose(),
      (reason) => void this.close(reason ?? new SocketError("The writable was aborted", { code: "ECLOSED" })),
      (error) => {
        this.#fail(toSocketError(error));
        return this.#failure ?? toSocketError(error);
      },
    );
    this.readable = read.stream;
    this.writable = this.#write.stream;

    const events: TransportEvents = {
      data: (chunk) => read.data(chunk),
      end: () => this.#peerEnd(),
      error: (error) => this.#fail(toSocketError(error)),
    };
    const signal = init.options.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.#fail(aborted(signal));
        return;
      }
      const onAbort = (): void => this.#fail(aborted(signal));
      signal.addEventListener("abort", onAbort, { once: true });
      this.#unlisten = () => signal.removeEventListener("abort", onAbort);
    }
    init.open(events, this.#dialing.signal).then(
      (transport) => this.#onOpen(transport),
      (error) => this.#fail(toSocketError(error)),
    );
  }

  get upgraded(): boolean {
    return this.#upgraded;
  }

  close(reason?: unknown): Promise<void> {
    const phase = this.#phase;
    if (this.#closeCalled || phase === "closed" || phase === "failed" || phase === "upgraded") return this.closed;
    this.#closeCalled = true;
    if (reason !== undefined) {
      // An abort: everything pending rejects with the caller's reason.
      this.#phase = "closed";
      this.#teardown(reason);
      this.#resolveClosed();
      return this.closed;
    }
    const closedError = _quietError("The socket was closed", "ECLOSED");
    this.#read.end();
    const transport = this.#transport;
    if (phase === "opening" || transport === null) {
      this.#phase = "closed";
      this.#teardown(closedError);
      this.#resolveClosed();
      return this.closed;
    }
    this.#phase = "closing";
    transport.pause();
    this.#write
      .flush(closedError)
      .then(() => {
        this.#write.error(closedError);
        return transport.close();
      })
      .then(
        () => this.#settle(),
        (error) => this.#fail(toSocketError(error)),
      );
    return this.closed;
  }

  startTls(): Socket {
    if (this.secureTransport !== "starttls") {
      throw new SocketError(
        `startTls() needs a socket opened with secureTransport "starttls"; this one has "${this.secureTransport}"`,
        { code: "EINVAL" },
      );
    }
    if (this.#upgraded) throw new SocketError("startTls() was already called on this socket", { code: "EINVAL" });
    const phase = this.#phase;
    if (this.#closeCalled || phase === "closed" || phase === "failed" || phase === "closing") {
      throw new SocketError("startTls() was called on a closed socket", { code: "ECLOSED" });
    }
    this.#upgraded = true;
    this.#phase = "upgraded";
    this.#unlisten();
    this.#read.end();
    const moved = new SocketError("The socket was upgraded by startTls(); use the socket it returned", {
      code: "ECLOSED",
    });
    const flushed = this.#write.flush(moved);
    const open = async (events: TransportEvents, signal: AbortSignal): Promise<Transport> => {
      try {
        const transport = await this.#ready;
        await flushed;
        if (transport === null || this.#failure !== null) throw this.#failure ?? moved;
        this.#write.error(moved);
        this.#resolveClosed();
        return await transport.startTls(this.#tls, events, signal);
      } catch (error) {
        this.#rejectClosed(toSocketError(error));
        throw error;
      }
    };
    return new _SocketImpl({
      open,
      options: { ...this.#options, secureTransport: "on" },
      secureTransport: "on",
      tls: this.#tls,
    });
  }

  #onOpen(transport: Transport): void {
    const phase = this.#phase;
    if (phase === "closed" || phase === "failed") {
      transport.abort();
      return;
    }
    this.#transport = transport;
    if (phase === "opening") this.#phase = "open";
    this.#read.attach(transport);
    this.#write.attach(transport);
    this.#setReady(transport);
    this.#resolveOpened(transport.info);
  }

  #peerEnd(): void {
    if (this.#phase !== "open") return;
    this.#read.end();
    if (this.#options.allowHalfOpen) {
      this.#maybeFinish();
      return;
    }
    const ended = _quietError("The peer closed the connection", "EPIPE");
    void this.#write.flush(ended).then(() => {
      this.#write.error(ended);
      return this.#halfClose().catch(noop);
    });
  }

  /** Our FIN: after the consumer closed the writable, or after the peer's FIN without allowHalfOpen. */
  async #halfClose(): Promise<void> {
    if (this.#shutdownStarted) return this.#maybeFinish();
    this.#shutdownStarted = true;
    const transport = await this.#ready;
    if (transport === null || this.#phase !== "open") return;
    try {
      await transport.shutdown();
    } catch (error) {
      this.#fail(toSocketError(error));
      throw error;
    }
    this.#writeDone = true;
    this.#maybeFinish();
  }

  /** Both directions are done: close the connection and resolve `closed`. */
  #maybeFinish(): void {
    const transport = this.#transport;
    if (this.#phase !== "open" || !this.#read.done || !this.#writeDone || transport === null) return;
    this.#phase = "closing";
    Promise.resolve()
      .then(() => transport.close())
      .then(
        () => this.#settle(),
        (error) => this.#fail(toSocketError(error)),
      );
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
      this.#rejectOpened(error);
      this.#setReady(null);
      this.#write.attach(null);
      return;
    }
    if (phase === "closed" || phase === "failed") return;
    this.#phase = "failed";
    this.#failure = error;
    // workerd's order: `opened`, then `closed`, then pending writes, then pending reads.
    // Drivers that report each rejection (postgres.js) then report the failure once.
    this.#rejectOpened(error);
    this.#rejectClosed(error);
    this.#teardown(error);
  }

  /** Rejects a pending `opened`, errors both streams, and drops the connection. */
  #teardown(reason: unknown): void {
    this.#unlisten();
    this.#rejectOpened(reason);
    this.#write.error(reason);
    this.#read.error(reason);
    this.#dialing.abort(reason);
    this.#setReady(null);
    this.#read.attach(null);
    this.#write.attach(null);
    this.#transport?.abort();
  }
}

function aborted(signal: AbortSignal): SocketError {
  return new SocketError("The connection was aborted by its signal", { code: "EABORTED", cause: signal.reason });
}

/**
 * A `SocketError` for graceful paths (close, the peer's FIN) that only ever reaches a write
 * made afterwards: built without a stack trace, which is most of an Error's cost (~4 µs
 * on Node 20, once per connection) and says nothing here.
 */
function _quietError(message: string, code: "ECLOSED" | "EPIPE"): SocketError {
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
