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
import { denoSocketError } from "./_errors.js";

/** A verified TLS conn and the negotiated ALPN protocol. */
export interface Secured {
  readonly conn: Deno.TlsConn;
  readonly alpn: string | null;
}

function startTlsOptions(tls: TlsRequest): Deno.StartTlsOptions {
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
 * import { secureConn } from "./_handshake.js";
 * const tcp = await Deno.connect({ hostname: "127.0.0.1", port: 443 });
 * const { conn, alpn } = await secureConn(tcp, { verifyName: "localhost", serverName: "localhost", alpn: ["h2"], caCerts: [] }, new Cancellation());
 * conn.close();
 * ```
 */
export async function secureConn(tcp: Deno.TcpConn, tls: TlsRequest, cancel: Cancellation): Promise<Secured> {
  let conn: Deno.TlsConn;
  try {
    conn = await Deno.startTls(tcp, startTlsOptions(tls));
  } catch (error) {
    // `Busy` (a read still holds the TCP resource) has already taken it out of Deno's
    // resource table: closing throws `BadResource`, which is fine to ignore.
    closeQuietly(tcp);
    throw denoSocketError(error, "handshake");
  }
  if (cancel.cancelled) {
    closeQuietly(conn);
    throw attemptAborted(cancel.reason);
  }
  const onCancel = (): void => closeQuietly(conn);
  cancel.watch(onCancel);
  try {
    const { alpnProtocol } = await conn.handshake();
    return { conn, alpn: alpnProtocol };
  } catch (error) {
    closeQuietly(conn);
    throw cancel.cancelled ? attemptAborted(cancel.reason) : denoSocketError(error, "handshake");
  } finally {
    cancel.unwatch(onCancel);
  }
}

/**
 * `conn.close()` throws `BadResource` when called twice (or on a consumed conn).
 *
 * @example
 * ```ts
 * import { closeQuietly } from "./_handshake.js";
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: 5432 });
 * closeQuietly(conn);
 * closeQuietly(conn); // no throw
 * ```
 */
export function closeQuietly(conn: { close(): void }): void {
  try {
    conn.close();
  } catch {
    // Already closed or consumed by Deno.startTls.
  }
}
