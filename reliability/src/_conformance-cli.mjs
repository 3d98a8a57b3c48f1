/**
 * The conformance CLI's building blocks, reused rather than re-invented: runtime binaries
 * from node_modules (`findBinary`, the lockfile's versions, never PATH), child processes
 * in their own process group that are always stopped (`startChild`/`stopChild`), and the
 * same esbuild the CLI bundles runners with. The CLI modules are not part of the package's
 * public exports, so they are loaded from its built `dist/cli` by path.
 *
 * @module
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const CONFORMANCE_DIR = dirname(require.resolve("@sockets/conformance/package.json"));
const cli = (name) => import(pathToFileURL(join(CONFORMANCE_DIR, "dist", "cli", name)).href);

export const { findBinary } = await cli("binaries.js");
export const { startChild, stopChild, stopAllChildren, exited } = await cli("children.js");
export const { peerHosts } = await cli("start-runner.js");
/** esbuild, resolved from @sockets/conformance (the version the CLI uses). */
export const esbuild = await import(pathToFileURL(createRequire(join(CONFORMANCE_DIR, "package.json")).resolve("esbuild")).href);
