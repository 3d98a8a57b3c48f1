/**
 * Dialling on Node: `net.connect`, then (for `secureTransport: "on"`) a TLS handshake over
 * that TCP socket.
 *
 * Node quirks and choices:
 * - TLS is `tls.connect({ socket })` over our own `net.connect` rather than
 *   `tls.connect({ host, port })`: the same code path as `startTls()`, one place for
 *   addresses and `noDelay`, and the `net.Socket` under the TLS layer stays reachable, so
 *   `abort()` can send RST (`resetAndDestroy()` throws `ERR_INVALID_HANDLE_TYPE` on a
 *   `TLSSocket`). See `_handshake.ts` for SNI, verification and trust.
 * - `allowHalfOpen: true` always: Node's `false` ends our side by itself on the peer's
 *   FIN. The spec's `allowHalfOpen` policy is core's.
 * - `noDelay: true`: request/response protocols are the main users (DESIGN.md).
 * - IPv6 literals come from core without brackets; Node's resolver wants them bare (a
 *   bracketed host fails with `ENOTFOUND`).
 * - **Cancellation** (`request.cancel`: the socket was closed, its `signal` fired) covers
 *   the whole open (TCP connect and TLS handshake): the sockets are destroyed (which
 *   cancels the native connect, as Node's own `signal` option does) and `open` rejects
 *   with an `AbortError` (`code: "ABORT_ERR"`, core's reason as `cause`). Node's `signal`
 *   option is not used: it would need an `AbortSignal` per connection and stay attached
 *   for the socket's whole life, while core owns what an abort means once it is open.
 * - A reset right after accept surfaces as `'error'` `ECONNRESET` and `'close'` without
 *   any `'connect'`: `open` rejects with that error. A `'close'` with no error and no
 *   `'connect'` rejects with `ECONNRESET` too.
 *
 * @module
 */
import * as net from "node:net";
import type * as tls from "node:tls";
import type { OpenRequest, Transport, TransportEvents } from "@sockets/core";
import { _destroyPair, _startHandshake, type _Handshake } from "./_handshake.js";
import { NodeTransport, _userBufferReader } from "./node-transport.js";

function _abortError(reason: unknown): Error {
  return Object.assign(new Error("The connection attempt was aborted", { cause: reason }), {
    name: "AbortError",
    code: "ABORT_ERR",
  });
}

/**
 * The Node `OpenTransport`: dials `request` and resolves with a {@link NodeTransport}
 * once the TCP connection (and, for TLS, a verified handshake) is up.
 *
 * @example
 * ```ts
 * import { createConnect } from "@sockets/core";
 * import { openNodeTransport } from "./open-node-transport.js";
 * const connect = createConnect(openNodeTransport);
 * const socket = connect("127.0.0.1:7");
 * ```
 */
export function openNodeTransport(request: OpenRequest, events: TransportEvents): Promise<Transport> {
  const { cancel, tls: tlsRequest } = request;
  if (cancel.cancelled) return Promise.reject(_abortError(cancel.reason));
  return new Promise<Transport>((resolve, reject) => {
    // Plain TCP reads go through one shared buffer (see `_userBufferReader`); TLS (now or
    // after startTls) reads through the TLS socket's 'data' events.
    const reader = tlsRequest === null && !request.starttls ? _userBufferReader() : null;
    const raw = net.connect({
      host: request.hostname,
      port: request.port,
      allowHalfOpen: true,
      noDelay: true,
      ...(reader === null ? {} : { onread: reader.onread }),
    });
    let secure: tls.TLSSocket | null = null;
    let settled = false;

    const cleanup = (): void => {
      settled = true;
      cancel.onCancel = null;
      raw.off("connect", onConnect);
      raw.off("error", onError);
      raw.off("close", onClose);
    };
    const fail = (error: unknown): void => {
      if (settled) return;
      cleanup();
      _destroyPair(secure ?? raw, raw);
      reject(error);
    };
    const onCancel = (reason: unknown): void => fail(_abortError(reason));
    const onError = (error: Error): void => fail(error);
    const onClose = (): void =>
      fail(Object.assign(new Error("The connection closed while connecting"), { code: "ECONNRESET" }));
    const onConnect = (): void => {
      if (tlsRequest === null) {
        cleanup();
        resolve(new NodeTransport(raw, raw, events, reader));
        return;
      }
      // From here on the TLS socket owns the handle; errors arrive through the handshake.
      raw.off("error", onError);
      raw.off("close", onClose);
      let handshake: _Handshake;
      try {
        handshake = _startHandshake(raw, tlsRequest);
      } catch (error) {
        fail(error);
        return;
      }
      secure = handshake.socket;
      handshake.done.then((socket) => {
        if (settled) return;
        cleanup();
        resolve(new NodeTransport(socket, raw, events));
      }, fail);
    };

    cancel.onCancel = onCancel;
    raw.once("connect", onConnect);
    raw.on("error", onError);
    raw.once("close", onClose);
  });
}
