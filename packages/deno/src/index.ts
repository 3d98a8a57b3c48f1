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
import { createConnect, type Connect } from "@sockets/core";
import { openDenoTransport } from "./open-deno-transport.js";

export type { AnySocketAddress, Connect, SecureTransportKind, Socket, SocketAddress, SocketInfo, SocketOptions } from "@sockets/core";
export { SocketError, type SocketErrorCode, type SocketErrorOptions } from "@sockets/core";
export { openDenoTransport } from "./open-deno-transport.js";

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
 * Which runtime this `connect` is for (`@sockets/connect` re-exports it).
 *
 * @example
 * ```ts
 * import { runtime } from "@sockets/deno";
 * console.log(runtime); // "deno"
 * ```
 */
export const runtime = "deno" as const;
