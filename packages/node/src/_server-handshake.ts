/**
 * The TLS *server* handshake over an accepted `net.Socket`, for a TLS listener
 * (`secureTransport: "on"`) and for `startTls()` on an accepted socket alike.
 *
 * Node quirks handled here:
 * - We wrap the accepted socket ourselves (`new tls.TLSSocket(raw, { isServer: true })`)
 *   rather than use `tls.createServer`: one code path for both cases, the accepted socket
 *   stays paused (`pauseOnConnect`) until the handshake starts, and the handshake gets our
 *   own timeout and error reporting. `tls.Server`'s `handshakeTimeout` and
 *   `tlsClientError` would do the same for one of the two cases only.
 * - Secure contexts are built once per listener (parsing a key and a chain per connection
 *   costs ~1 ms) and cached by certificate, key and client CA.
 * - `requestCert`: Node asks for a client certificate but, with `rejectUnauthorized`
 *   false, lets the handshake finish without one; it is `true` whenever `requestCert` is,
 *   and `authorized` is checked once more on `'secure'`.
 * - Plain-text bytes already buffered on the accepted socket before a STARTTLS upgrade
 *   are discarded (never handed to the TLS layer as if they were handshake bytes).
 *
 * @module
 */
import type * as net from "node:net";
import * as tls from "node:tls";
import { SocketError, toSocketError, type ServerTlsRequest } from "@sockets/core";
import { destroyPair, type Handshake } from "./_handshake.js";

const noop = (): void => {};
const contexts = new WeakMap<ServerTlsRequest, tls.SecureContext>();

/**
 * The secure context for a listener's TLS request (made once per request object).
 *
 * @example
 * ```ts
 * import { serverContext } from "./_server-handshake.js";
 * declare const cert: string, key: string;
 * const context = serverContext({ role: "server", cert, key, alpn: [], requestCert: false, caCerts: [], handshakeTimeout: 10_000 });
 * ```
 */
export function serverContext(request: ServerTlsRequest): tls.SecureContext {
  let context = contexts.get(request);
  if (context === undefined) {
    context = tls.createSecureContext({
      cert: request.cert,
      key: request.key,
      ...(request.requestCert ? { ca: [...request.caCerts] } : {}),
    });
    contexts.set(request, context);
  }
  return context;
}

/**
 * Builds (and caches) the secure context for `request` now, so a certificate and key
 * Node cannot use (a key that does not match the certificate, a bad PEM body) is a
 * synchronous `SocketError` `EINVAL` from `listen()` instead of a failure per connection.
 * The key is never quoted.
 *
 * @example
 * ```ts
 * import { checkServerTls } from "./_server-handshake.js";
 * declare const request: import("@sockets/core").ServerTlsRequest;
 * checkServerTls(request); // throws SocketError EINVAL when Node refuses the pair
 * ```
 */
export function checkServerTls(request: ServerTlsRequest): void {
  try {
    serverContext(request);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SocketError(`Invalid option tls: Node cannot use this certificate and key (${reason})`, {
      code: "EINVAL",
      cause: error,
    });
  }
}

/**
 * Starts the server handshake on `raw` (accepted, its listeners removed by the caller).
 * `done` resolves with the TLS socket once the client is verified (when asked), or rejects
 * with a `SocketError` `ETLS` (a bad `ClientHello`, no common protocol, a missing or
 * untrusted client certificate, the client hung up, `handshakeTimeout` passed). Node
 * refusing the options synchronously (a key that does not match the certificate) throws.
 *
 * @example
 * ```ts
 * import * as net from "node:net";
 * import { startServerHandshake } from "./_server-handshake.js";
 * declare const request: import("@sockets/core").ServerTlsRequest;
 * net.createServer({ pauseOnConnect: true }, async (raw) => {
 *   const secure = await startServerHandshake(raw, request).done;
 *   secure.end("hello over TLS\n");
 * }).listen(0);
 * ```
 */
export function startServerHandshake(raw: net.Socket, request: ServerTlsRequest): Handshake {
  while (raw.readableLength > 0 && raw.read() !== null);
  raw.on("error", noop);
  let socket: tls.TLSSocket;
  try {
    socket = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: serverContext(request),
      requestCert: request.requestCert,
      rejectUnauthorized: request.requestCert,
      ALPNProtocols: request.alpn.length > 0 ? [...request.alpn] : undefined,
    });
  } catch (error) {
    raw.destroy();
    throw toSocketError(error, { code: "ETLS" });
  }
  const done = new Promise<tls.TLSSocket>((resolve, reject) => {
    const settle = (error: Error | null): void => {
      clearTimeout(timer);
      socket.off("secure", onSecure);
      socket.off("error", onError);
      socket.off("close", onClose);
      socket.off("end", onClose);
      if (error === null) return resolve(socket);
      destroyPair(socket, raw);
      reject(toSocketError(error, { code: "ETLS" }));
    };
    const onSecure = (): void => {
      if (!request.requestCert || socket.authorized) return settle(null);
      settle(socket.authorizationError ?? new Error("The client presented no trusted certificate"));
    };
    const onError = (error: Error): void => settle(error);
    const onClose = (): void => settle(new Error("The client closed the connection during the TLS handshake"));
    const timer = setTimeout(
      () => settle(new Error(`The client did not finish the TLS handshake within ${request.handshakeTimeout} ms`)),
      request.handshakeTimeout,
    );
    socket.once("secure", onSecure);
    socket.once("error", onError);
    socket.once("close", onClose);
    // The sockets are half-open (`allowHalfOpen`): a client that gives up (e.g. a Node client
    // that does not trust our certificate destroys its socket) is an `'end'`, no `'close'`.
    socket.once("end", onClose);
  });
  return { socket, done };
}
