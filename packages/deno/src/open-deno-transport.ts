/**
 * Dialling: `Deno.connect` for every mode, then `Deno.startTls` for `secureTransport: "on"`.
 *
 * Why not `Deno.connectTls`: it takes no `signal` (an unanswered SYN could not be
 * aborted), no SNI separate from the dialled host (denoland/deno#9109), gives a `TlsConn`
 * with no `setNoDelay`, and resolves before the handshake anyway. `connect` + `startTls`
 * gives an abortable TCP phase, the spec's `sni`, `TCP_NODELAY` set on the TCP conn
 * (before TLS: a `TlsConn` has no `setNoDelay`), and one code path shared with
 * `startTls()`. `opened` waits for `handshake()` (`_handshake.ts`).
 *
 * Deno's `signal` works only during the TCP phase; when core cancels during the handshake
 * the conn is closed instead.
 *
 * @module
 */
import { attemptAborted, type OpenRequest, type OpenTransport, type Transport, type TransportEvents } from "@sockets/core";
import { denoSocketError } from "./_errors.js";
import { secureConn } from "./_handshake.js";
import { connInfo } from "./_info.js";
import { DenoTransport } from "./deno-transport.js";

/**
 * Opens a Transport over `Deno.connect` (and `Deno.startTls` for `request.tls`). This is
 * what `@sockets/deno`'s `connect` is built from; use it to build a `connect` with core's
 * `createConnect` (for example to wrap or instrument the transport).
 *
 * @example
 * ```ts
 * import { createConnect } from "@sockets/core";
 * import { openDenoTransport } from "@sockets/deno";
 * const connect = createConnect(openDenoTransport);
 * const socket = connect("127.0.0.1:5432");
 * await socket.opened;
 * await socket.close();
 * ```
 */
export const openDenoTransport: OpenTransport = async (request: OpenRequest, events: TransportEvents): Promise<Transport> => {
  const { cancel } = request;
  if (cancel.cancelled) throw attemptAborted(cancel.reason);
  // Deno.connect is stopped only by an AbortSignal: the one per-connection EventTarget here.
  const dialing = new AbortController();
  const onCancel = (reason: unknown): void => dialing.abort(reason);
  cancel.watch(onCancel);
  let tcp: Deno.TcpConn;
  try {
    tcp = await Deno.connect({ hostname: request.hostname, port: request.port, transport: "tcp", signal: dialing.signal });
  } catch (error) {
    throw cancel.cancelled ? attemptAborted(cancel.reason) : denoSocketError(error, "connect");
  } finally {
    cancel.unwatch(onCancel);
  }
  tcp.setNoDelay(true);
  if (request.tls === null) return new DenoTransport(tcp, events, connInfo(tcp, null), { plainStarttls: request.starttls });
  const { conn, alpn } = await secureConn(tcp, request.tls, cancel);
  return new DenoTransport(conn, events, connInfo(tcp, alpn), { plainStarttls: false });
};
