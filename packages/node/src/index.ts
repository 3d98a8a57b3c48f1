/**
 * `@sockets/node`: the WinterTC Sockets API (`connect()`) and its server side
 * (`listen()`, `serve()`) for Node.js, over `node:net` and `node:tls`. The `Socket` itself
 * (streams, `opened`/`closed`, `close()`, `startTls()`) and the `Listener` are
 * `@sockets/core`'s, identical on every runtime; this package only supplies the Node
 * transport and listener (see `open-node-transport.ts`, `node-transport.ts` and
 * `open-node-listener.ts` for Node's quirks and how they are handled).
 *
 * @example
 * ```ts
 * import { connect } from "@sockets/node";
 *
 * const socket = connect("example.com:443", { secureTransport: "on", alpn: ["http/1.1"] });
 * const writer = socket.writable.getWriter();
 * await writer.write("HEAD / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n");
 * for await (const chunk of socket.readable) console.log(new TextDecoder().decode(chunk));
 * await socket.close();
 * ```
 *
 * @module
 */
import { createConnect, createListen, createServe, createUdp, type Connect, type Listen, type Serve, type Udp } from "@sockets/core";
import { openNodeDatagram } from "./open-node-datagram.js";
import { openNodeListener } from "./open-node-listener.js";
import { openNodeTransport } from "./open-node-transport.js";

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
export { SocketError } from "@sockets/core";
export { openNodeTransport } from "./open-node-transport.js";
export { openNodeListener } from "./open-node-listener.js";
export { openNodeDatagram } from "./open-node-datagram.js";
export type { Udp, UDPMessage, UDPMessageInit, UDPSocket, UDPSocketInfo, UDPSocketOptions, UDPSocketStats } from "@sockets/core";

/**
 * Opens a TCP connection (plain, TLS, or plain with a later `startTls()`) and returns the
 * spec's `Socket` at once; `socket.opened` resolves when it is connected (after a
 * verified TLS handshake for `secureTransport: "on"`). Bad arguments throw a
 * `SocketError` synchronously; connection failures reject `opened` and `closed` with one.
 *
 * @example
 * ```ts
 * import { connect } from "@sockets/node";
 *
 * const socket = connect({ hostname: "127.0.0.1", port: 5432 }, { secureTransport: "starttls" });
 * const { remoteAddress } = await socket.opened;
 * console.log(`connected to ${remoteAddress}`);
 * const secure = socket.startTls();
 * await secure.opened;
 * await secure.close();
 * ```
 */
export const connect: Connect = createConnect(openNodeTransport);

/**
 * @extension Listens for TCP connections on `address` (port 0: any free port): plain,
 * TLS (`secureTransport: "on"`, sockets handed out after a successful handshake) or plain
 * with server-side `startTls()` (`"starttls"`). Each accepted connection is the same
 * `Socket` `connect()` returns. Bad arguments throw a `SocketError` synchronously; a busy
 * port rejects `opened` and `closed` with `EADDRINUSE`.
 *
 * @example
 * ```ts
 * import { listen } from "@sockets/node";
 * const server = listen("127.0.0.1:0");
 * console.log("listening on", (await server.opened).localAddress);
 * for await (const socket of server) {
 *   void socket.readable.pipeTo(socket.writable); // echo
 * }
 * ```
 */
export const listen: Listen = createListen(openNodeListener);

/**
 * @extension Runs a Socket Worker's `connect(socket, env, ctx)` handler for every
 * connection, with workerd's rules (see `@sockets/core`'s `createServe`).
 *
 * @example
 * ```ts
 * import { serve } from "@sockets/node";
 * const server = serve({ async connect(socket) { await socket.readable.pipeTo(socket.writable); } }, { address: "127.0.0.1:0" });
 * console.log((await server.opened).localAddress);
 * await server.close();
 * ```
 */
export const serve: Serve = createServe(listen);

/**
 * A UDP socket (an extension: not in the WinterTC spec), in the WICG Direct Sockets
 * message shape: connected mode with `remoteAddress` + `remotePort`, bound mode with `localAddress` [+ `localPort`]. The
 * readable gives one `{ data, remoteAddress, remotePort }` per datagram; one write is one
 * datagram. Bad options throw a `SocketError` synchronously (see `@sockets/core`'s
 * README, "UDP: what core decides").
 *
 * @example
 * ```ts
 * import { udp } from "@sockets/node";
 * const socket = udp({ remoteAddress: "127.0.0.1", remotePort: 9999 });
 * const writer = socket.writable.getWriter();
 * await writer.write({ data: new TextEncoder().encode("hello world") });
 * await socket.close();
 * ```
 */
export const udp: Udp = createUdp(openNodeDatagram);

/**
 * Which runtime this build of `connect` is for (the same tag every `@sockets/*` runtime
 * package exports, so `@sockets/connect` users can tell which branch they got).
 *
 * @example
 * ```ts
 * import { runtime } from "@sockets/node";
 * console.log(runtime); // "node"
 * ```
 */
export const runtime = "node" as const;
