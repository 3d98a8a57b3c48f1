/**
 * The `bun` branch of `@sockets/connect`: `@sockets/bun` (over `Bun.connect`/
 * `socket.upgradeTLS`), chosen before `node` because Bun also matches `node` and its
 * `node:net` emulation differs from Node's (see SPEC-NOTES, Bun pitfalls).
 *
 * @module
 */
export { connect, listen, serve, SocketError, udp } from "@sockets/bun";
export { adopt } from "./_adopt.js";

/**
 * This branch's tag (the shared declaration in `index.ts` documents it for every branch).
 *
 * @example
 * ```ts
 * import { runtime } from "@sockets/connect";
 * console.log(runtime); // "bun" on Bun
 * ```
 */
export const runtime = "bun" as const;
