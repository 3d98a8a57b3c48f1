/**
 * The one `Listener` implementation over a runtime's {@link ListenerTransport}.
 *
 * `readable` is a `ReadableStream<Socket>` with `highWaterMark: 0`: a socket is made only
 * when a reader asks. Push runtimes (Node, Bun) deliver connections as they arrive; they
 * wait here, unclaimed and unread (the runtime keeps them paused), in a queue of at most
 * `highWaterMark`; one more is aborted at once and counted in `stats.dropped`, so a server
 * that stops accepting sheds load instead of growing a buffer. Pull runtimes (Deno) accept
 * only while a read waits. Each accepted connection becomes the same `SocketImpl`
 * `connect()` returns.
 *
 * @module
 */
import { NO_CLIENT_TLS } from "./_no-tls.js";
import { SocketImpl } from "./_socket.js";
import { deferred } from "./deferred.js";
import type { ResolvedListenOptions } from "./listen-options.js";
import type { AcceptedConnection, ListenerEvents, ListenerTransport, ListenRequest, OpenListener } from "./listener-transport.js";
import type { Listener, ListenerInfo, ListenerStats } from "./listener-types.js";
import type { ResolvedOptions } from "./options.js";
import { signalAborted, toSocketError } from "./normalize-error.js";
import { SocketError } from "./socket-error.js";
import type { Transport, TransportEvents } from "./transport.js";
import type { Socket } from "./types.js";

type Phase = "opening" | "open" | "closed" | "failed";

const noop = (): void => {};

/** Internal: the Listener. Only the public surface is visible; state lives in private fields. */
export class ListenerImpl implements Listener {
  readonly readable: ReadableStream<Socket>;
  readonly opened: Promise<ListenerInfo>;
  readonly closed: Promise<void>;

  #phase: Phase = "opening";
  #closeCalled = false;
  #transport: ListenerTransport | null = null;
  #controller!: ReadableStreamDefaultController<Socket>;
  /** Accepted, unclaimed, unread: at most `highWaterMark`. */
  #queue: AcceptedConnection[] = [];
  /** A read waits and the queue was empty: the next connection goes straight to it. */
  #waiting = false;
  #accepted = 0;
  #dropped = 0;
  #failed = 0;
  #settledOpened = false;
  #settledClosed = false;
  readonly #resolveOpened: (info: ListenerInfo) => void;
  readonly #rejectOpened: (reason: unknown) => void;
  readonly #resolveClosed: () => void;
  readonly #rejectClosed: (reason: unknown) => void;
  /** Settles once the open did (with or without a transport): a pull before that waits here. */
  readonly #ready: Promise<void>;
  readonly #setReady: () => void;
  readonly #options: ResolvedListenOptions;
  readonly #socketOptions: ResolvedOptions;
  #unlisten: () => void = noop;

  constructor(open: OpenListener, request: ListenRequest, options: ResolvedListenOptions) {
    this.#options = options;
    this.#socketOptions = {
      secureTransport: options.secureTransport,
      allowHalfOpen: options.allowHalfOpen,
      sni: null,
      alpn: [],
      signal: undefined,
      caCerts: [],
    };
    [this.opened, this.#resolveOpened, this.#rejectOpened] = deferred<ListenerInfo>();
    [this.closed, this.#resolveClosed, this.#rejectClosed] = deferred<void>();
    [this.#ready, this.#setReady] = deferred<void>();
    this.readable = new ReadableStream<Socket>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => this.#pull(),
        // Cancelling the readable (a `for await` loop that breaks) stops the listener.
        cancel: () => void this.close(),
      },
      { highWaterMark: 0 },
    );
    const signal = options.signal;
    if (signal?.aborted === true) {
      this.#fail(signalAborted(signal, "The listener"));
      return;
    }
    // A synchronous throw (an option this runtime cannot honour) leaves listen() as it is.
    const opening = open(request, new ListenerImpl.#Events(this));
    if (signal !== undefined) {
      const onAbort = (): void => this.#fail(signalAborted(signal, "The listener"));
      signal.addEventListener("abort", onAbort, { once: true });
      this.#unlisten = () => signal.removeEventListener("abort", onAbort);
    }
    opening.then(
      (transport) => this.#onOpen(transport),
      (error: unknown) => this.#onOpenFailed(toSocketError(error)),
    );
  }

  /** The runtime's reports, routed to private methods (not visible on the listener). */
  // The rule does not see uses from a class nested in this one.
  // oxlint-disable-next-line no-unused-private-class-members
  static readonly #Events = class implements ListenerEvents {
    // oxlint-disable-next-line no-unused-private-class-members
    readonly #listener: ListenerImpl;
    constructor(listener: ListenerImpl) {
      this.#listener = listener;
    }
    connection(accepted: AcceptedConnection): void {
      this.#listener.#connection(accepted);
    }
    failed(): void {
      this.#listener.#failed++;
    }
    error(error: unknown): void {
      this.#listener.#fail(toSocketError(error));
    }
  };

  get stats(): ListenerStats {
    return { accepted: this.#accepted, dropped: this.#dropped, failed: this.#failed };
  }

  close(reason?: unknown): Promise<void> {
    if (this.#closeCalled || this.#phase === "closed" || this.#phase === "failed") return this.closed;
    this.#closeCalled = true;
    const wasOpening = this.#phase === "opening";
    this.#phase = "closed";
    this.#unlisten();
    this.#rejectOpenedWith(reason ?? new SocketError("The listener was closed before it was bound", { code: "ECLOSED" }));
    this.#endReadable(reason);
    // Closed during the open: `#onOpen` closes the late transport and settles `closed`.
    if (!wasOpening) this.#release();
    return this.closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<Socket> {
    return (this.readable as unknown as AsyncIterable<Socket>)[Symbol.asyncIterator]();
  }

  #pull(): void | Promise<void> {
    const next = this.#queue.shift();
    if (next !== undefined) {
      this.#controller.enqueue(this.#wrap(next));
      return;
    }
    this.#waiting = true;
    const transport = this.#transport;
    if (transport !== null) return this.#pullFrom(transport);
    if (this.#phase !== "opening") return;
    return this.#ready.then(() => {
      const late = this.#transport;
      if (late !== null) return this.#pullFrom(late);
    });
  }

  /**
   * Pull runtimes: accept until a connection went to the waiting read, or the listener
   * stopped. Push runtimes return `undefined` from the first `pull()`: no promise then.
   */
  #pullFrom(transport: ListenerTransport): void | Promise<void> {
    if (!this.#waiting || this.#phase !== "open") return undefined;
    let accepting: void | Promise<void>;
    try {
      accepting = transport.pull();
    } catch (error) {
      this.#fail(toSocketError(error));
      return undefined;
    }
    if (accepting === undefined) return undefined; // a push runtime: `#connection` enqueues
    return this.#acceptLoop(transport, accepting);
  }

  async #acceptLoop(transport: ListenerTransport, first: Promise<void>): Promise<void> {
    try {
      await first;
      while (this.#waiting && this.#phase === "open") {
        const accepting = transport.pull();
        if (accepting === undefined) return;
        await accepting;
      }
    } catch (error) {
      this.#fail(toSocketError(error));
    }
  }

  // Called from `#Events.connection()`.
  // oxlint-disable-next-line no-unused-private-class-members
  #connection(accepted: AcceptedConnection): void {
    if (this.#phase !== "open") {
      accepted.abort();
      return;
    }
    if (this.#waiting) {
      this.#waiting = false;
      this.#controller.enqueue(this.#wrap(accepted));
    } else if (this.#queue.length < this.#options.highWaterMark) {
      this.#queue.push(accepted);
    } else {
      this.#dropped++;
      accepted.abort();
    }
  }

  /** The very `Socket` `connect()` returns, over the accepted connection. */
  #wrap(accepted: AcceptedConnection): Socket {
    this.#accepted++;
    const options = this.#options;
    return new SocketImpl({
      // Already open: the socket gets its transport at once (a throw fails it).
      open: (events: TransportEvents): Transport => accepted.attach(events),
      options: this.#socketOptions,
      secureTransport: options.secureTransport,
      tls: options.secureTransport === "starttls" && options.tls !== null ? options.tls : NO_CLIENT_TLS,
    });
  }

  #onOpen(transport: ListenerTransport): void {
    if (this.#phase !== "opening") {
      // Closed (or aborted) while binding: release the port, then `closed` settles.
      this.#transport = transport;
      this.#setReady();
      this.#release();
      return;
    }
    this.#phase = "open";
    this.#transport = transport;
    this.#settledOpened = true;
    this.#resolveOpened({ localAddress: transport.localAddress });
    this.#setReady();
  }

  #onOpenFailed(error: SocketError): void {
    this.#setReady();
    if (this.#phase === "closed") {
      if (!this.#settledClosed) {
        this.#settledClosed = true;
        this.#resolveClosed();
      }
      return;
    }
    this.#fail(error);
  }

  /** Stops accepting: unclaimed connections are closed, the port released, then `closed` resolves. */
  #release(): void {
    this.#abortQueued();
    const transport = this.#transport;
    if (transport === null) return;
    let closing: void | Promise<void>;
    try {
      closing = transport.close();
    } catch (error) {
      closing = Promise.reject(error);
    }
    Promise.resolve(closing).then(
      () => {
        if (this.#settledClosed) return;
        this.#settledClosed = true;
        this.#resolveClosed();
      },
      (error: unknown) => this.#rejectClosedWith(toSocketError(error)),
    );
  }

  #fail(error: SocketError): void {
    if (this.#phase === "closed" || this.#phase === "failed") return;
    const wasOpening = this.#phase === "opening";
    this.#phase = "failed";
    this.#unlisten();
    this.#rejectOpenedWith(error);
    this.#rejectClosedWith(error);
    this.#endReadable(error);
    if (!wasOpening) this.#release();
  }

  #abortQueued(): void {
    const queued = this.#queue;
    this.#queue = [];
    for (const accepted of queued) accepted.abort();
  }

  /** Without a reason the readable ends (read loops end normally); with one, reads reject with it. */
  #endReadable(reason: unknown): void {
    this.#waiting = false;
    try {
      if (reason === undefined) this.#controller.close();
      else this.#controller.error(reason);
    } catch {
      // Already closed or cancelled by the reader.
    }
  }

  #rejectOpenedWith(reason: unknown): void {
    if (this.#settledOpened) return;
    this.#settledOpened = true;
    this.opened.catch(noop);
    this.#rejectOpened(reason);
  }

  #rejectClosedWith(reason: unknown): void {
    if (this.#settledClosed) return;
    this.#settledClosed = true;
    this.closed.catch(noop);
    this.#rejectClosed(reason);
  }
}
