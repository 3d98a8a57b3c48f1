/**
 * `createConnect`: turns a runtime's {@link OpenTransport} into the spec's `connect()`.
 * Validation happens here, synchronously, before anything is dialled.
 *
 * @module
 */
import { parseAddress } from "./address.js";
import { NO_CLIENT_TLS } from "./_no-tls.js";
import { resolveOptions } from "./options.js";
import { SocketImpl } from "./_socket.js";
import type { OpenTransport, TlsRequest } from "./transport.js";
import type { AnySocketAddress, Connect, Socket, SocketOptions } from "./types.js";

/**
 * Builds the spec's `connect()` over a runtime's transport. Each runtime package is
 * essentially `export const connect = createConnect(openMyTransport)`.
 *
 * @example
 * ```ts
 * import { createConnect, type OpenTransport } from "@sockets/core";
 * declare const openMyTransport: OpenTransport;
 * export const connect = createConnect(openMyTransport);
 * const socket = connect("127.0.0.1:5432", { secureTransport: "starttls" });
 * ```
 */
export function createConnect(open: OpenTransport): Connect {
  return function connect(address: AnySocketAddress, options?: SocketOptions): Socket {
    const parsed = parseAddress(address);
    const resolved = resolveOptions(options);
    // A plain socket never starts TLS: it keeps the shared, never-read request.
    const tls: TlsRequest =
      resolved.secureTransport === "off"
        ? NO_CLIENT_TLS
        : {
            verifyName: resolved.sni ?? parsed.hostname,
            serverName: resolved.sni ?? (parsed.isIpLiteral ? null : parsed.hostname),
            alpn: resolved.alpn,
            caCerts: resolved.caCerts,
          };
    const secure = resolved.secureTransport === "on";
    return new SocketImpl({
      options: resolved,
      secureTransport: resolved.secureTransport,
      tls,
      open: (events, cancel) =>
        open(
          {
            hostname: parsed.hostname,
            port: parsed.port,
            tls: secure ? tls : null,
            starttls: resolved.secureTransport === "starttls",
            cancel,
          },
          events,
        ),
    });
  };
}
