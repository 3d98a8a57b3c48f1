/**
 * The module `cloudflare:sockets` resolves to under this package's Node hooks, Bun plugin
 * and Deno preload. workerd's built-in module exports `connect` (and nothing else that
 * drivers use), so this one does too: `@sockets/connect`'s, which picks the runtime's
 * transport by export condition. Importing it directly is fine as well.
 *
 * @module
 */
export { connect } from "@sockets/connect";
