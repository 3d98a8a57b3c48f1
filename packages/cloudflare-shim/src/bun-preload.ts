/**
 * Bun entry: `bun --conditions=workerd --preload @sockets/cloudflare-shim/bun-preload app.js`.
 *
 * A runtime `Bun.plugin`. Bun reads `cloudflare:sockets` as namespace `cloudflare`, path
 * `sockets` (as esbuild does), so the `onResolve` that maps it to this package's `sockets`
 * module filters on that namespace; a filter on the whole string never matches (verified on
 * 1.4.5). It also covers the `import()` that pg-cloudflare's CommonJS build makes. Bare
 * package specifiers never reach a runtime plugin's `onResolve` (Bun resolves them itself),
 * so a package's build cannot be picked there.
 *
 * `--conditions=workerd` selects the drivers' Workers builds, except where a package puts
 * `bun` before `workerd` in its exports, as postgres 3.x does (`bun` → its node:net build).
 * Under that flag, this plugin serves postgres 3.x's Bun entry (`src/index.js`) as a
 * re-export of its Workers build (`cf/src/index.js`) through `onLoad`, which is called by
 * path. postgres 4.x has no `bun` condition (`workerd` selects `src/cf.js`, which imports
 * `src/index.js` itself), and no `cf/` directory: its `src/index.js` is served as it is.
 *
 * @example
 * ```ts
 * // bun --conditions=workerd --preload @sockets/cloudflare-shim/bun-preload app.mjs
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
import { plugin } from "bun";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CLOUDFLARE_SOCKETS, hasWorkerdCondition, socketsModuleUrl } from "./_specifier.js";
import { presentWorkersUserAgent } from "./_workers-user-agent.js";

const _SOCKETS_PATH = fileURLToPath(socketsModuleUrl());
const [_NAMESPACE = "", _PATH = ""] = CLOUDFLARE_SOCKETS.split(":");
/** postgres' ESM entry for `bun`/`import`; in 3.x its Workers build sits in `../cf/src/`. */
const _POSTGRES_BUN_ENTRY = /[\\/]node_modules[\\/]postgres[\\/]src[\\/]index\.js$/;

plugin({
  name: "@sockets/cloudflare-shim",
  setup(build) {
    build.onResolve({ namespace: _NAMESPACE, filter: new RegExp(`^${_PATH}$`) }, () => ({ path: _SOCKETS_PATH, namespace: "file" }));
    if (hasWorkerdCondition(process.execArgv)) {
      build.onLoad({ filter: _POSTGRES_BUN_ENTRY }, ({ path }) => ({
        contents: existsSync(new URL("../cf/src/index.js", pathToFileURL(path)))
          ? 'export * from "../cf/src/index.js";\nexport { default } from "../cf/src/index.js";\n'
          : readFileSync(path, "utf8"),
        loader: "js",
      }));
    }
  },
});
presentWorkersUserAgent();
