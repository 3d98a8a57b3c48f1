/**
 * Turning a runtime's native error into a {@link SocketError} with a normalised code.
 *
 * Node, Bun and Deno all put a POSIX-style `code` on most socket errors; TLS failures
 * use OpenSSL/Node-style codes (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ERR_TLS_…`) or
 * none at all. Transports map what only they can recognise (Deno's DNS failure has no
 * code, its certificate errors are `InvalidData`) by passing `code` explicitly.
 *
 * @module
 */
import { SocketError, type SocketErrorCode } from "./socket-error.js";

const PASS_THROUGH: ReadonlySet<string> = new Set<SocketErrorCode>([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "EADDRINUSE",
  "EACCES",
  "EADDRNOTAVAIL",
  "EMSGSIZE",
]);

const ALIASES: Readonly<Record<string, SocketErrorCode>> = {
  EAI_AGAIN: "ENOTFOUND",
  EAI_NONAME: "ENOTFOUND",
  EAI_NODATA: "ENOTFOUND",
  EAI_FAIL: "ENOTFOUND",
  ECONNABORTED: "ECONNRESET",
  EHOSTDOWN: "EHOSTUNREACH",
  ENETDOWN: "ENETUNREACH",
  ABORT_ERR: "EABORTED",
  ERR_STREAM_DESTROYED: "ECLOSED",
  ERR_SOCKET_CLOSED: "ECLOSED",
  ERR_STREAM_WRITE_AFTER_END: "EPIPE",
  EPERM: "EACCES",
  ERR_SOCKET_DGRAM_NOT_RUNNING: "ECLOSED",
};

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|CERT_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_OSSL_)/;

/**
 * The normalised code for a native error, or `undefined` when nothing is recognised.
 *
 * @example
 * ```ts
 * import { codeOf } from "@sockets/core";
 * codeOf(Object.assign(new Error("x"), { code: "EAI_AGAIN" })); // "ENOTFOUND"
 * ```
 */
export function codeOf(error: unknown): SocketErrorCode | undefined {
  if (error instanceof SocketError) return error.code;
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (PASS_THROUGH.has(code)) return code as SocketErrorCode;
    const alias = ALIASES[code];
    if (alias !== undefined) return alias;
    if (TLS_CODE.test(code)) return "ETLS";
  }
  if ((error as { name?: unknown }).name === "AbortError") return "EABORTED";
  return undefined;
}

/**
 * Wraps any thrown value in a {@link SocketError}. A `SocketError` is returned as is.
 * `code` overrides what {@link codeOf} would find; `message` replaces the native one
 * (which is kept on `cause`).
 *
 * @example
 * ```ts
 * import { toSocketError } from "@sockets/core";
 * const error = toSocketError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
 * error.code; // "ECONNREFUSED"
 * ```
 */
export function toSocketError(error: unknown, override: { code?: SocketErrorCode; message?: string } = {}): SocketError {
  if (error instanceof SocketError && override.code === undefined) return error;
  const code = override.code ?? codeOf(error) ?? "EUNKNOWN";
  const native =
    typeof error === "object" && error !== null && typeof (error as Error).message === "string" ? (error as Error).message : String(error);
  return new SocketError(override.message ?? (native || code), { code, cause: error });
}

/**
 * The one error for an attempt core gave up on (`Cancellation` fired: the socket was
 * closed, its `signal` fired): `EABORTED` with the reason as `cause`. A `SocketError`
 * reason (core's own `ECLOSED`, a failure) is returned as it is, so the attempt fails with
 * exactly the error the socket reports.
 *
 * @example
 * ```ts
 * import { attemptAborted } from "@sockets/core";
 * attemptAborted(new Error("stop")).code; // "EABORTED"
 * attemptAborted(new Error("stop")).message; // "SocketError: The connection attempt was aborted"
 * ```
 */
export function attemptAborted(reason: unknown): SocketError {
  if (reason instanceof SocketError) return reason;
  return new SocketError("The connection attempt was aborted", { code: "EABORTED", cause: reason });
}

/**
 * The one error for a `signal` (the `signal` option of `connect()`, `listen()`, `udp()`)
 * that fired: `EABORTED` with `signal.reason` as `cause`.
 *
 * @example
 * ```ts
 * import { signalAborted } from "@sockets/core";
 * signalAborted(AbortSignal.abort("bye")).message; // "SocketError: The connection was aborted by its signal"
 * signalAborted(AbortSignal.abort(), "The listener").code; // "EABORTED"
 * ```
 */
export function signalAborted(signal: AbortSignal, subject = "The connection"): SocketError {
  return new SocketError(`${subject} was aborted by its signal`, { code: "EABORTED", cause: signal.reason });
}
