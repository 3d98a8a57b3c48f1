/**
 * `adopt()` on Node, Deno and Bun: sockets handed to a `connect` handler by `serve()` are
 * already `@sockets/core` sockets, so there is nothing to normalise. It exists so one
 * handler module can call `adopt(socket)` and run unchanged on workerd too, where the
 * platform's inbound socket needs the wrapper (`_workerd-inbound.ts`).
 *
 * @module
 */
import type { Socket } from "@sockets/core";

/**
 * Returns `socket` as it is (it is already normalised here).
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
export function adopt(socket: unknown): Socket {
  return socket as Socket;
}
