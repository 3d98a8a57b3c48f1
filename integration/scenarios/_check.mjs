/**
 * Small assertion and timing helpers for the driver scenarios. Runtime-neutral: web APIs
 * only, so the same file runs under node, deno and bun.
 *
 * @module
 */

/** Throws `message` unless `condition` holds. */
export function check(condition, message) {
  if (!condition) throw new Error(`Check failed: ${message}`);
}

/** Throws unless `actual === expected`, quoting both. */
export function checkEqual(actual, expected, what) {
  if (actual !== expected) throw new Error(`Check failed: ${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

/** Rejects with a timeout error after `ms` unless `promise` settles first. */
export function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Awaits `promise` and returns what it rejected with; throws if it fulfilled. */
export async function rejection(promise, what) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error(`Check failed: ${what} fulfilled, expected a rejection`);
}

/** `count` random bytes (getRandomValues fills at most 64 KiB per call). */
export function randomBytes(count) {
  const bytes = new Uint8Array(count);
  for (let offset = 0; offset < count; offset += 65_536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(offset + 65_536, count)));
  }
  return bytes;
}

/** Hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Walks `error.cause` and returns the first link that is one of ours: a `SocketError` (a
 * `TypeError` whose message starts with "SocketError: ", with a string `code`). Duck-typed
 * so that a second copy of `@sockets/core` would not fool it.
 */
export function socketErrorIn(error) {
  for (let e = error, depth = 0; e && depth < 5; e = e.cause, depth++) {
    if (e instanceof TypeError && e.message.startsWith("SocketError: ") && typeof e.code === "string") return e;
  }
  return undefined;
}

/** A short description of an error for the report: name, code, message. */
export function describe(error) {
  if (!(error instanceof Error)) return String(error);
  const code = typeof error.code === "string" ? ` ${error.code}` : "";
  return `${error.name}${code}: ${error.message}`;
}
