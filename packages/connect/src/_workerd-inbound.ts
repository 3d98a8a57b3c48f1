/**
 * `adopt()` on workerd: the socket a Socket Worker's `connect(socket, env, ctx)` handler
 * receives is the platform's own, with the same differences as an outbound
 * `cloudflare:sockets` socket (plain `Error`s, `close()` returning a new promise,
 * `SocketInfo` fields `undefined`) — so it goes through the same wrapper as
 * `@sockets/connect`'s outbound sockets (`_workerd-socket.ts`). What workerd's inbound
 * sockets cannot do (checked on workerd 2026-11-17):
 *
 * - `startTls()`: TLS is terminated by workerd (`tcp = (tlsOptions = …)` in the config),
 *   never by the handler; the wrapper throws a `SocketError` `EINVAL`.
 * - The socket dies when the handler's promise settles: the handler must await its work.
 * - `remoteAddress`/`localAddress` in `opened` only on newer workerd (present on
 *   2026-11-17); `null` where absent, never `undefined`.
 *
 * @module
 */
import type { CloudflareSocket } from "cloudflare:sockets";
import type { Socket } from "@sockets/core";
import { WorkerdSocket } from "./_workerd-socket.js";

/**
 * Wraps workerd's inbound socket so it behaves as on Node, Deno and Bun (idempotent).
 *
 * @example
 * ```ts
 * import { adopt } from "@sockets/connect";
 * export default {
 *   async connect(inbound: unknown) {
 *     const socket = adopt(inbound);
 *     const { remoteAddress } = await socket.opened; // "203.0.113.7:51234" or null
 *     await socket.readable.pipeTo(socket.writable);
 *   },
 * };
 * ```
 */
export function adopt(socket: unknown): Socket {
  if (socket instanceof WorkerdSocket) return socket;
  const native = socket as CloudflareSocket;
  return new WorkerdSocket(native, {
    secureTransport: native.secureTransport ?? "off",
    authority: "the inbound connection",
    sni: null,
    signal: undefined,
  });
}
