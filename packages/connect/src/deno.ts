/**
 * The `deno` branch of `@sockets/connect`: `@sockets/deno` (over `Deno.connect`/
 * `Deno.startTls`). Selected under `deno run` both through `npm:@sockets/connect` and
 * through a `node_modules` install.
 *
 * @module
 */
export { connect, listen, serve, SocketError, udp } from "@sockets/deno";
export { adopt } from "./_adopt.js";

/**
 * This branch's tag (the shared declaration in `index.ts` documents it for every branch).
 *
 * @example
 * ```ts
 * import { runtime } from "@sockets/connect";
 * console.log(runtime); // "deno" on Deno
 * ```
 */
export const runtime = "deno" as const;
