#!/usr/bin/env node
// Every public export has JSDoc with an example, and every example compiles.
//
// 1. Coverage: every export reachable from a package's public entry points (the `types`
//    files of its `exports` map, mapped back to src/) and declared in that package's src/
//    must carry a JSDoc block with `@example`. Reachability is TypeScript's: the entry
//    module's exports, with re-exports (`export { … } from`, `export *`) followed to their
//    declaration, so an export is documented where it is declared. Exports that no entry
//    point reaches (helpers shared between files, `_`-prefixed by the project's
//    convention, or classes only the package itself constructs) are not public API and are
//    not required to have one. Re-exports of another package are checked there.
// 2. Compilation: every ```ts fence inside the JSDoc of that public API (the blocks on
//    those declarations and on their members, and each entry file's `@module` block)
//    becomes its own module and is type-checked, one program per package, with that
//    package's own `types` (from its tsconfig.json) and its local ambient declarations
//    (`types/*.d.ts`). `@sockets/*` imports, subpaths included, resolve to the built
//    declarations their `exports` map names (build first); relative imports resolve to the
//    source file's directory. Examples may use top-level await and `declare const` for
//    what they leave out. With --all, the examples on internal code are compiled too.
//
// Packages: packages/* and conformance/.
// Usage: node scripts/check-jsdoc-examples.mjs [--all] [package-dir-name …]   (default: all)
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PACKAGE_DIRS = async () => [
  ...(await readdir(join(ROOT, "packages"))).map((d) => join(ROOT, "packages", d)),
  join(ROOT, "conformance"),
];
const TSC = join(ROOT, "node_modules", ".bin", "tsc");
const ts = createRequire(join(ROOT, "package.json"))("typescript");

async function _walk(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await _walk(path)));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** JSDoc blocks (comments opening with two stars) with their first line (0-based) and lines. */
function _blocks(text) {
  const lines = text.split("\n");
  const blocks = [];
  let open = -1;
  for (let i = 0; i < lines.length; i++) {
    if (open === -1 && /^\s*\/\*\*/.test(lines[i])) open = i;
    if (open !== -1 && /\*\//.test(lines[i])) {
      blocks.push({ start: open, lines: lines.slice(open, i + 1) });
      open = -1;
    }
  }
  return blocks;
}

/** `exports` entries with a `types` file: { key, specifier, types } (types relative to the package). */
function _typedEntries(manifest) {
  const entries = [];
  for (const [key, target] of Object.entries(manifest.exports ?? {})) {
    const types =
      typeof target === "object" && target !== null
        ? target.types
        : typeof target === "string" && target.endsWith(".d.ts")
          ? target
          : undefined;
    if (typeof types === "string")
      entries.push({ key, specifier: key === "." ? manifest.name : `${manifest.name}/${key.replace(/^\.\//, "")}`, types });
  }
  return entries;
}

/** The source file an entry's built declarations come from (tsconfig.build.json's outDir → rootDir). */
async function _sourceOf(dir, types) {
  let outDir = "dist";
  let rootDir = "src";
  try {
    const options = JSON.parse(await readFile(join(dir, "tsconfig.build.json"), "utf8")).compilerOptions ?? {};
    outDir = options.outDir ?? outDir;
    rootDir = options.rootDir ?? rootDir;
  } catch {
    // the default layout
  }
  const rel = relative(resolve(dir, outDir), resolve(dir, types));
  return resolve(dir, rootDir, rel.replace(/\.d\.ts$/, ".ts").replace(/\.d\.mts$/, ".mts"));
}

/**
 * The public API of a package, from its entry points' source files:
 * - `undocumented`: exports reachable from an entry point, declared in `src/`, whose
 *   declaration has no JSDoc `@example`;
 * - `public`: per source file, the 0-based line ranges whose JSDoc is public documentation:
 *   each such declaration from its JSDoc block to its end (members included), and the
 *   `@module` block of each entry file.
 */
function _publicApi(dir, entries, sources) {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(dir, "tsconfig.json"),
    { noEmit: true },
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  const program = ts.createProgram({ rootNames: sources, options: { ...config?.options, noEmit: true, skipLibCheck: true } });
  const checker = program.getTypeChecker();
  const src = `${join(dir, "src")}/`;
  const undocumented = new Map();
  const ranges = new Map();
  const addRange = (file, start, end) => {
    if (!ranges.has(file)) ranges.set(file, []);
    ranges.get(file).push([start, end]);
  };
  entries.forEach((entry, i) => {
    const file = program.getSourceFile(sources[i]);
    const module = file && checker.getSymbolAtLocation(file);
    if (!module) {
      undocumented.set(sources[i], {
        file: sources[i],
        line: 1,
        text: `entry point ${entry.specifier} has no source module ${relative(dir, sources[i])}`,
      });
      return;
    }
    const header = ts.getLeadingCommentRanges(file.text, 0)?.find((c) => /^\/\*\*[\s\S]*@module\b/.test(file.text.slice(c.pos, c.end)));
    if (header)
      addRange(file.fileName, file.getLineAndCharacterOfPosition(header.pos).line, file.getLineAndCharacterOfPosition(header.end).line);
    for (const exported of checker.getExportsOfModule(module)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const own = (target.declarations ?? []).filter((d) => !ts.isSourceFile(d) && d.getSourceFile().fileName.startsWith(src));
      for (const d of own) {
        const sf = d.getSourceFile();
        const node = ts.isVariableDeclaration(d) && ts.isVariableStatement(d.parent.parent) ? d.parent.parent : d;
        // The declaration's own JSDoc is the last `/**` comment before it (an earlier one
        // may be the file's `@module` header, which TypeScript attaches to it too).
        const doc = (ts.getLeadingCommentRanges(sf.text, node.pos) ?? []).filter((c) => sf.text.startsWith("/**", c.pos)).at(-1);
        addRange(
          sf.fileName,
          sf.getLineAndCharacterOfPosition(doc?.pos ?? node.getStart(sf)).line,
          sf.getLineAndCharacterOfPosition(node.end).line,
        );
      }
      if (own.length === 0 || own.some((d) => ts.getJSDocTags(d).some((t) => t.tagName.text === "example"))) continue;
      const sf = own[0].getSourceFile();
      const line = sf.getLineAndCharacterOfPosition(own[0].getStart(sf)).line + 1;
      const key = `${sf.fileName}:${line}`;
      if (undocumented.has(key)) undocumented.get(key).via.add(entry.specifier);
      else undocumented.set(key, { file: sf.fileName, line, name: exported.name, via: new Set([entry.specifier]) });
    }
  });
  return {
    undocumented: [...undocumented.values()].map((m) => ({
      file: m.file,
      line: m.line,
      text: m.text ?? `export ${m.name} (public in ${[...m.via].join(", ")}) has no JSDoc @example`,
    })),
    isPublic: (file, line) => (ranges.get(file) ?? []).some(([a, b]) => line >= a && line <= b),
  };
}

/** ```ts fences inside a JSDoc block: { code, line } with the 1-based line of the first code line. */
function _examples(block) {
  const found = [];
  let fence = -1;
  const body = block.lines.map((l) => l.replace(/^\s*\/?\*\*?\/?\s?/, "").replace(/\*\/\s*$/, ""));
  for (let i = 0; i < body.length; i++) {
    if (fence === -1 && /^```(ts|typescript)\s*$/.test(body[i].trim())) fence = i;
    else if (fence !== -1 && /^```\s*$/.test(body[i].trim())) {
      found.push({ code: body.slice(fence + 1, i).join("\n"), line: block.start + fence + 2 });
      fence = -1;
    }
  }
  return found;
}

async function _packageInfo(dir) {
  const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
  let types = [];
  try {
    types = JSON.parse(await readFile(join(dir, "tsconfig.json"), "utf8")).compilerOptions?.types ?? [];
  } catch {
    // no tsconfig: no ambient types
  }
  let ambient = [];
  try {
    ambient = (await readdir(join(dir, "types"))).filter((f) => f.endsWith(".d.ts")).map((f) => join(dir, "types", f));
  } catch {
    // no local declarations
  }
  return { manifest, types, ambient };
}

async function main() {
  const args = process.argv.slice(2);
  const internalToo = args.includes("--all");
  const wanted = args.filter((a) => a !== "--all");
  const all = await PACKAGE_DIRS();
  const unknown = wanted.filter((w) => !all.some((d) => basename(d) === w));
  if (unknown.length > 0) {
    console.error(`Unknown package directory ${JSON.stringify(unknown[0])}: expected one of ${all.map((d) => basename(d)).join(", ")}`);
    return 2;
  }
  const dirs = all.filter((d) => wanted.length === 0 || wanted.includes(basename(d)));
  // `@sockets/x` and `@sockets/x/sub` → the built declarations their `exports` map names.
  const paths = {};
  for (const d of all) {
    try {
      const manifest = JSON.parse(await readFile(join(d, "package.json"), "utf8"));
      for (const entry of _typedEntries(manifest)) paths[entry.specifier] = [join(d, entry.types)];
    } catch {
      // not a package
    }
  }
  const work = await mkdtemp(join(tmpdir(), "sockets-jsdoc-"));
  const problems = [];
  let total = 0;
  let publicEntries = 0;
  let skipped = 0;
  try {
    for (const dir of dirs) {
      let files;
      try {
        files = await _walk(join(dir, "src"));
      } catch {
        continue;
      }
      const info = await _packageInfo(dir);
      const entries = _typedEntries(info.manifest);
      const sources = await Promise.all(entries.map((e) => _sourceOf(dir, e.types)));
      publicEntries += entries.length;
      const api = _publicApi(dir, entries, sources);
      for (const m of api.undocumented) problems.push(`${relative(ROOT, m.file)}:${m.line}: ${m.text}`);

      const out = join(work, relative(ROOT, dir));
      await mkdir(out, { recursive: true });
      const origin = new Map();
      const examples = [];
      for (const file of files) {
        for (const block of _blocks(await readFile(file, "utf8"))) {
          if (!internalToo && !api.isPublic(file, block.start)) {
            skipped += _examples(block).length;
            continue;
          }
          for (const example of _examples(block)) {
            const name = `ex${examples.length}.ts`;
            const code = example.code.replace(
              /(from\s+|import\(\s*)(["'])(\.\.?\/[^"']+)\2/g,
              (_, pre, q, spec) => `${pre}${q}${resolve(dirname(file), spec)}${q}`,
            );
            const isModule = /^\s*(import|export)\s/m.test(code);
            examples.push({ name, text: `${code}\n${isModule ? "" : "export {};\n"}` });
            origin.set(name, { file, line: example.line });
          }
        }
      }
      if (examples.length === 0) continue;
      total += examples.length;
      for (const e of examples) await writeFile(join(out, e.name), e.text);
      await writeFile(join(out, "package.json"), JSON.stringify({ type: "module", private: true }));
      await writeFile(
        join(out, "tsconfig.json"),
        JSON.stringify({
          extends: join(ROOT, "tsconfig.base.json"),
          compilerOptions: {
            noEmit: true,
            declaration: false,
            declarationMap: false,
            isolatedDeclarations: false,
            skipLibCheck: true,
            types: info.types,
            typeRoots: [join(dir, "node_modules", "@types"), join(ROOT, "node_modules", "@types")],
            paths,
          },
          files: [...examples.map((e) => e.name), ...info.ambient],
        }),
      );
      try {
        await run(TSC, ["-p", out, "--pretty", "false"], { cwd: out, maxBuffer: 64 * 1024 * 1024 });
      } catch (error) {
        for (const line of String(error.stdout || error.message).split("\n")) {
          const m = /^(ex\d+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line.trim());
          if (m) {
            const { file, line: first } = origin.get(m[1]);
            problems.push(`${relative(ROOT, file)}:${first + Number(m[2]) - 1}: example does not compile: ${m[4]}`);
          } else if (line.trim() !== "" && !/^\s/.test(line)) {
            problems.push(`${relative(ROOT, dir)}: ${line.trim()}`);
          }
        }
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  for (const p of problems) console.log(p);
  console.log(
    `${dirs.length} packages, ${publicEntries} public entry points; ${total} ${internalToo ? "JSDoc examples checked (internal code included)" : `public JSDoc examples checked (${skipped} on internal code not checked)`}; ${problems.length} problem${problems.length === 1 ? "" : "s"}.`,
  );
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error?.stack ?? error);
    process.exit(1);
  },
);
