/**
 * `@sockets/bun`: the WinterTC Sockets API `connect()` for Bun, over native `Bun.connect`
 * and `socket.upgradeTLS`. The `Socket` itself (streams, `opened`/`closed`, `startTls()`)
 * is `@sockets/core`'s, identical on every runtime; this package supplies the Bun
 * transport (see `bun-transport.ts` for the Bun quirks it works around).
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
import { createConnect, type Connect } from "@sockets/core";
import { openBunTransport } from "./bun-transport.js";

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
export { openBunTransport } from "./bun-transport.js";

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
 * Which runtime this build of `connect` is for.
 *
 * @example
 * ```ts
 * import { runtime } from "@sockets/bun";
 * console.log(runtime); // "bun"
 * ```
 */
export const runtime = "bun" as const;
