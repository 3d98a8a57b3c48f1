/**
 * A promise with its resolve and reject functions, for code that settles it from elsewhere
 * (an event, another object). `Promise.withResolvers` is not on every runtime we support.
 *
 * @module
 */

/**
 * A promise and the two functions that settle it.
 *
 * @example
 * ```ts
 * import { deferred } from "@sockets/core";
 * const [ready, setReady] = deferred<number>();
 * setTimeout(() => setReady(42), 10);
 * console.log(await ready); // 42
 * ```
 */
export function deferred<T>(): [Promise<T>, (value: T) => void, (reason: unknown) => void] {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return [promise, resolve, reject];
}
