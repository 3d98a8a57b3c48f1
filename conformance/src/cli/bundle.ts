/**
 * Bundles one self-contained runner module with esbuild: the target's runner entry, the
 * cases, the run configuration, and the implementation under test, resolved with the
 * target's export conditions (so `@sockets/connect` picks its deno/bun/workerd/node
 * branch). Platform modules (`node:*`, `bun`, `cloudflare:*`) stay external.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type BuildOptions, type Plugin } from "esbuild";
import type { RunnerConfig } from "../runners/protocol.js";
import type { Column } from "./columns.js";

const IMPL = "sockets-conformance:impl";
const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));

interface _Recipe {
  entry: string;
  run: string;
  options: BuildOptions;
}

const EXTERNAL = ["node:*", "bun", "bun:*", "cloudflare:*", "workerd:*", "npm:*", "jsr:*"];

function _recipe(column: Column, conditions: readonly string[]): _Recipe {
  const neutral: BuildOptions = { platform: "neutral", mainFields: ["module", "main"] };
  switch (column.target) {
    case "node":
      return { entry: "node.js", run: "runInProcess", options: { platform: "node", conditions: ["node"] } };
    case "bun":
      return { entry: "bun.js", run: "runOnBun", options: { platform: "node", conditions: ["bun"] } };
    case "deno":
      return { entry: "deno.js", run: "runOnDeno", options: { ...neutral, conditions: ["deno"] } };
    case "workerd":
      return { entry: "workerd.js", run: "createWorker", options: { ...neutral, conditions: ["workerd", "worker"] } };
    case "exec":
      return { entry: "exec.js", run: "runAnywhere", options: { ...neutral, conditions: [...conditions] } };
  }
}

/**
 * Thrown when the implementation under test cannot be found or bundled.
 *
 * @example
 * ```ts
 * import { BundleError } from "./bundle.js";
 * try { await bundleRunner(column, config, "/tmp/r.mjs", []); } catch (e) { if (e instanceof BundleError) console.error(e.message); }
 * ```
 */
export class BundleError extends Error {
  override name = "BundleError";
}

/**
 * Writes the runner bundle for `column` to `outFile`.
 *
 * @example
 * ```ts
 * import { bundleRunner } from "./bundle.js";
 * await bundleRunner(column, config, "/tmp/sockets-conformance/node.mjs", ["node"]);
 * ```
 */
export async function bundleRunner(column: Column, config: RunnerConfig, outFile: string, conditions: readonly string[]): Promise<void> {
  const recipe = _recipe(column, conditions);
  const runner = pathToFileURL(fileURLToPath(new URL(`../runners/${recipe.entry}`, import.meta.url))).href;
  const cases = pathToFileURL(fileURLToPath(new URL("../cases/index.js", import.meta.url))).href;
  const spec = JSON.stringify(column.module);
  const contents = [
    `import * as impl from ${JSON.stringify(IMPL)};`,
    `import { cases } from ${JSON.stringify(fileURLToPath(cases))};`,
    `import { ${recipe.run} as run } from ${JSON.stringify(fileURLToPath(runner))};`,
    `const pick = (name) => { const f = impl[name] ?? impl.default?.[name]; return typeof f === "function" ? f : undefined; };`,
    `const connect = pick("connect");`,
    `if (connect === undefined) throw new TypeError(${JSON.stringify(`The module under test ${spec} exports no connect function`)});`,
    `const config = ${JSON.stringify(config)};`,
    // listen() and udp() are optional: without them the server and udp cases are skipped.
    `const implementation = { connect, listen: pick("listen"), udp: pick("udp"), serve: pick("serve"), adopt: pick("adopt") };`,
    column.target === "workerd" ? `export default run(implementation, cases, config);` : `run(implementation, cases, config);`,
  ].join("\n");
  const options: BuildOptions = {
    ...recipe.options,
    stdin: { contents, resolveDir: PACKAGE_DIR, sourcefile: `sockets-conformance-${column.target}.js`, loader: "js" },
    bundle: true,
    format: "esm",
    target: "es2022",
    outfile: outFile,
    external: EXTERNAL,
    logLevel: "silent",
    legalComments: "none",
    plugins: [_implementation(column)],
  };
  try {
    await build(options);
    // CommonJS inside an ES module bundle needs a real `require` (esbuild's shim throws).
    if ((await readFile(outFile, "utf8")).includes("Dynamic require of")) {
      await build({
        ...options,
        banner: {
          js: `import { createRequire as __scCreateRequire } from "node:module";\nconst require = __scCreateRequire(import.meta.url);`,
        },
      });
    }
  } catch (error) {
    if (error instanceof BundleError) throw error;
    const messages = (error as { errors?: { text: string }[] }).errors?.map((e) => e.text) ?? [String(error)];
    throw new BundleError(`Cannot bundle the runner for column "${column.name}": ${messages.join("; ")}`);
  }
}

/** Resolves the module under test from the current directory first, then from this package. */
function _implementation(column: Column): Plugin {
  return {
    name: "sockets-conformance-impl",
    setup(b) {
      b.onResolve({ filter: /^sockets-conformance:impl$/ }, async () => {
        if (/^(cloudflare|node|bun|workerd):/.test(column.module) || column.module === "bun")
          return { path: column.module, external: true };
        const failures: string[] = [];
        for (const resolveDir of [process.cwd(), PACKAGE_DIR]) {
          const result = await b.resolve(column.module, { kind: "import-statement", resolveDir });
          if (result.errors.length === 0) return { path: result.path, external: result.external };
          failures.push(...result.errors.map((e) => e.text));
        }
        const ours = column.module.startsWith("@sockets/");
        throw new BundleError(
          `The module under test "${column.module}" for column "${column.name}" cannot be resolved from ${process.cwd()} or @sockets/conformance` +
            (ours ? ` (is the package written and built? run the build first)` : ` (is it installed?)`) +
            `: ${[...new Set(failures)].join("; ")}`,
        );
      });
    },
  };
}
