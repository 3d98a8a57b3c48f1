/**
 * The three command lines the README documents, one per runtime, for running code that
 * imports `cloudflare:sockets` with `@sockets/cloudflare-shim`. The integration run uses
 * exactly these (plus the script), so the README's lines are the tested ones.
 *
 * @module
 */
import { findRuntime } from "@sockets/conformance/runtimes";

/**
 * `argv` for running `script` under `runtime` (node, node@26, deno, bun) with the shim.
 * Binaries come from `findRuntime` (the machine's Node, a pinned Node line, the deno and bun
 * npm packages).
 *
 * @param {string} runtime
 * @param {string} cwd a directory whose package.json depends on @sockets/cloudflare-shim
 * @param {string} script
 */
export function shimCommand(runtime, cwd, script) {
  const binary = findRuntime(runtime, { from: [cwd] }).path;
  switch (binary && runtime.split("@")[0]) {
    case "node":
      return [binary, "--conditions=workerd", "--import", "@sockets/cloudflare-shim/node-register", script];
    case "deno":
      return [
        binary,
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--conditions=workerd",
        "--preload",
        "npm:@sockets/cloudflare-shim/deno-preload",
        script,
      ];
    case "bun":
      return [binary, "--conditions=workerd", "--preload", "@sockets/cloudflare-shim/bun-preload", script];
    default:
      throw new Error(`Unknown runtime "${runtime}": expected node, node@<major>, deno or bun`);
  }
}
