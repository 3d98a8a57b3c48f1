/**
 * The conformance CLI's building blocks, reused rather than re-invented: runtime binaries
 * (`findRuntime`: the machine's Node, a pinned Node line, or the deno/bun npm packages at
 * the lockfile's versions, never PATH) and child processes in their own process group that
 * are always stopped (`startChild`/`stopChild`), from `@sockets/conformance/runtimes`; and
 * the same esbuild the CLI bundles runners with.
 *
 * @module
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

export { findRuntime, startChild, stopChild, stopAllChildren, exited } from "@sockets/conformance/runtimes";

const require = createRequire(import.meta.url);
const CONFORMANCE_DIR = dirname(require.resolve("@sockets/conformance/package.json"));
/** esbuild, resolved from @sockets/conformance (the version the CLI uses). */
export const esbuild = await import(pathToFileURL(createRequire(join(CONFORMANCE_DIR, "package.json")).resolve("esbuild")).href);
