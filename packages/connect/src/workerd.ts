/**
 * The `workerd` branch of `@sockets/connect`: the platform's own `cloudflare:sockets`,
 * behind a thin wrapper that makes it behave like the other branches where JavaScript
 * can (see `_workerd-connect.ts`).
 *
 * @module
 */
export { connect } from "./_workerd-connect.js";
export { adopt } from "./_workerd-inbound.js";
export { listen, serve, udp } from "./_workerd-unavailable.js";
export { SocketError } from "@sockets/core";

/**
 * This branch's tag (the shared declaration in `index.ts` documents it for every branch).
 *
 * @example
 * ```ts
 * import { runtime } from "@sockets/connect";
 * console.log(runtime); // "workerd" on workerd
 * ```
 */
export const runtime = "workerd" as const;
