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
 *   Whatever fails on the way (the private listener, which `Deno.listenTls` refuses
 *   synchronously, its connection, the handshake), the accepted conn is closed so the
 *   client sees the end, and `startTls()` rejects with a `SocketError`.
 * - **Deno checks a certificate and key only when it listens** (no API checks a pair
 *   alone), and rustls does so after the port is bound. A pair it cannot use (a key that
 *   does not match the certificate, a PEM body it cannot parse) is a synchronous
 *   `SocketError` `EINVAL` naming `tls`, as on Node: for `"on"` from the listener's own
 *   `Deno.listenTls` (a busy port is reported first, as `EADDRINUSE`), for `"starttls"` from
 *   a trial one on 127.0.0.1:0 (`checkServerTls`; the address `startTls()` needs anyway).
 * - `requestCert` (client certificates): `Deno.listenTls` cannot ask for or verify them on
 *   2.9.6, so `listen()` refuses the option (`open-deno-listener.ts`), never ignores it.
 *
 * @module
 */
import { attemptAborted, SocketError, type Cancellation, type ServerTlsRequest } from "@sockets/core";
import { classCode, denoSocketError } from "./_errors.js";
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

/** The private listener of `serverStartTls`, and the trial one of `checkServerTls`. */
function privateListener(request: ServerTlsRequest): Deno.TlsListener {
  return Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    transport: "tcp",
    cert: request.cert,
    key: request.key,
    ...(request.alpn.length > 0 ? { alpnProtocols: [...request.alpn] } : {}),
  });
}

/**
 * Whether `Deno.listenTls` threw because it cannot use the certificate and key. On 2.9.6 a
 * PEM with no certificate or no key in it is `InvalidData` (checked first); what rustls
 * refuses (a key that does not match the certificate, a PEM body it cannot parse) is a
 * plain `Error` with no `code` (checked after the port is bound). System errors carry a
 * `code` (`EMFILE`, …) or a class, and a failed lookup is recognised by `classCode`.
 */
function isBadCertOrKey(error: unknown): boolean {
  if (error instanceof Deno.errors.InvalidData) return true;
  return (
    error instanceof Error &&
    error.constructor === Error &&
    (error as { code?: unknown }).code === undefined &&
    classCode(error) === undefined
  );
}

function badCertOrKey(error: unknown): SocketError {
  const reason = error instanceof Error ? error.message : String(error);
  return new SocketError(`Invalid option tls: Deno.listenTls cannot use this certificate and key (${reason})`, {
    code: "EINVAL",
    cause: error,
  });
}

/**
 * A TLS listener's `Deno.listenTls` failure: a certificate and key Deno cannot use is
 * `SocketError` `EINVAL` naming the option (never the key itself), anything else keeps its
 * code (`EADDRINUSE`, `EACCES`, …).
 *
 * @example
 * ```ts
 * import { listenTlsError } from "./_server-tls.js";
 * listenTlsError(new Error("keys may not be consistent: KeyMismatch")).code; // "EINVAL"
 * ```
 */
export function listenTlsError(error: unknown): SocketError {
  return isBadCertOrKey(error) ? badCertOrKey(error) : denoSocketError(error, "connect");
}

/**
 * For a `"starttls"` listener, whose own listener is plain: a trial `Deno.listenTls` on
 * 127.0.0.1:0 (where `serverStartTls` will listen), closed at once, so a certificate and key
 * Deno cannot use is a synchronous `SocketError` `EINVAL`, not a failure of every
 * `startTls()`. Without `--allow-net` for 127.0.0.1 (which `startTls()` needs anyway) Deno
 * refuses the trial before it checks the pair: the check is skipped, and each `startTls()`
 * then fails with `EACCES`.
 *
 * @example
 * ```ts
 * import { checkServerTls } from "./_server-tls.js";
 * declare const request: import("@sockets/core").ServerTlsRequest;
 * checkServerTls(request); // throws SocketError EINVAL when Deno cannot use the pair
 * ```
 */
export function checkServerTls(request: ServerTlsRequest): void {
  let trial: Deno.TlsListener;
  try {
    trial = privateListener(request);
  } catch (error) {
    if (isBadCertOrKey(error)) throw badCertOrKey(error);
    return; // no permission for 127.0.0.1 (or no port): startTls() reports it
  }
  closeQuietly(trial);
}

/** A plain conn to a private TLS listener on 127.0.0.1:0, and the TLS conn it accepted. */
async function privatePair(request: ServerTlsRequest): Promise<[Deno.TcpConn, Deno.TlsConn]> {
  const listener = privateListener(request);
  let inner: Deno.TcpConn | null = null;
  try {
    inner = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    inner.setNoDelay(true);
    // Only our own connection may become the TLS end (another local process could race us).
    for (;;) {
      const accepted = await listener.accept();
      if (accepted.remoteAddr.port === inner.localAddr.port) return [inner, accepted];
      closeQuietly(accepted);
    }
  } catch (error) {
    if (inner !== null) closeQuietly(inner);
    throw error;
  } finally {
    listener.close();
  }
}

/**
 * `startTls()` on an accepted plain conn: the server handshake through a private loopback
 * TLS listener (see the module documentation). `pending`: the read still in flight on
 * `outer`; its bytes go to the TLS layer (they are the client's `ClientHello`). Whatever
 * fails (the private listener, its connection, the handshake), `outer` is closed, so the
 * client sees the connection end, and a `SocketError` is thrown (`ETLS` unless the failure
 * has a code of its own, such as `EACCES`).
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
  let pair: [Deno.TcpConn, Deno.TlsConn];
  try {
    // `privatePair` is async: `Deno.listenTls` throwing at once is a rejection here too.
    pair = await privatePair(request);
  } catch (error) {
    closeQuietly(outer);
    throw denoSocketError(error, "handshake");
  }
  const [inner, end] = pair;
  const relay = pump(outer, pending, inner, false);
  try {
    const secured = await serverHandshake(end, request, cancel);
    return { ...secured, relay };
  } catch (error) {
    relay.abort();
    throw error;
  }
}
