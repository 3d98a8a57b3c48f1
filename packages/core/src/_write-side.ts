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
import { describe } from "./address.js";
import { SocketError } from "./socket-error.js";
import type { Transport } from "./transport.js";

/** Bytes the stream may queue before `writer.ready` waits (on top of the runtime's own buffer). */
const HIGH_WATER_MARK = 64 * 1024;

const encoder = new TextEncoder();

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && chunk instanceof SharedArrayBuffer)) {
    return new Uint8Array(chunk);
  }
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

interface Waiter {
  readonly upTo: number;
  readonly resolve: () => void;
}

/** Internal: the writable half of a socket. */
export class _WriteSide {
  readonly stream: WritableStream<ArrayBufferView | ArrayBuffer | string>;
  #controller!: WritableStreamDefaultController;
  #transport: Transport | null = null;
  #whenOpen: Promise<Transport | null>;
  #setOpen!: (transport: Transport | null) => void;
  #accepted = 0;
  #started = 0;
  #completed = 0;
  #cutoff = Infinity;
  #cutoffError: unknown = null;
  #waiters: Waiter[] = [];
  #finished = false;
  readonly #onError: (error: unknown) => unknown;

  /**
   * @param onClose the consumer closed the writable: half-close (FIN) after the flush.
   * @param onAbort the consumer aborted the writable.
   * @param onError the transport failed a write: returns the error the write rejects with
   *   (the socket's one `SocketError`, the same object `closed` rejects with).
   */
  constructor(onClose: () => Promise<void>, onAbort: (reason: unknown) => void, onError: (error: unknown) => unknown) {
    this.#onError = onError;
    this.#whenOpen = new Promise((resolve) => (this.#setOpen = resolve));
    this.stream = new WritableStream(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        write: (chunk) => this.#write(chunk),
        close: () => {
          this.#finish();
          return onClose();
        },
        abort: (reason) => {
          this.#finish();
          onAbort(reason);
        },
      },
      {
        highWaterMark: HIGH_WATER_MARK,
        size: (chunk) => {
          this.#accepted++;
          return sizeOf(chunk);
        },
      },
    );
  }

  /** The connection is up (or `null`: it never will be). */
  attach(transport: Transport | null): void {
    this.#transport = transport;
    this.#setOpen(transport);
  }

  /**
   * Resolves once every chunk accepted so far has been handed to the transport; chunks
   * accepted later are refused with `later`. Also resolves if the stream closes or fails
   * first (nothing more will be written then).
   */
  flush(later: unknown): Promise<void> {
    if (this.#cutoff === Infinity) {
      this.#cutoff = this.#accepted;
      this.#cutoffError = later;
    }
    const upTo = this.#cutoff;
    if (this.#finished || this.#completed >= upTo) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ upTo, resolve }));
  }

  /** Errors the stream: queued chunks are dropped, pending and later writes reject with `reason`. */
  error(reason: unknown): void {
    if (this.#finished) return;
    this.#finish();
    this.#controller.error(reason);
  }

  #finish(): void {
    this.#finished = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.resolve();
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
      pending =
        transport === null
          ? this.#whenOpen.then((late) => this.#send(late, bytes, index))
          : this.#send(transport, bytes, index);
    } catch (error) {
      return this.#transportFailed(error);
    }
    return pending === undefined ? undefined : pending.catch(this.#transportFailed);
  }

  /** The transport failed a write: the stream errors, so nothing more will be flushed. */
  readonly #transportFailed = (error: unknown): never => {
    this.#finish();
    throw this.#onError(error);
  };

  #send(transport: Transport | null, bytes: Uint8Array, index: number): void | Promise<void> {
    if (transport === null) throw this.#cutoffError ?? new SocketError("The socket is closed", { code: "ECLOSED" });
    const pending = bytes.byteLength === 0 ? undefined : transport.write(bytes);
    if (pending === undefined) return this.#wrote(index);
    return pending.then(() => this.#wrote(index));
  }

  #wrote(index: number): void {
    this.#completed = index;
    if (this.#waiters.length === 0) return;
    const keep: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.upTo <= index) waiter.resolve();
      else keep.push(waiter);
    }
    this.#waiters = keep;
  }
}
