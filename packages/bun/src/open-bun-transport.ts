/**
 * Dialling on Bun: native `Bun.connect` (plain, or TLS with its handshake), then the
 * socket is handed to a {@link BunTransport}.
 *
 * Bun quirks and choices:
 * - **No way to abort a connect in flight**: `Bun.connect` takes no `signal` and has no
 *   connect timeout, and the socket object only exists once the TCP connect succeeded (a
 *   connect to a SYN-dropping address stays pending until the OS gives up). So the abort
 *   is emulated: when core cancels (`request.cancel`), the open rejects at once with
 *   `EABORTED` (core's `attemptAborted`), a socket that already exists (TLS handshake
 *   running) is terminated, and one that connects later is terminated as soon as it
 *   arrives (`_bun-opening.ts`).
 * - `allowHalfOpen: true` always: Bun's `false` closes the socket by itself on the peer's
 *   FIN. The spec's `allowHalfOpen` policy is core's.
 * - One handler table for every socket (`_bun-socket.ts`): the dial passes its
 *   {@link BunOpening} as `data`, so a connection allocates no closures for handlers.
 * - TLS options (no SNI for IP literals, wire-format ALPN, added roots): `_tls-options.ts`.
 *
 * @module
 */
import { attemptAborted, type OpenTransport } from "@sockets/core";
import { BunOpening, CLIENT_HANDSHAKE } from "./_bun-opening.js";
import { bunHandlers } from "./_bun-socket.js";
import { bunTlsOptions } from "./_tls-options.js";
import { BunTransport } from "./bun-transport.js";

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
  if (cancel.cancelled) return Promise.reject(attemptAborted(cancel.reason));
  const peer = { hostname, port, tls: tls !== null };
  const opening = new BunOpening(tls === null ? null : CLIENT_HANDSHAKE, events, peer, cancel, BunTransport);
  try {
    Bun.connect({
      hostname,
      port,
      allowHalfOpen: true,
      ...(tls === null ? {} : { tls: bunTlsOptions(tls, hostname) }),
      data: opening,
      socket: bunHandlers,
    }).then(
      (socket) => opening.connected(socket),
      (error: unknown) => opening.giveUp(error),
    );
  } catch (error) {
    opening.giveUp(error);
  }
  return opening.promise;
};
