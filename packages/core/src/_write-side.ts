/**
 * The socket's `writable`: a `WritableStream` whose sink hands one chunk at a time to the
 * transport and waits while the runtime's buffer is full, so `writer.ready` and
 * `desiredSize` report real backpressure.
 *
 * Writes made before the connection is open wait in the stream's own queue and are sent
 * once it is. To flush "what was accepted so far" (for `close()`, `startTls()` and the
 * peer's FIN with `allowHalfOpen: false`) the queuing strategy's `size()` — which the
 * stream calls once per `write()`, synchronously — numbers the chunks as they are
 * accepted, and the sink counts them as they are written.
 *
 * @module
 */
import { bufferSourceBytes } from "./_buffer-source.js";
import { describe } from "./address.js";
import { SocketError } from "./socket-error.js";
import type { Transport } from "./transport.js";

/** Bytes the stream may queue before `writer.ready` waits (on top of the runtime's own buffer). */
const HIGH_WATER_MARK = 64 * 1024;

const encoder = new TextEncoder();

function toBytes(chunk: unknown): Uint8Array {
  const bytes = bufferSourceBytes(chunk, "chunk");
  if (bytes !== null) return bytes;
  if (typeof chunk === "string") return encoder.encode(chunk);
  throw new SocketError(`Invalid chunk ${describe(chunk)}: expected an ArrayBufferView, an ArrayBuffer or a string`, {
    code: "EINVAL",
  });
}

function sizeOf(chunk: unknown): number {
  if (ArrayBuffer.isView(chunk)) return chunk.byteLength;
  if (chunk instanceof ArrayBuffer) return chunk.byteLength;
  if (typeof chunk === "string") return chunk.length;
  return 1;
}

/** A write made before the connection was open: sent by `attach()`, settling the promise the sink returned. */
interface LateWrite {
  readonly bytes: Uint8Array;
  readonly index: number;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
}

interface Waiter {
  readonly upTo: number;
  readonly resolve: () => void;
}

/** Internal: what the writable reports to its socket. */
export interface WriteOwner {
  /** The consumer closed the writable: half-close (FIN) after the flush. */
  writableClosed(): Promise<void> | undefined;
  /** The consumer aborted the writable. */
  writableAborted(reason: unknown): void;
  /**
   * The transport failed a write: returns the error the write rejects with (the socket's
   * one `SocketError`, the same object `closed` rejects with).
   */
  writeFailed(error: unknown): unknown;
}

/**
 * Internal: the writable half of a socket.
 *
 * The instance is its stream's underlying sink (`start`/`write`/`close`/`abort` are
 * methods here, called with `this` as the spec says), so a connection costs no
 * per-instance closures for it beyond the strategy's `size()`.
 */
export class WriteSide {
  readonly stream: WritableStream<ArrayBufferView | ArrayBuffer | string>;
  #controller!: WritableStreamDefaultController;
  #transport: Transport | null = null;
  /** `attach()` was called (with a transport, or `null`: there will never be one). */
  #attached = false;
  /** A write that came before `attach()` waits here (the stream never writes twice at once). */
  #late: LateWrite | null = null;
  #accepted = 0;
  #started = 0;
  #completed = 0;
  #cutoff = Infinity;
  #cutoffError: unknown = null;
  #waiters: Waiter[] | null = null;
  #finished = false;
  /** Set by `error()`: what every write rejects with from then on. */
  #errored: { readonly reason: unknown } | null = null;
  readonly #owner: WriteOwner;
  /** `.catch` handler for asynchronous writes, made on the first one. */
  #onWriteFailed: ((error: unknown) => never) | null = null;

  constructor(owner: WriteOwner) {
    this.#owner = owner;
    this.stream = new WritableStream(this as UnderlyingSink<ArrayBufferView | ArrayBuffer | string>, {
      highWaterMark: HIGH_WATER_MARK,
      size: (chunk) => {
        this.#accepted++;
        return sizeOf(chunk);
      },
    });
  }

  /** Underlying sink `start`. */
  start(controller: WritableStreamDefaultController): void {
    this.#controller = controller;
  }

  /** Underlying sink `write`. */
  write(chunk: unknown): void | Promise<void> {
    return this.#write(chunk);
  }

  /** Underlying sink `close`. */
  close(): Promise<void> | undefined {
    this.#finish();
    return this.#owner.writableClosed();
  }

  /** Underlying sink `abort`. */
  abort(reason: unknown): void {
    this.#finish();
    this.#owner.writableAborted(reason);
  }

  /** The connection is up (or `null`: it never will be). */
  attach(transport: Transport | null): void {
    this.#transport = transport;
    if (!this.#attached) {
      this.#attached = true;
      const late = this.#late;
      this.#late = null;
      if (late !== null) this.#sendNow(late, transport);
    }
  }

  /** Sends the write that waited for `attach()`; its promise settles as a direct write's would. */
  #sendNow(late: LateWrite, transport: Transport | null): void {
    let pending: void | Promise<void>;
    try {
      pending = this.#send(transport, late.bytes, late.index);
    } catch (error) {
      late.reject(this.#failureOf(error));
      return;
    }
    if (pending === undefined) late.resolve();
    else pending.then(late.resolve, late.reject);
  }

  /**
   * Resolves once every chunk accepted so far has been handed to the transport; chunks
   * accepted later are refused with `later`. Also resolves if the stream closes or fails
   * first (nothing more will be written then). `undefined` when that is already so: the
   * common case (nothing pending at `close()`) costs no promise and no microtask.
   */
  flush(later: unknown): Promise<void> | undefined {
    if (this.#cutoff === Infinity) {
      this.#cutoff = this.#accepted;
      this.#cutoffError = later;
    }
    const upTo = this.#cutoff;
    if (this.#finished || this.#completed >= upTo) return undefined;
    return new Promise((resolve) => (this.#waiters ??= []).push({ upTo, resolve }));
  }

  /**
   * Errors the stream: queued chunks are dropped, pending and later writes reject with
   * `reason` — the write already inside the transport too, whatever error our own
   * teardown makes the transport fail it with.
   */
  error(reason: unknown): void {
    if (this.#finished) return;
    this.#finish();
    this.#errored = { reason };
    this.#controller.error(reason);
  }

  #finish(): void {
    this.#finished = true;
    const waiters = this.#waiters;
    this.#waiters = null;
    if (waiters !== null) for (const waiter of waiters) waiter.resolve();
  }

  #write(chunk: unknown): void | Promise<void> {
    const index = ++this.#started;
    let bytes: Uint8Array;
    try {
      if (index > this.#cutoff) throw this.#cutoffError;
      bytes = toBytes(chunk);
    } catch (error) {
      // A chunk of the wrong type, or one past a flush cutoff: the stream errors with it.
      this.#finish();
      throw error;
    }
    let pending: void | Promise<void>;
    try {
      const transport = this.#transport;
      pending = transport !== null || this.#attached ? this.#send(transport, bytes, index) : this.#sendLate(bytes, index);
    } catch (error) {
      return this.#transportFailed(error);
    }
    return pending;
  }

  // The closures below live in their own methods: a closure inside `#write` would make
  // every write allocate a context for it, even when the closure is never created.

  /**
   * A write before the connection is open: `attach()` sends it. One promise, settled
   * directly by `#sendNow` (no `then` chain, no extra microtask before the bytes go out).
   */
  #sendLate(bytes: Uint8Array, index: number): Promise<void> {
    return new Promise<void>((resolve, reject) => (this.#late = { bytes, index, resolve, reject }));
  }

  #writeFailedHandler(): (error: unknown) => never {
    return (this.#onWriteFailed ??= (error: unknown): never => this.#transportFailed(error));
  }

  /** The transport failed a write: the stream errors, so nothing more will be flushed. */
  #transportFailed(error: unknown): never {
    throw this.#failureOf(error);
  }

  /** What a write the transport failed rejects with (and the stream errors with). */
  #failureOf(error: unknown): unknown {
    // Errored by us first (close(reason), a failure seen elsewhere): that is the reason.
    const errored = this.#errored;
    if (errored !== null) return errored.reason;
    this.#finish();
    return this.#owner.writeFailed(error);
  }

  #send(transport: Transport | null, bytes: Uint8Array, index: number): void | Promise<void> {
    if (transport === null) throw this.#cutoffError ?? new SocketError("The socket is closed", { code: "ECLOSED" });
    const pending = bytes.byteLength === 0 ? undefined : transport.write(bytes);
    if (pending === undefined) return this.#wrote(index);
    return this.#wroteLater(pending, index);
  }

  /**
   * (Own method, so a synchronous `#send` allocates no closure context.) A write that
   * completes only after the stream was errored (close(reason), a failure) is not reported
   * as written: the connection was torn down under it (Node, for one, completes a
   * destroyed socket's pending write with success), so it rejects with the stream's error.
   */
  #wroteLater(pending: Promise<void>, index: number): Promise<void> {
    return pending.then(() => {
      if (this.#errored !== null) throw this.#errored.reason;
      this.#wrote(index);
    }, this.#writeFailedHandler());
  }

  #wrote(index: number): void {
    this.#completed = index;
    const waiters = this.#waiters;
    if (waiters === null || waiters.length === 0) return;
    const keep: Waiter[] = [];
    for (const waiter of waiters) {
      if (waiter.upTo <= index) waiter.resolve();
      else keep.push(waiter);
    }
    this.#waiters = keep;
  }
}
