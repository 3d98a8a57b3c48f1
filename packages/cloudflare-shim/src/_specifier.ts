/**
 * The one specifier this package maps, and where it goes. Each runtime entry imports these
 * so the mapping is written once.
 *
 * @module
 */

/** The module Workers-targeted drivers import `connect` from. */
export const CLOUDFLARE_SOCKETS = "cloudflare:sockets";

/**
 * The file URL of this package's `sockets` module (`connect` from `@sockets/connect`).
 *
 * @example
 * ```ts
 * import { socketsModuleUrl } from "./_specifier.js";
 * socketsModuleUrl(); // "file:///…/@sockets/cloudflare-shim/dist/sockets.js"
 * ```
 */
export function socketsModuleUrl(): string {
  return new URL("./sockets.js", import.meta.url).href;
}

/**
 * Whether the runtime was started with the `workerd` export condition
 * (`--conditions=workerd`, `--conditions workerd` or `-C workerd`).
 *
 * @example
 * ```ts
 * import { hasWorkerdCondition } from "./_specifier.js";
 * hasWorkerdCondition(["--conditions=workerd"]); // true
 * ```
 */
export function hasWorkerdCondition(execArgv: readonly string[]): boolean {
  return execArgv.some((arg, i) => {
    if (arg === "--conditions=workerd" || arg === "-C=workerd" || arg === "-Cworkerd") return true;
    return (arg === "--conditions" || arg === "-C") && execArgv[i + 1] === "workerd";
  });
}
