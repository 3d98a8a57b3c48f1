/**
 * `Cancellation`: how core tells a transport to give up an attempt in flight (`open`,
 * `startTls`) — the socket was closed, its `signal` fired, or it failed.
 *
 * Core's own small object rather than an `AbortSignal`: every connection needs one, and on
 * Node 20.20 an `AbortController`, its signal and one listener added and removed cost
 * ~7 µs and ~0.7 KiB of heap per connection (the `EventTarget` machinery), against well
 * under a microsecond for this. A transport sets `onCancel` while the native attempt runs and clears it
 * when the attempt settles; core calls it at most once.
 *
 * @module
 */

/**
 * An attempt that core may give up on. Transports read `cancelled`/`reason` and set
 * `onCancel`; only core calls `cancel()`.
 *
 * @example
 * ```ts
 * import { Cancellation } from "@sockets/core";
 * const cancellation = new Cancellation();
 * cancellation.onCancel = (reason) => console.log("stop dialling:", reason);
 * cancellation.cancel(new Error("closed"));
 * cancellation.cancelled; // true
 * ```
 */
export class Cancellation {
  #cancelled = false;
  #reason: unknown = undefined;
  /** Called once, synchronously, by `cancel()` while set. Clear it when the attempt settles. */
  onCancel: ((reason: unknown) => void) | null = null;

  /** `true` once core gave up; `reason` says why. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Why core gave up: a `SocketError` (`EABORTED`, `ECLOSED`, a failure) or a `close(reason)` reason. */
  get reason(): unknown {
    return this.#reason;
  }

  /** Gives up (idempotent): records `reason` and calls `onCancel` once. */
  cancel(reason: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#reason = reason;
    const onCancel = this.onCancel;
    this.onCancel = null;
    onCancel?.(reason);
  }
}
