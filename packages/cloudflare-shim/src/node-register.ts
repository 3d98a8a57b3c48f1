/**
 * Node entry: `node --conditions=workerd --import @sockets/cloudflare-shim/node-register app.js`.
 *
 * Registers `_node-hooks.js` with `module.register` (Node 20.6+), so `cloudflare:sockets`
 * resolves to `@sockets/connect`, and presents workerd's `navigator.userAgent` for drivers
 * that pick their Workers path by it (pg). `--conditions=workerd` is what selects the
 * drivers' Workers builds (postgres' `cf/`, pg-cloudflare's real module), as wrangler and
 * pg-cloudflare's README do for bundlers; it is a flag because Node 20's hooks do not see
 * `require()`, and pg `require()`s pg-cloudflare.
 *
 * @example
 * ```ts
 * // node --conditions=workerd --import @sockets/cloudflare-shim/node-register app.mjs
 * // app.mjs is the Worker's code, unchanged. Drivers (postgres' Workers build, pg through
 * // pg-cloudflare) import `connect` from "cloudflare:sockets" just as this does:
 * import { connect } from "cloudflare:sockets";
 * const socket = connect("db.internal:5432", { secureTransport: "starttls" });
 * await socket.opened;
 * const tls = socket.startTls(); // after the protocol's own STARTTLS exchange
 * await tls.close();
 * ```
 *
 * @module
 */
import { register } from "node:module";
import { presentWorkersUserAgent } from "./_workers-user-agent.js";

register("./_node-hooks.js", import.meta.url);
presentWorkersUserAgent();
