/**
 * `createListen`: turns a runtime's {@link OpenListener} into `listen()`. Validation happens
 * here, synchronously, before anything is bound.
 *
 * @module
 */
import { ListenerImpl } from "./_listener.js";
import { parseAddress } from "./address.js";
import { resolveListenOptions } from "./listen-options.js";
import type { OpenListener } from "./listener-transport.js";
import type { Listen, Listener, ListenOptions } from "./listener-types.js";
import type { AnySocketAddress } from "./types.js";

/**
 * Builds `listen()` over a runtime's listener. Each runtime package is essentially
 * `export const listen = createListen(openMyListener)`.
 *
 * @example
 * ```ts
 * import { createListen, type OpenListener } from "@sockets/core";
 * declare const openMyListener: OpenListener;
 * export const listen = createListen(openMyListener);
 * const server = listen("127.0.0.1:0");
 * console.log((await server.opened).localAddress);
 * await server.close();
 * ```
 */
export function createListen(open: OpenListener): Listen {
  return function listen(address: AnySocketAddress, options?: ListenOptions): Listener {
    const parsed = parseAddress(address, { anyPort: true });
    const resolved = resolveListenOptions(options);
    return new ListenerImpl(
      open,
      {
        hostname: parsed.hostname,
        port: parsed.port,
        tls: resolved.secureTransport === "on" ? resolved.tls : null,
        starttls: resolved.secureTransport === "starttls" ? resolved.tls : null,
        allowHalfOpen: resolved.allowHalfOpen,
        backlog: resolved.backlog,
        ipv6Only: resolved.ipv6Only,
        reusePort: resolved.reusePort,
      },
      resolved,
    );
  };
}
