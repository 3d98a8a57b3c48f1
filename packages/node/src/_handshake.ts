/**
 * The TLS client handshake over an already connected `net.Socket`, for both
 * `secureTransport: "on"` and `startTls()`.
 *
 * Node quirks handled here:
 * - **No SNI unless `servername` is given**: `tls.connect({ host })` sends no SNI at all
 *   (nodejs/node#28167). We pass `servername` = `TlsRequest.serverName`, which core sets to
 *   the `sni` option or the hostname, and to `null` for IP literals (RFC 6066 forbids IPs).
 * - **Verification name**: Node checks the certificate against `servername || host`. We
 *   install `checkServerIdentity` so it is always checked against `verifyName`, whatever
 *   is (or is not) sent as SNI: an IP literal is checked against the IP SANs.
 * - **`ca` replaces the roots**: see `_trust.ts`.
 * - `rejectUnauthorized: true` is explicit, so `NODE_TLS_REJECT_UNAUTHORIZED=0` (which
 *   only changes Node's default) cannot turn verification off.
 * - Node feeds bytes already buffered on the plain socket into the TLS layer
 *   (`initRead` in lib/_tls_wrap.js). For STARTTLS those bytes came in plain text before
 *   the upgrade, so we discard them first (the transport contract: never deliver them as
 *   if they came over TLS, and never let a man in the middle inject handshake bytes).
 *
 * Every handshake failure (untrusted or wrong-name certificate, alert, peer closing
 * mid-handshake) rejects with a `SocketError` `ETLS` whose `cause` is Node's error.
 *
 * @module
 */
import type * as net from "node:net";
import * as tls from "node:tls";
import { toSocketError, type SocketError, type TlsRequest } from "@sockets/core";
import { secureContextFor } from "./_trust.js";

/** A handshake in progress: the TLS socket (to destroy on abort) and its outcome. */
export interface Handshake {
  readonly socket: tls.TLSSocket;
  readonly done: Promise<tls.TLSSocket>;
}

const noop = (): void => {};

/**
 * Destroys a TLS socket and the TCP socket under it, in the order Node 20 survives: the
 * TLS layer first, the TCP socket once the TLS socket has closed. (`socket === raw` for
 * plain TCP.)
 *
 * @example
 * ```ts
 * import * as net from "node:net";
 * import * as tls from "node:tls";
 * import { destroyPair } from "./_handshake.js";
 * const raw = net.connect({ host: "127.0.0.1", port: 443 });
 * const secure = tls.connect({ socket: raw, servername: "localhost" });
 * destroyPair(secure, raw);
 * ```
 */
export function destroyPair(socket: net.Socket, raw: net.Socket): void {
  socket.on("error", noop);
  raw.on("error", noop);
  if (socket !== raw && !raw.destroyed) {
    if (socket.destroyed) raw.destroy();
    else socket.once("close", () => raw.destroy());
  }
  socket.destroy();
}

/**
 * Starts a verified TLS client handshake on `raw` (which must be connected). The plain
 * socket's listeners must have been removed by the caller. Throws a `SocketError` `ETLS`
 * (and destroys `raw`) if Node refuses the options synchronously.
 *
 * @example
 * ```ts
 * import { once } from "node:events";
 * import * as net from "node:net";
 * import { startHandshake } from "./_handshake.js";
 * const raw = net.connect({ host: "127.0.0.1", port: 443 });
 * await once(raw, "connect");
 * const { done } = startHandshake(raw, { verifyName: "localhost", serverName: "localhost", alpn: [], caCerts: [] });
 * const secure = await done;
 * ```
 */
export function startHandshake(raw: net.Socket, request: TlsRequest): Handshake {
  // Discard plain-text bytes that arrived before the upgrade (see the module header).
  while (raw.readableLength > 0 && raw.read() !== null);
  // The plain socket no longer reads (the TLS layer owns its handle); keep a listener so
  // a late error on it can never crash the process.
  raw.on("error", noop);

  const { verifyName } = request;
  let socket: tls.TLSSocket;
  try {
    socket = tls.connect({
      socket: raw,
      servername: request.serverName ?? undefined,
      ALPNProtocols: request.alpn.length > 0 ? [...request.alpn] : undefined,
      secureContext: secureContextFor(request.caCerts),
      rejectUnauthorized: true,
      checkServerIdentity: (_name, certificate) => tls.checkServerIdentity(verifyName, certificate),
    });
  } catch (error) {
    // Node refused the options synchronously: report it like any handshake failure.
    raw.destroy();
    throw toSocketError(error, { code: "ETLS" });
  }

  const done = new Promise<tls.TLSSocket>((resolve, reject) => {
    const settle = (error: SocketError | null): void => {
      socket.off("secureConnect", onSecure);
      socket.off("error", onError);
      socket.off("close", onClose);
      if (error === null) return resolve(socket);
      destroyPair(socket, raw);
      reject(error);
    };
    const onSecure = (): void => {
      if (socket.authorized) return settle(null);
      const reason = socket.authorizationError;
      settle(toSocketError(reason ?? new Error("The server certificate was not verified"), { code: "ETLS" }));
    };
    const onError = (error: Error): void => settle(toSocketError(error, { code: "ETLS" }));
    const onClose = (): void => {
      const error = new Error(`The connection closed during the TLS handshake with "${verifyName}"`);
      settle(toSocketError(error, { code: "ETLS" }));
    };
    socket.once("secureConnect", onSecure);
    socket.once("error", onError);
    socket.once("close", onClose);
  });
  return { socket, done };
}
