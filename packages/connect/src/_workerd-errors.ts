/**
 * workerd's socket errors, normalised. `cloudflare:sockets` rejects `opened` and `closed`
 * with plain `Error`s (two different objects for one failure) whose messages are all the
 * information there is: no `code`. A refused connection, an unresolvable name, an address
 * the network service does not allow and a failed TLS handshake all read "proxy request
 * failed, cannot connect to the specified address", so those stay `EUNKNOWN` rather than
 * a guess; only messages that identify one failure get a code — and a failure of the
 * socket `startTls()` returned, on a connection that was already open, is `ETLS`.
 *
 * @module
 */
import { SocketError, type SocketErrorCode } from "@sockets/core";

const KNOWN: readonly (readonly [RegExp, SocketErrorCode])[] = [
  [/network connection lost|connection reset/i, "ECONNRESET"],
  [/connection refused/i, "ECONNREFUSED"],
  [/timed? ?out/i, "ETIMEDOUT"],
  [/certificate|\btls\b|\bssl\b|handshake/i, "ETLS"],
  [/dns|name not resolved|could not resolve/i, "ENOTFOUND"],
];

/**
 * The code a workerd error message identifies, or `"EUNKNOWN"`.
 *
 * @example
 * ```ts
 * import { workerdCode } from "./_workerd-errors.js";
 * workerdCode(new Error("Network connection lost.")); // "ECONNRESET"
 * ```
 */
export function workerdCode(error: unknown): SocketErrorCode {
  const message = error instanceof Error ? error.message : String(error);
  for (const [pattern, code] of KNOWN) if (pattern.test(message)) return code;
  return "EUNKNOWN";
}

/**
 * Wraps a workerd error in a `SocketError` naming the address; the original is `cause`.
 * `fallback` is the code when the message identifies nothing: the caller may know more
 * than the message (a failure of `startTls()`'s socket on a connection that was already
 * up is the TLS handshake's).
 *
 * @example
 * ```ts
 * import { workerdSocketError } from "./_workerd-errors.js";
 * const error = workerdSocketError(new Error("Network connection lost."), "127.0.0.1:5432");
 * error.code; // "ECONNRESET"
 * ```
 */
export function workerdSocketError(error: unknown, authority: string, fallback: SocketErrorCode = "EUNKNOWN"): SocketError {
  if (error instanceof SocketError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = workerdCode(error);
  return new SocketError(`${message.replace(/[.\s]+$/, "")} (${authority})`, { code: code === "EUNKNOWN" ? fallback : code, cause: error });
}
