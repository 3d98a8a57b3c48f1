/**
 * Node entry: `node --conditions=workerd --import @sockets/cloudflare-shim/node-register app.js`.
 *
 * Registers `_node-hooks.js`'s resolve hook, so `cloudflare:sockets` resolves to
 * `@sockets/connect`, and presents workerd's `navigator.userAgent` for drivers that pick
 * their Workers path by it (pg). Where Node has `module.registerHooks()` (22.15+, 24, 26)
 * the hook runs in-thread through it; `module.register()` (a loader thread) is only the
 * fallback for older lines (Node 20): Node 26 deprecates it at runtime and prints
 * `[DEP0205] DeprecationWarning` in every user's terminal. `--conditions=workerd` is what selects the
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
import * as nodeModule from "node:module";
import { resolve } from "./_node-hooks.js";
import { presentWorkersUserAgent } from "./_workers-user-agent.js";

/** `module.registerHooks` (Node 22.15+), absent from Node 20's types and runtime. */
type _RegisterHooks = (hooks: { resolve: typeof resolve }) => unknown;
const registerHooks = (nodeModule as { registerHooks?: _RegisterHooks }).registerHooks;

if (typeof registerHooks === "function") registerHooks({ resolve });
else nodeModule.register("./_node-hooks.js", import.meta.url);
presentWorkersUserAgent();
