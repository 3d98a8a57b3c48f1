/**
 * `openBunTransport`: dials with native `Bun.connect` and hands back a {@link Transport}.
 *
 * Bun has **no way to abort a connect in flight**: `Bun.connect` takes no `signal` and has
 * no connect timeout, and the socket object only exists once the TCP connect succeeded
 * (a connect to a SYN-dropping address stays pending until the OS gives up). So the abort
 * is emulated: when core cancels (`request.cancel`), the open rejects at once with
 * `EABORTED`, a socket that already exists (TLS handshake running) is terminated, and one
 * that connects later is terminated as soon as it arrives. `Bun.connect` is dialled with
 * `allowHalfOpen: true`: the spec's `allowHalfOpen` policy is core's, not Bun's. Bun's
 * quirks once connected are handled in `_bun-transport.ts`.
 *
 * @module
 */
import { SocketError, type OpenTransport } from "@sockets/core";
import { _BunTransport } from "./_bun-transport.js";
import { _bunTlsOptions } from "./_tls-options.js";

/**
 * Dials with `Bun.connect` and resolves with a {@link Transport} once the connection is
 * usable (after a verified handshake for TLS). Used through `connect()`; exported for
 * code that builds its own `connect` with `createConnect`.
 *
 * @example
 * ```ts
 * import { createConnect } from "@sockets/core";
 * import { openBunTransport } from "@sockets/bun";
 * const connect = createConnect(openBunTransport);
 * const socket = connect("127.0.0.1:7");
 * await socket.opened;
 * await socket.close();
 * ```
 */
export const openBunTransport: OpenTransport = (request, events) => {
  const { hostname, port, tls, cancel } = request;
  if (cancel.cancelled) {
    return Promise.reject(new SocketError("The connection attempt was aborted", { code: "EABORTED", cause: cancel.reason }));
  }
  const transport = new _BunTransport(events, hostname, port, tls !== null);
  try {
    Bun.connect({
      hostname,
      port,
      allowHalfOpen: true,
      ...(tls === null ? {} : { tls: _bunTlsOptions(tls, hostname) }),
      data: transport,
      socket: _BunTransport.handlers,
    }).then(
      (socket) => transport.connected(socket),
      (error: unknown) => transport.giveUp(error),
    );
  } catch (error) {
    transport.giveUp(error);
  }
  transport.cancelWith(cancel);
  return transport.opening;
};
