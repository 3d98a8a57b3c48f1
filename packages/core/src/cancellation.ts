/**
 * `Cancellation`: how core tells a transport to give up an attempt in flight (`open`,
 * `startTls`) — the socket was closed, its `signal` fired, or it failed.
 *
 * Core's own small object rather than an `AbortSignal`: every connection needs one, and on
 * Node 20.20 an `AbortController`, its signal and one listener added and removed cost
 * ~7 µs and ~0.7 KiB of heap per connection (the `EventTarget` machinery), against well
 * under a microsecond for this. A transport `watch`es while the native attempt runs and
 * `unwatch`es when it settles; core calls the watcher at most once.
 *
 * @module
 */

/**
 * An attempt that core may give up on. Transports read `cancelled`/`reason` and
 * `watch`/`unwatch` it; only core calls `cancel()`.
 *
 * @example
 * ```ts
 * import { Cancellation } from "@sockets/core";
 * const cancellation = new Cancellation();
 * const stop = (reason: unknown): void => console.log("stop dialling:", reason);
 * cancellation.watch(stop); // while the native attempt runs
 * cancellation.cancel(new Error("closed")); // logs once
 * cancellation.unwatch(stop); // once the attempt settled (a no-op here)
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

  /** Calls `onCancel` when core gives up, at once if it already has. */
  watch(onCancel: (reason: unknown) => void): void {
    if (this.#cancelled) onCancel(this.#reason);
    else this.onCancel = onCancel;
  }

  /** Stops watching (the attempt settled); a no-op if `onCancel` was replaced or ran. */
  unwatch(onCancel: (reason: unknown) => void): void {
    if (this.onCancel === onCancel) this.onCancel = null;
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
