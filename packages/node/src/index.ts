/**
 * `@sockets/node`: the WinterTC Sockets API (`connect()`) for Node.js, over `node:net`
 * and `node:tls`. The `Socket` itself (streams, `opened`/`closed`, `close()`,
 * `startTls()`) is `@sockets/core`'s, identical on every runtime; this package only
 * supplies the Node transport (see `open-node-transport.ts` and `node-transport.ts` for
 * Node's quirks and how they are handled).
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
import { createConnect, type Connect } from "@sockets/core";
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
export { SocketError } from "@sockets/core";

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
