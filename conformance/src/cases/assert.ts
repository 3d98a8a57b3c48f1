/**
 * The few assertions the portable cases need. No test framework: a failed assertion
 * throws an `AssertionError` whose message says what was expected and what was seen.
 * Web globals only.
 *
 * @module
 */

/**
 * Thrown when a case's expectation does not hold.
 *
 * @example
 * ```ts
 * import { AssertionError } from "@sockets/conformance/cases";
 * throw new AssertionError("expected 1, got 2");
 * ```
 */
export class AssertionError extends Error {
  override readonly name: string = "AssertionError";
}

/**
 * A short rendering of any value for failure messages.
 *
 * @example
 * ```ts
 * import { show } from "@sockets/conformance/cases";
 * show(new TypeError("x")); // 'TypeError: x'
 * ```
 */
export function show(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return `${value.constructor.name}: ${value.message}${typeof code === "string" ? ` (code ${code})` : ""}`;
  }
  if (value instanceof Uint8Array) return `Uint8Array(${value.byteLength})`;
  if (typeof value === "string") return JSON.stringify(value.length > 120 ? value.slice(0, 117) + "..." : value);
  try {
    return String(JSON.stringify(value) ?? value);
  } catch {
    return String(value);
  }
}

/**
 * Fails with `message` unless `condition` is truthy.
 *
 * @example
 * ```ts
 * import { ok } from "@sockets/conformance/cases";
 * ok(1 + 1 === 2, "arithmetic works");
 * ```
 */
export function ok(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/**
 * Strict equality (`Object.is`).
 *
 * @example
 * ```ts
 * import { equal } from "@sockets/conformance/cases";
 * equal("a", "a", "the letter");
 * ```
 */
export function equal<T>(actual: T, expected: T, what: string): void {
  if (!Object.is(actual, expected)) throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/**
 * Byte-for-byte equality of two byte arrays; reports the first difference.
 *
 * @example
 * ```ts
 * import { bytesEqual } from "@sockets/conformance/cases";
 * bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]), "payload");
 * ```
 */
export function bytesEqual(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (actual.byteLength !== expected.byteLength) {
    throw new AssertionError(`${what}: expected ${expected.byteLength} bytes, got ${actual.byteLength}`);
  }
  for (let i = 0; i < actual.byteLength; i++) {
    if (actual[i] !== expected[i]) {
      throw new AssertionError(`${what}: byte ${i} differs (expected ${expected[i]}, got ${actual[i]})`);
    }
  }
}

/**
 * Awaits `promise`, fails if it fulfils, and returns the rejection reason after checking
 * it with `check` (which may throw, or return `false` to fail).
 *
 * @example
 * ```ts
 * import { rejects } from "@sockets/conformance/cases";
 * const error = await rejects(Promise.reject(new TypeError("x")), "a rejection", (e) => e instanceof TypeError);
 * ```
 */
export async function rejects(promise: Promise<unknown>, what: string, check?: (error: unknown) => boolean | void): Promise<unknown> {
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    if (check !== undefined && check(error) === false) throw new AssertionError(`${what}: unexpected rejection ${show(error)}`);
    return error;
  }
  throw new AssertionError(`${what}: expected a rejection, but it fulfilled with ${show(value)}`);
}

/**
 * Calls `fn`, fails if it returns, and returns what it threw synchronously.
 *
 * @example
 * ```ts
 * import { throwsSync } from "@sockets/conformance/cases";
 * const error = throwsSync(() => JSON.parse("{"), "bad JSON");
 * ```
 */
export function throwsSync(fn: () => unknown, what: string): unknown {
  let value: unknown;
  try {
    value = fn();
  } catch (error) {
    return error;
  }
  throw new AssertionError(`${what}: expected a synchronous throw, but it returned ${show(value)}`);
}

/**
 * `true` for what the spec calls a SocketError: a `TypeError` whose message starts with
 * "SocketError: ". The rest of the message is never compared.
 *
 * @example
 * ```ts
 * import { isSocketErrorLike } from "@sockets/conformance/cases";
 * isSocketErrorLike(new TypeError("SocketError: refused")); // true
 * ```
 */
export function isSocketErrorLike(error: unknown): boolean {
  return error instanceof TypeError && error.message.startsWith("SocketError: ");
}

/**
 * Fails unless `error` is SocketError-like and, when `code` is given (`ext:codes` cases
 * only), has that `code`.
 *
 * @example
 * ```ts
 * import { assertSocketError } from "@sockets/conformance/cases";
 * assertSocketError(Object.assign(new TypeError("SocketError: x"), { code: "ECONNRESET" }), "reset", "ECONNRESET");
 * ```
 */
export function assertSocketError(error: unknown, what: string, code?: string): void {
  if (!isSocketErrorLike(error)) {
    throw new AssertionError(`${what}: expected a TypeError whose message starts with "SocketError: ", got ${show(error)}`);
  }
  if (code !== undefined) equal((error as { code?: unknown }).code, code, `${what}: code`);
}
