/**
 * Names the environment the `default` branch finds itself in, for its error message. The
 * `default` branch is chosen when no export condition matched: a browser bundle, an
 * unknown runtime, or one of ours reached through a bundle built for another platform.
 * Only feature checks on `globalThis`; nothing here may throw.
 *
 * @module
 */

interface _Globals {
  Deno?: { version?: { deno?: string } };
  Bun?: { version?: string };
  process?: { versions?: { node?: string } };
  navigator?: { userAgent?: string };
  window?: unknown;
  document?: unknown;
  WorkerGlobalScope?: unknown;
  EdgeRuntime?: unknown;
}

/**
 * What was found: a phrase for the message, and the branch that would have served it
 * had the module been resolved with that runtime's export condition.
 *
 * @example
 * ```ts
 * import { detectEnvironment, type Environment } from "./_environment.js";
 * const found: Environment = detectEnvironment();
 * console.log(found.description);
 * ```
 */
export interface Environment {
  readonly description: string;
  readonly supported: "node" | "deno" | "bun" | "workerd" | null;
}

/**
 * Looks at `globals` (default `globalThis`) and describes the environment.
 *
 * @example
 * ```ts
 * import { detectEnvironment } from "./_environment.js";
 * detectEnvironment().description; // e.g. 'a browser (Mozilla/5.0 …)'
 * ```
 */
export function detectEnvironment(globals: object = globalThis): Environment {
  const g = globals as _Globals;
  const agent = typeof g.navigator?.userAgent === "string" ? g.navigator.userAgent : "";
  if (typeof g.Deno?.version?.deno === "string") return { description: `Deno ${g.Deno.version.deno}`, supported: "deno" };
  if (typeof g.Bun?.version === "string") return { description: `Bun ${g.Bun.version}`, supported: "bun" };
  if (typeof g.process?.versions?.node === "string") return { description: `Node.js ${g.process.versions.node}`, supported: "node" };
  if (agent === "Cloudflare-Workers") return { description: "workerd (Cloudflare Workers)", supported: "workerd" };
  if (g.EdgeRuntime !== undefined) return { description: `an edge runtime (EdgeRuntime ${String(g.EdgeRuntime)})`, supported: null };
  if (g.window !== undefined && g.document !== undefined) return { description: `a browser${_quoted(agent)}`, supported: null };
  if (g.WorkerGlobalScope !== undefined) return { description: `a browser worker${_quoted(agent)}`, supported: null };
  return { description: `an unknown runtime${_quoted(agent)}`, supported: null };
}

function _quoted(agent: string): string {
  if (agent === "") return "";
  return ` (user agent "${agent.length > 80 ? agent.slice(0, 77) + "..." : agent}")`;
}
