/**
 * The readable side of a workerd socket, as our other runtimes have it. workerd's own
 * readable rejects a pending read with a plain `TypeError` ("This socket has been
 * closed.") on `close()`, reports a reset only as a read error (its `closed` resolves),
 * and cannot be made to fail with the socket's `SocketError`. This byte stream sits in
 * front of it, pull-driven (one native read per read request, so backpressure is
 * unchanged), and:
 *
 * - hands each native chunk on with `enqueue`, which transfers its buffer: no copy for
 *   default reads (a BYOB read copies once into the caller's buffer, which is what BYOB
 *   asks for);
 * - routes a native read error through the socket, so `closed` rejects with the one
 *   `SocketError` (`ECONNRESET` for a reset) and the read rejects with that same error;
 * - lets the socket end it (`close()`: a pending read resolves `{ done: true }`), error it
 *   (`close(reason)`, a failure) or detach it (`startTls()`).
 *
 * @module
 */

/**
 * A byte `ReadableStream` over workerd's readable; see the module documentation.
 *
 * @example
 * ```ts
 * import { WorkerdReadable } from "./_workerd-readable.js";
 * declare const native: ReadableStream<Uint8Array>;
 * const side = new WorkerdReadable(native, (error) => error);
 * const reader = side.stream.getReader();
 * side.end();
 * await reader.read(); // { done: true, value: undefined }
 * ```
 */
export class WorkerdReadable {
  readonly stream: ReadableStream<Uint8Array>;
  readonly #native: ReadableStream<Uint8Array>;
  readonly #onError: (error: unknown) => unknown;
  #controller: ReadableByteStreamController | null = null;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #inFlight: Promise<void> | null = null;
  #settled = false;

  /** `onError` turns a native read error into what the read rejects with (the socket's failure). */
  constructor(native: ReadableStream<Uint8Array>, onError: (error: unknown) => unknown) {
    this.#native = native;
    this.#onError = onError;
    this.stream = new ReadableStream({
      type: "bytes",
      start: (controller) => {
        this.#controller = controller;
      },
      pull: (controller) => {
        const work = this.#pull(controller);
        this.#inFlight = work;
        return work.finally(() => {
          if (this.#inFlight === work) this.#inFlight = null;
        });
      },
      cancel: (reason) => this.#cancel(reason),
    });
  }

  /**
   * Resolves once no native read is in flight (and its outcome has been handled). workerd
   * resolves its `closed` on a reset *before* it rejects the pending read with the reset,
   * so the socket waits for this before it resolves `closed`.
   */
  idle(): Promise<void> {
    return this.#inFlight ?? Promise.resolve();
  }

  /** Ends the stream: a pending read resolves `{ done: true }`. */
  end(): void {
    const controller = this.#controller;
    if (this.#settled || controller === null) return;
    this.#settled = true;
    controller.close();
    controller.byobRequest?.respond(0);
  }

  /** Errors the stream: pending and later reads reject with `reason`. */
  error(reason: unknown): void {
    if (this.#settled || this.#controller === null) return;
    this.#settled = true;
    this.#controller.error(reason);
  }

  /** Ends the stream and lets go of workerd's readable, for `startTls()`. */
  detach(): void {
    this.end();
    try {
      this.#reader?.releaseLock();
    } catch {
      // workerd (like older Streams implementations) refuses releaseLock() while our read
      // is pending. The stream is already ended for our reader, so a late result is
      // ignored; workerd's startTls() does not need the old readable unlocked.
    }
    this.#reader = null;
  }

  async #pull(controller: ReadableByteStreamController): Promise<void> {
    const reader = (this.#reader ??= this.#native.getReader());
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        if (!this.#settled) this.error(this.#onError(error));
        return;
      }
      if (this.#settled) return;
      if (result.done) return this.end();
      // An empty chunk cannot be enqueued; read again rather than leave the read pending.
      if (result.value.byteLength > 0) return controller.enqueue(result.value as Uint8Array<ArrayBuffer>);
    }
  }

  #cancel(reason: unknown): Promise<void> {
    this.#settled = true;
    const reader = this.#reader;
    this.#reader = null;
    return reader === null ? this.#native.cancel(reason) : reader.cancel(reason);
  }
}
