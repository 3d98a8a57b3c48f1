/**
 * Minimal assertions (no dependency on a registry): each throws with both values.
 *
 * @module
 */

/** Throws unless `actual === expected` (or both are equal byte arrays). */
export function equal(actual: unknown, expected: unknown, what: string): void {
  if (actual instanceof Uint8Array && expected instanceof Uint8Array) {
    if (actual.byteLength === expected.byteLength && actual.every((b, i) => b === expected[i])) return;
  } else if (Object.is(actual, expected)) return;
  throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

/** Throws unless `condition` holds. */
export function ok(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(`${what}: expected a truthy value, got ${String(condition)}`);
}

/** Resolves with the rejection of `promise`, or throws if it fulfils. */
export async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error(`${what}: expected a rejection`);
}

/** Rejects if `promise` takes longer than `ms` (a hang guard, not a timing assertion). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** UTF-8 helpers. */
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);
