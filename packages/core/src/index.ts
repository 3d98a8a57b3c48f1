/**
 * `@sockets/core`: the WinterTC Sockets API types, `SocketError`, address and option
 * validation, and the one runtime-neutral `Socket` implementation over a small
 * {@link Transport} interface. No runtime APIs are used here.
 *
 * Application code imports `connect` from `@sockets/connect` (or a runtime package);
 * this package is for runtime packages and for code that only needs the types.
 *
 * @example
 * ```ts
 * import { SocketError, type Socket, type SocketOptions } from "@sockets/core";
 * function isRefused(error: unknown): boolean {
 *   return error instanceof SocketError && error.code === "ECONNREFUSED";
 * }
 * ```
 *
 * @module
 */
export type { AnySocketAddress, Connect, SecureTransportKind, Socket, SocketAddress, SocketInfo, SocketOptions } from "./types.js";
export { SocketError, type SocketErrorCode, type SocketErrorOptions } from "./socket-error.js";
export { codeOf, toSocketError } from "./normalize-error.js";
export { describe, parseAddress, type ParsedAddress } from "./address.js";
export { resolveOptions, type ResolvedOptions } from "./options.js";
export type { OpenRequest, OpenTransport, TlsRequest, Transport, TransportEvents } from "./transport.js";
export { createConnect } from "./connect.js";
export { Cancellation } from "./cancellation.js";
export { assertCanStartTls } from "./start-tls-guard.js";
export { attemptAborted, signalAborted } from "./normalize-error.js";
export { formatAddress } from "./format-address.js";
export { deferred } from "./deferred.js";
export { createListen } from "./listen.js";
export { createServe, type Serve, type ServeOptions, type Server, type ServerStats, type SocketApp, type SocketContext } from "./serve.js";
export { resolveListenOptions, type ResolvedListenOptions } from "./listen-options.js";
export type { Listen, Listener, ListenerInfo, ListenerStats, ListenOptions, ListenTlsOptions } from "./listener-types.js";
export {
  isServerTls,
  type AcceptedConnection,
  type ListenerEvents,
  type ListenerTransport,
  type ListenRequest,
  type OpenListener,
  type ServerTlsRequest,
} from "./listener-transport.js";
export type { DatagramEvents, DatagramRequest, DatagramTransport, OpenDatagram } from "./datagram-transport.js";
export type { Udp, UDPMessage, UDPMessageInit, UDPSocket, UDPSocketInfo, UDPSocketOptions, UDPSocketStats } from "./udp-types.js";
export { createUdp } from "./udp.js";
export { isIpLiteral, resolveUdpOptions, udpHost, type ResolvedUdpOptions } from "./udp-options.js";
export { canonicalIpv6, parseIpv6 } from "./ip-literals.js";
