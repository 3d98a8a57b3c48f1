/**
 * `@sockets/bun`: the WinterTC Sockets API `connect()` for Bun, and `listen()`, over native
 * `Bun.connect`, `Bun.listen` and `socket.upgradeTLS`. The `Socket` itself (streams,
 * `opened`/`closed`, `startTls()`) is `@sockets/core`'s, identical on every runtime; this
 * package supplies the Bun transport (`open-bun-transport.ts` dials, `bun-transport.ts` is
 * the open connection, `open-bun-listener.ts` accepts; each header lists the Bun quirks
 * it works around).
 *
 * @example
 * ```ts
 * import { connect } from "@sockets/bun";
 * const socket = connect("example.com:443", { secureTransport: "on", alpn: ["http/1.1"] });
 * const writer = socket.writable.getWriter();
 * await writer.write("HEAD / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n");
 * const { value } = await socket.readable.getReader().read();
 * console.log(new TextDecoder().decode(value));
 * await socket.close();
 * ```
 *
 * @module
 */
import { createConnect, createListen, createServe, createUdp, type Connect, type Listen, type Serve, type Udp } from "@sockets/core";
import { openBunDatagram } from "./open-bun-datagram.js";
import { openBunListener } from "./open-bun-listener.js";
import { openBunTransport } from "./open-bun-transport.js";

export type {
  AnySocketAddress,
  Connect,
  SecureTransportKind,
  Socket,
  SocketAddress,
  SocketErrorCode,
  SocketErrorOptions,
  SocketInfo,
  SocketOptions,
} from "@sockets/core";
export { SocketError } from "@sockets/core";
export type {
  Listen,
  Listener,
  ListenerInfo,
  ListenerStats,
  ListenOptions,
  ListenTlsOptions,
  Serve,
  ServeOptions,
  Server,
  ServerStats,
  SocketApp,
  SocketContext,
} from "@sockets/core";
export { openBunTransport } from "./open-bun-transport.js";
export { openBunListener } from "./open-bun-listener.js";
export { openBunDatagram } from "./open-bun-datagram.js";
export type { Udp, UDPMessage, UDPMessageInit, UDPSocket, UDPSocketInfo, UDPSocketOptions, UDPSocketStats } from "@sockets/core";

/**
 * Opens a TCP connection (plain, TLS, or STARTTLS-ready) and returns the spec's `Socket`
 * at once; `opened` resolves when it is usable (after the TLS handshake for TLS).
 *
 * @example
 * ```ts
 * import { connect, SocketError } from "@sockets/bun";
 * const socket = connect({ hostname: "127.0.0.1", port: 5432 }, { secureTransport: "starttls" });
 * try {
 *   const info = await socket.opened;
 *   console.log("connected to", info.remoteAddress);
 * } catch (error) {
 *   if (error instanceof SocketError) console.log(error.code); // e.g. "ECONNREFUSED"
 * }
 * await socket.close();
 * ```
 */
export const connect: Connect = createConnect(openBunTransport);

/**
 * @extension Listens for TCP connections (plain, TLS, or plain with server-side
 * `startTls()`) over native `Bun.listen`; each accepted connection is the same `Socket`
 * `connect()` returns.
 *
 * @example
 * ```ts
 * import { listen } from "@sockets/bun";
 * const server = listen("127.0.0.1:0");
 * console.log("listening on", (await server.opened).localAddress);
 * for await (const socket of server) void socket.readable.pipeTo(socket.writable);
 * ```
 */
export const listen: Listen = createListen(openBunListener);

/**
 * @extension Runs a Socket Worker's `connect(socket, env, ctx)` handler for every
 * connection, with workerd's rules (see `@sockets/core`'s `createServe`).
 *
 * @example
 * ```ts
 * import { serve } from "@sockets/bun";
 * const server = serve({ async connect(socket) { await socket.readable.pipeTo(socket.writable); } }, { address: "127.0.0.1:0" });
 * console.log((await server.opened).localAddress);
 * await server.close();
 * ```
 */
export const serve: Serve = createServe(listen);

/**
 * A UDP socket (an extension: not in the WinterTC spec), in the WICG Direct Sockets
 * message shape, over `Bun.udpSocket`: connected mode with `remoteAddress` + `remotePort`, bound mode with `localAddress`
 * [+ `localPort`]. Hostnames are resolved for you (Bun sends to IP literals only).
 * `reuseAddress`, `ipv6Only`, `receiveBufferSize` and `sendBufferSize` are refused with a
 * `SocketError` `EINVAL` (Bun ignores them).
 *
 * @example
 * ```ts
 * import { udp } from "@sockets/bun";
 * const socket = udp({ remoteAddress: "127.0.0.1", remotePort: 9999 });
 * const writer = socket.writable.getWriter();
 * await writer.write({ data: new TextEncoder().encode("hello world") });
 * await socket.close();
 * ```
 */
export const udp: Udp = createUdp(openBunDatagram);

/**
 * Which runtime this build of `connect` is for.
 *
 * @example
 * ```ts
 * import { runtime } from "@sockets/bun";
 * console.log(runtime); // "bun"
 * ```
 */
export const runtime = "bun" as const;
