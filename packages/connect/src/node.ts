/**
 * The `node` branch of `@sockets/connect`: `@sockets/node` (over `node:net`/`node:tls`).
 * Nothing to adapt: the Socket is `@sockets/core`'s. Deno and Bun also match the `node`
 * condition, which is why `deno` and `bun` come before it in the exports map.
 *
 * @module
 */
export { connect, listen, serve, SocketError, udp } from "@sockets/node";
export { adopt } from "./_adopt.js";

/**
 * This branch's tag (the shared declaration in `index.ts` documents it for every branch).
 *
 * @example
 * ```ts
 * import { runtime } from "@sockets/connect";
 * console.log(runtime); // "node" on Node.js
 * ```
 */
export const runtime = "node" as const;
