/**
 * The three command lines the README documents, one per runtime, for running code that
 * imports `cloudflare:sockets` with `@sockets/cloudflare-shim`. The integration run uses
 * exactly these (plus the script), so the README's lines are the tested ones.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** `node_modules/.bin/<name>` in `from` or the nearest ancestor that has it. */
export function findBin(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", ".bin", name);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} was not found in node_modules/.bin above ${from}; run pnpm install`);
  }
}

/**
 * `argv` for running `script` under each runtime with the shim.
 *
 * @param {string} cwd a directory whose package.json depends on @sockets/cloudflare-shim
 * @param {string} script
 */
export function shimCommands(cwd, script) {
  return {
    node: [process.execPath, "--conditions=workerd", "--import", "@sockets/cloudflare-shim/node-register", script],
    deno: [findBin("deno", cwd), "run", "--allow-net", "--allow-env", "--allow-read", "--conditions=workerd", "--preload", "npm:@sockets/cloudflare-shim/deno-preload", script],
    bun: [findBin("bun", cwd), "--conditions=workerd", "--preload", "@sockets/cloudflare-shim/bun-preload", script],
  };
}
