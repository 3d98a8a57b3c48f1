/**
 * The TLS *server* handshake on Deno, for a TLS listener and for `startTls()` on an
 * accepted socket.
 *
 * - `Deno.listenTls` hands out `TlsConn`s whose handshake is lazy: it runs on the first
 *   read or write, or on `handshake()`. We call `handshake()` (bounded by
 *   `handshakeTimeout`: the conn is closed when it passes) so a socket is delivered only
 *   once its handshake succeeded, with the negotiated ALPN.
 * - **Deno has no server-side `startTls`** (`Deno.startTls` is client-only). It is
 *   emulated: a private `Deno.listenTls` on 127.0.0.1:0 with the listener's certificate,
 *   a plain TCP connection to it, and a pump between the accepted plain conn and that
 *   connection (`_relay.ts`); the TLS conn the private listener accepts is the new
 *   transport's. Cost: one loopback hop and two extra copies per chunk for the rest of the
 *   connection, a second file descriptor pair, `--allow-net` must cover 127.0.0.1, and
 *   a reset by the peer reaches the TLS conn as an unexpected EOF (`ETLS`). The TLS end
 *   is an accepted `TlsConn`, which has no `setNoDelay`: Nagle's algorithm stays on for it.
 * - `requestCert` (client certificates): `Deno.listenTls` cannot ask for or verify them on
 *   2.9.6, so `listen()` refuses the option (`open-deno-listener.ts`), never ignores it.
 *
 * @module
 */
import { attemptAborted, type Cancellation, type ServerTlsRequest } from "@sockets/core";
import { denoSocketError } from "./_errors.js";
import { closeQuietly, type Secured } from "./_handshake.js";
import { pump, type PendingRead, type RelayHandle } from "./_relay.js";

/**
 * Completes the server handshake of an accepted `TlsConn` within `handshakeTimeout` (and
 * until `cancel`, when given); on failure the conn is closed and a `SocketError` `ETLS`
 * thrown.
 *
 * @example
 * ```ts
 * import { serverHandshake } from "./_server-tls.js";
 * declare const listener: Deno.TlsListener, request: import("@sockets/core").ServerTlsRequest;
 * const { conn, alpn } = await serverHandshake(await listener.accept(), request, null);
 * ```
 */
export async function serverHandshake(conn: Deno.TlsConn, request: ServerTlsRequest, cancel: Cancellation | null): Promise<Secured> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    closeQuietly(conn);
  }, request.handshakeTimeout);
  const onCancel = (): void => closeQuietly(conn);
  cancel?.watch(onCancel);
  try {
    const { alpnProtocol } = await conn.handshake();
    return { conn, alpn: alpnProtocol };
  } catch (error) {
    closeQuietly(conn);
    if (cancel?.cancelled === true) throw attemptAborted(cancel.reason);
    if (timedOut) {
      throw denoSocketError(
        new Error(`The client did not finish the TLS handshake within ${request.handshakeTimeout} ms`, { cause: error }),
        "handshake",
      );
    }
    throw denoSocketError(error, "handshake");
  } finally {
    clearTimeout(timer);
    cancel?.unwatch(onCancel);
  }
}

/**
 * `startTls()` on an accepted plain conn: the server handshake through a private loopback
 * TLS listener (see the module documentation). `pending`: the read still in flight on
 * `outer`; its bytes go to the TLS layer (they are the client's `ClientHello`).
 *
 * @example
 * ```ts
 * import { Cancellation } from "@sockets/core";
 * import { serverStartTls } from "./_server-tls.js";
 * declare const accepted: Deno.TcpConn, request: import("@sockets/core").ServerTlsRequest;
 * const { conn, relay } = await serverStartTls(accepted, null, request, new Cancellation());
 * ```
 */
export async function serverStartTls(
  outer: Deno.TcpConn,
  pending: PendingRead | null,
  request: ServerTlsRequest,
  cancel: Cancellation,
): Promise<Secured & { relay: RelayHandle }> {
  let inner: Deno.TcpConn;
  let end: Deno.TlsConn;
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    transport: "tcp",
    cert: request.cert,
    key: request.key,
    ...(request.alpn.length > 0 ? { alpnProtocols: [...request.alpn] } : {}),
  });
  try {
    inner = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    // Only our own connection may become the TLS end (another local process could race us).
    for (;;) {
      const accepted = await listener.accept();
      if (accepted.remoteAddr.port === inner.localAddr.port) {
        end = accepted;
        break;
      }
      closeQuietly(accepted);
    }
  } catch (error) {
    closeQuietly(outer);
    throw denoSocketError(error, "handshake");
  } finally {
    listener.close();
  }
  inner.setNoDelay(true);
  const relay = pump(outer, pending, inner, false);
  try {
    const secured = await serverHandshake(end, request, cancel);
    return { ...secured, relay };
  } catch (error) {
    relay.abort();
    throw error;
  }
}
