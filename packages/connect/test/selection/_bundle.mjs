// esbuild, as bundlers for each platform use it: the workerd bundle with wrangler's
// conditions (workerd, worker, browser) and cloudflare:* left to the runtime; the browser
// bundle with the browser condition only. esbuild comes from this package if it ever
// lists it, else from @sockets/conformance (which depends on it) in the same workspace.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

async function _esbuild() {
  for (const from of [import.meta.url, new URL("../../../../conformance/package.json", import.meta.url).href]) {
    try {
      return await import(pathToFileURL(createRequire(from).resolve("esbuild")).href);
    } catch {
      // try the next place
    }
  }
  throw new Error("esbuild is not installed: it is a dependency of @sockets/conformance (run the workspace install)");
}

/** Bundles `entry` (resolving packages from `cwd`) to `outfile` for `platform`. */
export async function bundle({ entry, outfile, cwd, platform }) {
  const { build } = await _esbuild();
  const common = { entryPoints: [entry], absWorkingDir: cwd, outfile, bundle: true, logLevel: "silent", target: "es2022" };
  if (platform === "workerd") {
    await build({
      ...common,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      conditions: ["workerd", "worker", "browser"],
      external: ["cloudflare:*"],
    });
  } else {
    await build({ ...common, format: "iife", globalName: "__selection", platform: "browser", conditions: ["browser"] });
  }
}
