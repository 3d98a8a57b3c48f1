/**
 * Deno's socket errors → `SocketError` codes.
 *
 * Deno reports most socket failures as `Deno.errors.*` classes (which also carry a
 * POSIX-style `code` on 2.x, but the class is the documented contract), so this maps by
 * class first. Three failures need more than the class:
 *
 * - DNS: a failed lookup is a plain `Error` "failed to lookup address information: …"
 *   with no class and no `code` (Deno 2.9.6), so it is recognised by its message.
 * - TLS: certificate and protocol failures are `InvalidData`; `UnexpectedEof` is rustls
 *   seeing the TCP stream end without `close_notify` (the peer hung up mid-handshake, or
 *   the stream was truncated: a read then fails instead of ending cleanly). Both are
 *   `ETLS`; during a handshake anything that is not a reset, an abort or our own close is
 *   `ETLS` too.
 * - Permissions: the OS's refusal is `PermissionDenied`, Deno's own (`--allow-net` does
 *   not cover the address) is `NotCapable`: both are `EACCES`.
 * - Our own `close()`: a read or handshake in flight rejects with `Interrupted`, and any
 *   later use of the conn with `BadResource`: both are `ECLOSED`.
 *
 * @module
 */
import { codeOf, toSocketError, type SocketError, type SocketErrorCode } from "@sockets/core";

/** Where the error happened: the TLS handshake turns unknown failures into `ETLS`. */
export type ErrorPhase = "connect" | "handshake" | "io";

// Deno 2.9.6: `op_net_connect_tcp` → `resolve_addr` → "failed to lookup address information: …"
// (the text of `std::io::Error` from getaddrinfo, as a generic error with no class).
const DNS_FAILURE = /failed to lookup address|Name or service not known|nodename nor servname|No address associated/i;

/**
 * The code Deno's error class says (`undefined` when the class says nothing).
 *
 * @example
 * ```ts
 * import { classCode } from "./_errors.js";
 * classCode(new Deno.errors.NotConnected("gone")); // "ECONNRESET"
 * ```
 */
export function classCode(error: unknown): SocketErrorCode | undefined {
  const E = Deno.errors;
  if (error instanceof E.ConnectionRefused) return "ECONNREFUSED";
  // NotConnected (ENOTCONN): a read on an accepted conn whose client reset it (seen on 2.9.6).
  if (error instanceof E.ConnectionReset || error instanceof E.ConnectionAborted || error instanceof E.NotConnected) return "ECONNRESET";
  if (error instanceof E.BrokenPipe) return "EPIPE";
  if (error instanceof E.TimedOut) return "ETIMEDOUT";
  if (error instanceof E.NetworkUnreachable) return "ENETUNREACH";
  if (error instanceof E.AddrInUse) return "EADDRINUSE";
  if (error instanceof E.AddrNotAvailable) return "EADDRNOTAVAIL";
  // NotCapable: Deno's own permission check (`--allow-net` does not cover the address).
  if (error instanceof E.PermissionDenied || error instanceof E.NotCapable) return "EACCES";
  if (error instanceof E.Interrupted || error instanceof E.BadResource) return "ECLOSED";
  // UnexpectedEof comes only from rustls: the peer hung up mid-handshake, or (on a read)
  // closed without close_notify, which is how a truncated TLS stream looks (RFC 8446 §6.1).
  if (error instanceof E.InvalidData || error instanceof E.UnexpectedEof) return "ETLS";
  if (error instanceof DOMException && error.name === "AbortError") return "EABORTED";
  if (error instanceof Error && error.constructor === Error && DNS_FAILURE.test(error.message)) return "ENOTFOUND";
  return undefined;
}

/**
 * Wraps a Deno error in a `SocketError` with the normalised code.
 *
 * @example
 * ```ts
 * import { denoSocketError } from "./_errors.js";
 * denoSocketError(new Deno.errors.ConnectionRefused("Connection refused"), "connect").code; // "ECONNREFUSED"
 * ```
 */
export function denoSocketError(error: unknown, phase: ErrorPhase): SocketError {
  const code = classCode(error) ?? codeOf(error) ?? (phase === "handshake" ? "ETLS" : "EUNKNOWN");
  return toSocketError(error, { code });
}
