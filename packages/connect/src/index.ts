/**
 * `@sockets/connect`: one import of the WinterTC Sockets API `connect()` that picks the
 * right implementation for the runtime it runs on, through package export conditions
 * (`deno`, `bun`, `workerd`, `node`, then `default`).
 *
 * This file is the **one declaration** every branch shares (the `types` condition): it
 * refers to `@sockets/core` types only, so no consumer needs `@types/node`, `@types/bun`,
 * `@types/deno` or workers-types to use it. Its JavaScript output is not published; each
 * branch (`node.ts`, `deno.ts`, `bun.ts`, `workerd.ts`, `default.ts`) is, and a type test
 * (`test/surface.test.ts`) checks that every branch matches this declaration.
 *
 * @example
 * ```ts
 * import { connect, runtime, SocketError } from "@sockets/connect";
 *
 * const socket = connect("127.0.0.1:6379");
 * try {
 *   await socket.opened;
 *   console.log(`connected from ${runtime}`);
 * } catch (error) {
 *   if (error instanceof SocketError) console.log(error.code);
 * }
 * await socket.close();
 * ```
 *
 * @module
 */
import type { Connect, Listen, Serve, Socket, Udp } from "@sockets/core";

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
  Udp,
  UDPMessage,
  UDPMessageInit,
  UDPSocket,
  UDPSocketInfo,
  UDPSocketOptions,
  UDPSocketStats,
} from "@sockets/core";
export { SocketError } from "@sockets/core";

/**
 * The runtimes `@sockets/connect` has a branch for.
 *
 * @example
 * ```ts
 * import type { Runtime } from "@sockets/connect";
 * const supported: Runtime[] = ["node", "deno", "bun", "workerd"];
 * ```
 */
export type Runtime = "node" | "deno" | "bun" | "workerd";

/**
 * Opens a TCP connection (plain, TLS, or plain with a later `startTls()`) and returns the
 * spec's `Socket` at once; `opened` resolves once it is connected (after the TLS
 * handshake for `secureTransport: "on"`). Bad arguments throw a `SocketError`
 * synchronously; connection failures reject `opened` and `closed` with one `SocketError`.
 *
 * In an environment with no branch (a browser, an unknown runtime), calling it throws a
 * `SocketError` that names the environment found and the supported runtimes; importing
 * never throws.
 *
 * @example
 * ```ts
 * import { connect } from "@sockets/connect";
 *
 * const socket = connect({ hostname: "127.0.0.1", port: 5432 }, { secureTransport: "starttls" });
 * const writer = socket.writable.getWriter();
 * await writer.write(new Uint8Array([0, 0, 0, 8, 4, 210, 22, 47])); // Postgres SSLRequest
 * const reader = socket.readable.getReader();
 * const { value } = await reader.read();
 * reader.releaseLock();
 * writer.releaseLock();
 * if (value?.[0] === 0x53) {
 *   const secure = socket.startTls();
 *   await secure.opened;
 *   await secure.close();
 * } else {
 *   await socket.close();
 * }
 * ```
 */
export declare const connect: Connect;

/**
 * Which branch was selected: `"node"`, `"deno"`, `"bun"` or `"workerd"`, or
 * `"unsupported"` where there is none (then `connect()` throws when called).
 *
 * @example
 * ```ts
 * import { runtime } from "@sockets/connect";
 * if (runtime === "workerd") console.log("sockets come from cloudflare:sockets");
 * ```
 */
export declare const runtime: Runtime | "unsupported";

/**
 * @extension Listens for TCP connections (plain, TLS, or plain with server-side
 * `startTls()`); each accepted connection is the same `Socket` `connect()` returns. On
 * workerd it throws (inbound connections reach a Socket Worker's `connect` handler there).
 *
 * @example
 * ```ts
 * import { listen } from "@sockets/connect";
 * const server = listen("127.0.0.1:0");
 * console.log("listening on", (await server.opened).localAddress);
 * for await (const socket of server) void socket.readable.pipeTo(socket.writable); // echo
 * ```
 */
export declare const listen: Listen;

/**
 * @extension Runs a Socket Worker's `connect(socket, env, ctx)` handler for every accepted
 * connection, with workerd's rules (concurrent handlers; the socket lives as long as the
 * handler's promise; a throw closes that socket and is reported). On workerd it throws:
 * there the module's default export is the handler.
 *
 * @example
 * ```ts
 * import { serve } from "@sockets/connect";
 * const server = serve({ async connect(socket) { await socket.readable.pipeTo(socket.writable); } }, { address: "127.0.0.1:0" });
 * console.log((await server.opened).localAddress);
 * await server.close();
 * ```
 */
export declare const serve: Serve;

/**
 * @extension A UDP socket in the WICG Direct Sockets message shape: connected mode
 * (`remoteAddress` + `remotePort`) or bound mode (`localAddress`). Throws on workerd
 * (Workers have no UDP sockets there).
 *
 * @example
 * ```ts
 * import { udp } from "@sockets/connect";
 * const socket = udp({ remoteAddress: "127.0.0.1", remotePort: 9999 });
 * await socket.writable.getWriter().write({ data: new TextEncoder().encode("hello world") });
 * await socket.close();
 * ```
 */
export declare const udp: Udp;

/**
 * @extension The socket a `connect(socket, env, ctx)` handler received, normalised: on
 * workerd the platform's inbound socket goes through the same wrapper as outbound ones
 * (one `SocketError`, `close()` returning `closed`, `SocketInfo` fields `null`); on Node,
 * Deno and Bun (through `serve()`) it is returned as it is. One call makes a handler
 * behave the same everywhere.
 *
 * @example
 * ```ts
 * import { adopt } from "@sockets/connect";
 * export default {
 *   async connect(inbound: unknown) {
 *     const socket = adopt(inbound);
 *     await socket.readable.pipeTo(socket.writable);
 *   },
 * };
 * ```
 */
export declare function adopt(socket: unknown): Socket;
