/**
 * `SocketError`: the one error type every failure is reported with, on every runtime.
 *
 * The spec makes it a `TypeError` whose message starts with `"SocketError: "`. It defines
 * no codes; we add a normalised `code` (`@extension`) so a caller can tell a refused
 * connection from a reset or a certificate problem the same way on every runtime. The
 * runtime's own error is kept as `cause`.
 *
 * @module
 */

/**
 * The normalised failure codes.
 *
 * - `ECONNREFUSED`: nothing listens on the port.
 * - `ECONNRESET`: the peer reset the connection.
 * - `ETIMEDOUT`: the operating system gave up.
 * - `ENOTFOUND`: the hostname did not resolve.
 * - `EHOSTUNREACH`, `ENETUNREACH`: no route.
 * - `EPIPE`: a write after the connection (or our writable side) was closed.
 * - `ETLS`: the TLS handshake failed (untrusted or wrong-name certificate, protocol error).
 * - `EABORTED`: the `signal` option was aborted.
 * - `EINVAL`: bad arguments or a call the socket's state does not allow.
 * - `ECLOSED`: the socket was closed (or upgraded) before the operation could complete.
 * - `EADDRINUSE`: `listen()` or a bound `udp()` socket: the address is taken.
 * - `EACCES`: `listen()`/`udp()`: no permission to bind (a port below 1024 without privileges).
 * - `EADDRNOTAVAIL`: `listen()`/`udp()`: the local address is not one of this machine's.
 * - `EMSGSIZE`: `udp()`: the datagram is larger than the socket can send.
 * - `EUNKNOWN`: anything else; see `cause`.
 *
 * @example
 * ```ts
 * import type { SocketErrorCode } from "@sockets/core";
 * const retryable: SocketErrorCode[] = ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT"];
 * ```
 */
export type SocketErrorCode =
  | "ECONNREFUSED"
  | "ECONNRESET"
  | "ETIMEDOUT"
  | "ENOTFOUND"
  | "EHOSTUNREACH"
  | "ENETUNREACH"
  | "EPIPE"
  | "ETLS"
  | "EABORTED"
  | "EINVAL"
  | "ECLOSED"
  | "EADDRINUSE"
  | "EACCES"
  | "EADDRNOTAVAIL"
  | "EMSGSIZE"
  | "EUNKNOWN";

/**
 * Options of the {@link SocketError} constructor.
 *
 * @example
 * ```ts
 * import { SocketError, type SocketErrorOptions } from "@sockets/core";
 * const options: SocketErrorOptions = { code: "ECONNRESET" };
 * throw new SocketError("connection reset by peer", options);
 * ```
 */
export interface SocketErrorOptions {
  /** The normalised failure code (default `"EUNKNOWN"`). */
  code?: SocketErrorCode;
  /** The underlying error (the runtime's own), kept as the error's `cause`. */
  cause?: unknown;
}

const PREFIX = "SocketError: ";

/**
 * A socket failure. An instance of `TypeError` (as the spec requires) with a normalised
 * `code` and the runtime's own error as `cause`.
 *
 * @example
 * ```ts
 * import { connect, SocketError } from "@sockets/node";
 * const socket = connect("127.0.0.1:1");
 * try {
 *   await socket.opened;
 * } catch (error) {
 *   if (error instanceof SocketError && error.code === "ECONNREFUSED") console.log("nobody home");
 * }
 * ```
 */
export class SocketError extends TypeError {
  /**
   * The normalised failure code.
   *
   * @extension
   */
  readonly code: SocketErrorCode;

  /**
   * A `SocketError` with `message` (prefixed `"SocketError: "` unless it already is), the
   * code of `options` (`"EUNKNOWN"` without one) and its `cause`.
   */
  constructor(message: string, options: SocketErrorOptions = {}) {
    super(message.startsWith(PREFIX) ? message : PREFIX + message, "cause" in options ? { cause: options.cause } : undefined);
    this.code = options.code ?? "EUNKNOWN";
  }
}
