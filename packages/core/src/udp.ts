/**
 * `createUdp`: turns a runtime's {@link OpenDatagram} into `udp()`. Validation happens
 * here, synchronously, before anything is bound; so does the runtime's own check of the
 * options it cannot honour (its `open` is called inside `udp()`).
 *
 * @module
 */
import { UdpSocketImpl } from "./_udp-socket.js";
import type { OpenDatagram } from "./datagram-transport.js";
import { resolveUdpOptions } from "./udp-options.js";
import type { Udp, UDPSocket, UDPSocketOptions } from "./udp-types.js";

/**
 * Builds `udp()` over a runtime's datagram opener. Each runtime package is essentially
 * `export const udp = createUdp(openMyDatagram)`.
 *
 * @example
 * ```ts
 * import { createUdp, type OpenDatagram } from "@sockets/core";
 * declare const openMyDatagram: OpenDatagram;
 * export const udp = createUdp(openMyDatagram);
 * const server = udp({ localAddress: "127.0.0.1", localPort: 0 });
 * const { localPort } = await server.opened;
 * for await (const { data, remoteAddress, remotePort } of server) {
 *   const writer = server.writable.getWriter();
 *   await writer.write({ data, remoteAddress, remotePort }); // echo
 *   writer.releaseLock();
 * }
 * ```
 */
export function createUdp(open: OpenDatagram): Udp {
  return function udp(options: UDPSocketOptions): UDPSocket {
    return new UdpSocketImpl(open, resolveUdpOptions(options));
  };
}
