/**
 * Node module customization hooks, installed by `node-register`: in-thread with
 * `module.registerHooks()` where Node has it (22.15+), else on Node's loader thread with
 * `module.register()` (Node 20). The one hook works with both: it only forwards to
 * `nextResolve`, which is synchronous under `registerHooks` and may return a promise
 * under `register`.
 *
 * - `cloudflare:sockets` resolves to this package's `sockets` module. Node has no such
 *   builtin and its default resolver rejects the `cloudflare:` scheme
 *   (`ERR_UNSUPPORTED_ESM_URL_SCHEME`); a hook sees every `import`/`import()`, also those
 *   made inside `node_modules` and the dynamic `import()` a CommonJS file (pg-cloudflare's)
 *   makes.
 * - `@sockets/*` resolve without the `workerd` condition. Drivers' Workers builds are
 *   selected with `--conditions=workerd`, but `@sockets/connect` has a `workerd` branch
 *   too (built on `cloudflare:sockets`): taking it here would import ourselves in a cycle.
 *
 * Node 20's hooks do not see `require()` (`registerHooks` ones do); neither of these mappings
 * needs them to.
 *
 * @module
 */
import type { ResolveFnOutput, ResolveHookContext } from "node:module";
import { CLOUDFLARE_SOCKETS, socketsModuleUrl } from "./_specifier.js";

type _NextResolve = (specifier: string, context?: Partial<ResolveHookContext>) => ResolveFnOutput | Promise<ResolveFnOutput>;

const _SOCKETS_URL = socketsModuleUrl();

/**
 * The `resolve` hook: `cloudflare:sockets` → `@sockets/cloudflare-shim/sockets`.
 *
 * @example
 * ```ts
 * // node --import @sockets/cloudflare-shim/node-register app.mjs (registers this hook); then:
 * const { connect } = await import("cloudflare:sockets"); // @sockets/cloudflare-shim/sockets
 * ```
 */
export function resolve(
  specifier: string,
  context: ResolveHookContext,
  nextResolve: _NextResolve,
): ResolveFnOutput | Promise<ResolveFnOutput> {
  if (specifier === CLOUDFLARE_SOCKETS) return { url: _SOCKETS_URL, format: "module", shortCircuit: true };
  if (specifier.startsWith("@sockets/") && context.conditions.includes("workerd")) {
    return nextResolve(specifier, { ...context, conditions: context.conditions.filter((c) => c !== "workerd") });
  }
  return nextResolve(specifier, context);
}
