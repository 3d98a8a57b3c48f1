/**
 * Deno entry:
 * `deno run --conditions=workerd --preload npm:@sockets/cloudflare-shim/deno-preload app.js`.
 *
 * Deno resolves imports inside npm packages with Node's rules, so an import map
 * (`"imports": { "cloudflare:sockets": … }` in deno.json) does not reach the
 * `import("cloudflare:sockets")` that pg-cloudflare or postgres make from
 * `node_modules` (verified on 2.9.6: `ERR_UNSUPPORTED_ESM_URL_SCHEME`). Deno's `node:module`
 * has the synchronous `registerHooks` (Node 22.15's API; there is no `register`), and its
 * `resolve` hook does see those imports, so this preload maps the specifier with it.
 * Conditions cannot be changed from a hook in Deno (the hook's `conditions` are ignored),
 * and static imports are resolved before any preload runs: the Workers builds are selected
 * with `--conditions=workerd` (or `DENO_CONDITIONS=workerd`). `@sockets/connect` lists
 * `deno` before `workerd`, so it keeps its Deno branch under that flag.
 *
 * @example
 * ```ts
 * // deno run -A --conditions=workerd --preload npm:@sockets/cloudflare-shim/deno-preload app.mjs
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
import { CLOUDFLARE_SOCKETS, socketsModuleUrl } from "./_specifier.js";
import { presentWorkersUserAgent } from "./_workers-user-agent.js";

interface _SyncResolveOutput {
  url: string;
  format?: string;
  shortCircuit?: boolean;
}
type _SyncResolve = (
  specifier: string,
  context: unknown,
  nextResolve: (specifier: string, context?: unknown) => _SyncResolveOutput,
) => _SyncResolveOutput;

const registerHooks = (nodeModule as unknown as { registerHooks?: (hooks: { resolve: _SyncResolve }) => unknown }).registerHooks;
if (typeof registerHooks !== "function") {
  throw new Error(
    "@sockets/cloudflare-shim/deno-preload needs node:module registerHooks (Deno 2.x, Node 22.15+); on Node 20 use --import @sockets/cloudflare-shim/node-register",
  );
}
const socketsUrl = socketsModuleUrl();
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === CLOUDFLARE_SOCKETS) return { url: socketsUrl, format: "module", shortCircuit: true };
    return nextResolve(specifier, context);
  },
});
presentWorkersUserAgent();
