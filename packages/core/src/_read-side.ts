/**
 * The socket's `readable`: a byte `ReadableStream` (BYOB readers work) driven by reads.
 *
 * `highWaterMark` is 0: nothing is read from the runtime until a reader asks, so a slow
 * reader stops the sender through TCP flow control instead of growing a buffer here.
 * Push transports (Node, Bun) deliver from the start, are paused as soon as the queue has
 * a chunk nobody asked for, and are resumed on `pull`; pull transports (Deno) read once
 * per `pull`, straight into the BYOB view when there is one (the chunk then comes back
 * over the same buffer and is committed with `respond`, no copy).
 *
 * @module
 */
import type { Transport } from "./transport.js";

type ReadState = "open" | "draining" | "done";

const noop = (): void => {};

/** Internal: who hears that the reader has taken the peer's end. */
export interface ReadOwner {
  /** The reader was handed `{ done: true }` for the peer's FIN: everything before it was read. */
  endSeen(): void;
}

/**
 * Internal: the readable half of a socket.
 *
 * The instance is its stream's underlying source (`start`/`pull`/`cancel` are methods
 * here, called with `this` as the spec says), so a connection costs no per-instance
 * closures for it: an idle connection's memory is mostly the streams themselves.
 */
export class ReadSide {
  readonly stream: ReadableStream<Uint8Array>;
  #controller!: ReadableByteStreamController;
  #transport: Transport | null = null;
  /** `attach()` was called (with a transport, or `null`: there will never be one). */
  #attached = false;
  /** A `pull()` that came before `attach()` waits here (the stream never pulls twice at once). */
  #late: { readonly resolve: () => void; readonly reject: (reason: unknown) => void } | null = null;
  #state: ReadState = "open";
  /** A connection failure waiting behind queued bytes (see `error`). */
  #failure: { readonly reason: unknown } | null = null;
  /** The last read of a pull transport (maybe settled), so draining never starts a second one at once. */
  #inflight: Promise<void> | undefined = undefined;
  /** A read waits and nothing is queued (set by `pull`, cleared when a chunk is handed over). */
  #readWaiting = false;
  /** The peer's FIN came while the reader still had chunks to take: the end is handed over at its next read. */
  #endPending = false;
  readonly #owner: ReadOwner;

  constructor(owner: ReadOwner) {
    this.#owner = owner;
    this.stream = new ReadableStream(this as UnderlyingByteSource, { highWaterMark: 0 });
  }

  /** Underlying source: a byte stream. */
  get type(): "bytes" {
    return "bytes";
  }

  /** Underlying source `start`. */
  start(controller: ReadableByteStreamController): void {
    this.#controller = controller;
  }

  /** Underlying source `pull`: one read (pull transports) or a resume (push transports). */
  pull(controller: ReadableByteStreamController): void | Promise<void> {
    if (this.#endPending) return this.#handOverEnd();
    const failure = this.#failure;
    if (failure !== null) return controller.error(failure.reason);
    this.#readWaiting = true;
    const transport = this.#transport;
    if (transport !== null) return this.#track(transport.pull(byobView(controller)));
    if (this.#attached) return undefined;
    // Before the open: `attach()` makes the read (one promise, settled by attach or by the read).
    return new Promise<void>((resolve, reject) => (this.#late = { resolve, reject }));
  }

  /**
   * Remembers a pull transport's read (push transports return `undefined`). Kept after it
   * settles (no `then` per read to clear it): waiting on a settled read costs a microtask.
   */
  #track(pending: void | Promise<void>): void | Promise<void> {
    if (pending !== undefined) this.#inflight = pending;
    return pending;
  }

  /** Underlying source `cancel`. */
  cancel(): void {
    if (this.#endPending) {
      // The reader gave up before taking the peer's end: it will not read again.
      this.#endPending = false;
      this.#owner.endSeen();
      return;
    }
    this.#cancel();
  }

  /** The connection is up: reads may go to `transport` (or `null`: it never will be). */
  attach(transport: Transport | null): void {
    this.#transport = transport;
    // A push transport delivers from the start; a chunk nobody asked for already waits.
    if (transport !== null && this.#state === "open" && (this.#controller.desiredSize ?? 0) < 0) transport.pause();
    if (!this.#attached) {
      this.#attached = true;
      const late = this.#late;
      this.#late = null;
      if (late !== null) this.#pullNow(late, transport);
    }
    if (transport !== null && this.#state === "draining") this.#drain(transport);
  }

  /** The `pull()` that waited for `attach()`: one read now (a pull transport), or nothing to do (push). */
  #pullNow(late: { readonly resolve: () => void; readonly reject: (reason: unknown) => void }, transport: Transport | null): void {
    if (transport === null || this.#state !== "open") return late.resolve();
    let pending: void | Promise<void>;
    try {
      pending = this.#track(transport.pull(byobView(this.#controller)));
    } catch (error) {
      return late.reject(error);
    }
    if (pending === undefined) late.resolve();
    else pending.then(late.resolve, late.reject);
  }

  /** `events.data`: hand a chunk to the reader. */
  data(chunk: Uint8Array): void {
    if (this.#state !== "open") return;
    this.#readWaiting = false;
    const controller = this.#controller;
    const request = controller.byobRequest;
    const view = request?.view;
    if (view !== null && view !== undefined && view.buffer === chunk.buffer && view.byteOffset === chunk.byteOffset) {
      // A pull transport read straight into the reader's buffer.
      request!.respond(chunk.byteLength);
    } else if (chunk.byteLength > 0) {
      controller.enqueue(chunk as Uint8Array<ArrayBuffer>);
    }
    // Pause only when bytes nobody asked for are queued (desiredSize < 0 with
    // highWaterMark 0). A chunk that went straight to a pending read leaves desiredSize at
    // 0; pausing then would cost a pause/resume pair per chunk (native calls on Bun,
    // readStop/readStart on Node) and buffers at most one more chunk when we don't.
    if ((controller.desiredSize ?? 0) < 0) this.#transport?.pause();
  }

  /**
   * The peer's FIN. The reader gets `{ done: true }` after the chunks it has not taken
   * yet, and only when it reads again: the owner hears `endSeen()` then, not when the FIN
   * arrived. A `readable.pipeTo(writable)` echo makes its last write after taking the last
   * chunk and before reading again, so whatever the owner does on `endSeen()` (refuse
   * later writes, send our FIN) comes after that write. (Node's TLS socket delivers the last
   * chunk and the FIN in one tick: reacting to the FIN at once refused the echo's last
   * write with `EPIPE`.) A reader that never reads again never sees the end, as with
   * Node's own `'end'`, which waits for the buffered data to be consumed.
   */
  peerEnd(): void {
    if (this.#state !== "open") return;
    if (this.#readWaiting) {
      // A read waits with nothing queued: the reader has taken everything.
      this.end();
      this.#owner.endSeen();
      return;
    }
    this.#state = "done";
    this.#endPending = true;
  }

  /** The read that follows the peer's FIN (see `peerEnd`): `{ done: true }` now. */
  #handOverEnd(): void {
    this.end(); // clears the pending end
    this.#owner.endSeen();
  }

  /** A graceful local close (or the peer's end handed over): readers get `{ done: true }` after queued data. */
  end(): void {
    if (this.#endPending) {
      // Closed locally before the reader took the peer's end: the end is just the end now.
      this.#endPending = false;
      this.#state = "open";
    }
    const wasOpen = this.#state === "open";
    this.#state = "done";
    if (!wasOpen) return;
    const controller = this.#controller;
    try {
      controller.close();
    } catch {
      // A BYOB read holding a partial element makes close() throw; the stream is errored then.
      return;
    }
    // A pending BYOB read gets its buffer back with `respond(0)`. While a pull transport
    // still has a read in flight into that buffer, wait for it to settle first, so the
    // runtime never writes into memory the reader already owns again.
    const giveBack = (): void => {
      try {
        controller.byobRequest?.respond(0);
      } catch {
        // Already answered.
      }
    };
    if (this.#inflight === undefined) giveBack();
    else this.#inflight.then(giveBack, giveBack);
  }

  /**
   * A failure or an abort: pending and later reads reject with `reason`. For a failure of
   * the connection (`afterQueued`) the bytes that arrived before it and are still queued
   * are read first, as the kernel itself hands them out before `ECONNRESET` (a server's
   * last error message before its RST is worth more than the reset); an abort of ours
   * drops them at once.
   */
  error(reason: unknown, afterQueued = false): void {
    const wasOpen = this.#state === "open";
    this.#state = "done";
    if (!wasOpen) return;
    const controller = this.#controller;
    if (afterQueued && (controller.desiredSize ?? 0) < 0) {
      // Errored by the next `pull()`, which comes once the queue is empty and a read waits.
      this.#failure = { reason };
      return;
    }
    controller.error(reason);
  }

  /** Whether the peer's end (or an error) has been seen. */
  get done(): boolean {
    return this.#state === "done";
  }

  #cancel(): void {
    if (this.#state !== "open") return;
    // Keep reading and discard, so the peer's FIN or RST is still seen.
    this.#state = "draining";
    if (this.#transport !== null) this.#drain(this.#transport);
  }

  #drain(transport: Transport): void {
    const step = (): void => {
      if (this.#state !== "draining") return;
      const pending = transport.pull(null);
      // Push transports just resume; pull transports read once per call.
      if (pending !== undefined) pending.then(step, noop);
    };
    if (this.#inflight === undefined) step();
    else this.#inflight.then(step, noop);
  }
}

function byobView(controller: ReadableByteStreamController): Uint8Array | null {
  return (controller.byobRequest?.view as Uint8Array | null | undefined) ?? null;
}
