/**
 * The TLS upgrade, used for `secureTransport: "on"` (right after the TCP connect) and for
 * `startTls()` alike.
 *
 * - `Deno.startTls` (like `Deno.connectTls`) resolves **before** the handshake: a bad
 *   certificate would only show up on the first read or write (denoland/deno#11759).
 *   We `await conn.handshake()` so the caller learns the verdict, and the ALPN result.
 * - There is no separate SNI option (denoland/deno#9109): `hostname` is both the SNI and
 *   the name the certificate is checked against, and Deno sends no SNI for IP literals.
 *   We pass the spec's `sni` (core's `verifyName`), which is exactly that pair.
 * - `caCerts` are added to Deno's roots (not a replacement): the spec's extension.
 * - An `AbortSignal` is honoured by `Deno.connect` only; a handshake core cancels is
 *   stopped by closing the conn (the pending `handshake()` then rejects with `Interrupted`).
 *
 * @module
 */
import { attemptAborted, type Cancellation, type TlsRequest } from "@sockets/core";
import { _toSocketError } from "./_errors.js";

/** A verified TLS conn and the negotiated ALPN protocol. */
export interface _Secured {
  readonly conn: Deno.TlsConn;
  readonly alpn: string | null;
}

function _options(tls: TlsRequest): Deno.StartTlsOptions {
  const options: Deno.StartTlsOptions = { hostname: tls.verifyName };
  if (tls.caCerts.length > 0) options.caCerts = [...tls.caCerts];
  if (tls.alpn.length > 0) options.alpnProtocols = [...tls.alpn];
  return options;
}

/**
 * Upgrades `tcp` (consumed) and completes the handshake. On failure (or when core
 * cancels) the connection is closed and a `SocketError` is thrown.
 *
 * @example
 * ```ts
 * import { Cancellation } from "@sockets/core";
 * import { _secure } from "./_handshake.js";
 * const tcp = await Deno.connect({ hostname: "127.0.0.1", port: 443 });
 * const { conn, alpn } = await _secure(tcp, { verifyName: "localhost", serverName: "localhost", alpn: ["h2"], caCerts: [] }, new Cancellation());
 * conn.close();
 * ```
 */
export async function _secure(tcp: Deno.TcpConn, tls: TlsRequest, cancel: Cancellation): Promise<_Secured> {
  let conn: Deno.TlsConn;
  try {
    conn = await Deno.startTls(tcp, _options(tls));
  } catch (error) {
    // `Busy` (a read still holds the TCP resource) has already taken it out of Deno's
    // resource table: closing throws `BadResource`, which is fine to ignore.
    _closeQuietly(tcp);
    throw _toSocketError(error, "handshake");
  }
  if (cancel.cancelled) {
    _closeQuietly(conn);
    throw attemptAborted(cancel.reason);
  }
  const onCancel = (): void => _closeQuietly(conn);
  cancel.watch(onCancel);
  try {
    const { alpnProtocol } = await conn.handshake();
    return { conn, alpn: alpnProtocol };
  } catch (error) {
    _closeQuietly(conn);
    throw cancel.cancelled ? attemptAborted(cancel.reason) : _toSocketError(error, "handshake");
  } finally {
    cancel.unwatch(onCancel);
  }
}

/**
 * `conn.close()` throws `BadResource` when called twice (or on a consumed conn).
 *
 * @example
 * ```ts
 * import { _closeQuietly } from "./_handshake.js";
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: 5432 });
 * _closeQuietly(conn);
 * _closeQuietly(conn); // no throw
 * ```
 */
export function _closeQuietly(conn: { close(): void }): void {
  try {
    conn.close();
  } catch {
    // Already closed or consumed by Deno.startTls.
  }
}
