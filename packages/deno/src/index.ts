/**
 * `@sockets/deno`: the WinterTC Sockets API `connect()` for Deno, over `Deno.connect` and
 * `Deno.startTls` (never Deno's Node compatibility layer). Needs `--allow-net`.
 *
 * @example
 * ```ts
 * import { connect } from "@sockets/deno";
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
import { openDenoDatagram } from "./open-deno-datagram.js";
import { openDenoListener } from "./open-deno-listener.js";
import { openDenoTransport } from "./open-deno-transport.js";

export type { AnySocketAddress, Connect, SecureTransportKind, Socket, SocketAddress, SocketInfo, SocketOptions } from "@sockets/core";
export { SocketError, type SocketErrorCode, type SocketErrorOptions } from "@sockets/core";
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
export { openDenoTransport } from "./open-deno-transport.js";
export { openDenoListener } from "./open-deno-listener.js";
export { openDenoDatagram } from "./open-deno-datagram.js";
export type { Udp, UDPMessage, UDPMessageInit, UDPSocket, UDPSocketInfo, UDPSocketOptions, UDPSocketStats } from "@sockets/core";

/**
 * Opens a TCP connection (plain, TLS, or STARTTLS-capable) and returns the spec's `Socket`
 * at once; `opened` resolves when it is connected (after the TLS handshake for TLS).
 *
 * @example
 * ```ts
 * import { connect, SocketError } from "@sockets/deno";
 * const socket = connect({ hostname: "127.0.0.1", port: 6379 });
 * try {
 *   const info = await socket.opened;
 *   console.log("connected to", info.remoteAddress);
 * } catch (error) {
 *   if (error instanceof SocketError) console.error(error.code, error.message);
 * }
 * await socket.close();
 * ```
 */
export const connect: Connect = createConnect(openDenoTransport);

/**
 * @extension Listens for TCP connections (plain, TLS, or plain with server-side
 * `startTls()`, emulated on Deno through a loopback TLS listener); each accepted connection
 * is the same `Socket` `connect()` returns. Pull-driven: a connection is accepted only
 * when a reader asks. Needs `--allow-net` for the address (and 127.0.0.1 for STARTTLS).
 *
 * @example
 * ```ts
 * import { listen } from "@sockets/deno";
 * const server = listen("127.0.0.1:0");
 * console.log("listening on", (await server.opened).localAddress);
 * for await (const socket of server) void socket.readable.pipeTo(socket.writable);
 * ```
 */
export const listen: Listen = createListen(openDenoListener);

/**
 * @extension Runs a Socket Worker's `connect(socket, env, ctx)` handler for every
 * connection, with workerd's rules (see `@sockets/core`'s `createServe`).
 *
 * @example
 * ```ts
 * import { serve } from "@sockets/deno";
 * const server = serve({ async connect(socket) { await socket.readable.pipeTo(socket.writable); } }, { address: "127.0.0.1:0" });
 * console.log((await server.opened).localAddress);
 * await server.close();
 * ```
 */
export const serve: Serve = createServe(listen);

/**
 * A UDP socket (an extension: not in the WinterTC spec), in the WICG Direct Sockets
 * message shape, over `Deno.listenDatagram`, which needs `--unstable-net` (without it `udp()` throws a
 * `SocketError` naming the flag): connected mode with `remoteAddress` + `remotePort`,
 * bound mode with `localAddress` [+ `localPort`]. Datagrams are received only while a read
 * waits, into a buffer that never truncates.
 *
 * @example
 * ```ts
 * import { udp } from "@sockets/deno";
 * const socket = udp({ remoteAddress: "127.0.0.1", remotePort: 9999 });
 * const writer = socket.writable.getWriter();
 * await writer.write({ data: new TextEncoder().encode("hello world") });
 * await socket.close();
 * ```
 */
export const udp: Udp = createUdp(openDenoDatagram);

/**
 * Which runtime this `connect` is for (`@sockets/connect` re-exports it).
 *
 * @example
 * ```ts
 * import { runtime } from "@sockets/deno";
 * console.log(runtime); // "deno"
 * ```
 */
export const runtime = "deno" as const;
