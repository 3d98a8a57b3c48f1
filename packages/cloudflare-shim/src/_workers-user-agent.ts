/**
 * Presents `navigator.userAgent === "Cloudflare-Workers"`, which is what workerd reports
 * and what wrangler `define`s when it bundles a Worker. Some drivers pick their Workers
 * code path by that string and have no option for it: `pg` uses `pg-cloudflare` (and so
 * `cloudflare:sockets`) only when it sees it (brianc/node-postgres `lib/stream.js`,
 * `isCloudflareRuntime()`). Node 20 has no `navigator`; Node 21+, Deno and Bun have one
 * whose `userAgent` is a prototype getter, shadowed here with an own property.
 *
 * @module
 */

/** The user agent workerd reports. */
export const WORKERS_USER_AGENT = "Cloudflare-Workers";

/**
 * Makes `navigator.userAgent` read `"Cloudflare-Workers"` for the rest of the process.
 *
 * @example
 * ```ts
 * import { presentWorkersUserAgent } from "./_workers-user-agent.js";
 * presentWorkersUserAgent();
 * navigator.userAgent; // "Cloudflare-Workers"
 * ```
 */
export function presentWorkersUserAgent(): void {
  const g = globalThis as { navigator?: object };
  const property = { value: WORKERS_USER_AGENT, configurable: true, enumerable: true, writable: false };
  if (typeof g.navigator === "object" && g.navigator !== null) {
    Object.defineProperty(g.navigator, "userAgent", property);
  } else {
    Object.defineProperty(globalThis, "navigator", {
      value: Object.defineProperty({}, "userAgent", property),
      configurable: true,
      enumerable: false,
      writable: true,
    });
  }
}
