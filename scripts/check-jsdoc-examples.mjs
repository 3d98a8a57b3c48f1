#!/usr/bin/env node
// Every export has JSDoc with an example, and every example compiles.
//
// 1. Coverage: each `export function|const|let|class|interface|type|enum|abstract class`
//    declared in packages/*/src/**/*.ts must carry a JSDoc block with `@example`
//    (re-exports `export { … } from` are documented where they are declared; `_`-prefixed
//    names are private helpers shared between files, by the project's convention).
// 2. Compilation: every ```ts fence inside a JSDoc block becomes its own module and is
//    type-checked, one program per package, with that package's own `types` (from its
//    tsconfig.json) and its local ambient declarations (`types/*.d.ts`). `@sockets/*`
//    imports resolve to the built declarations (packages/*/dist/index.d.ts: build first);
//    relative imports resolve to the source file's directory. Examples may use top-level
//    await and `declare const` for what they leave out.
//
// Usage: node scripts/check-jsdoc-examples.mjs [package-dir-name …]   (default: all)
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PACKAGES = join(ROOT, "packages");
const TSC = join(ROOT, "node_modules", ".bin", "tsc");
const DECLARATION = /^export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:abstract\s+)?(function\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/;

async function _walk(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await _walk(path)));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** JSDoc blocks with their end line, and the exports that follow them. */
function _scan(text) {
  const lines = text.split("\n");
  const blocks = [];
  const missing = [];
  let open = -1;
  let lastBlock = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (open === -1 && /^\s*\/\*\*/.test(line)) open = i;
    if (open !== -1 && /\*\//.test(line)) {
      const block = { start: open, end: i, lines: lines.slice(open, i + 1) };
      blocks.push(block);
      lastBlock = block;
      open = -1;
      continue;
    }
    if (open !== -1) continue;
    const declared = DECLARATION.exec(line);
    // `_`-prefixed names are private helpers (project convention), exported between files only.
    if (declared && !declared[2].startsWith("_")) {
      const documented = lastBlock !== null && _attached(lines, lastBlock.end, i) && lastBlock.lines.some((l) => /@example\b/.test(l));
      if (!documented) missing.push({ line: i + 1, name: declared[2] });
    }
    if (line.trim() !== "" && !/^\s*(@|\/\/)/.test(line)) lastBlock = null;
  }
  return { blocks, missing };
}

/** The block ends right above `at`, with only decorators, comments or blank lines between. */
function _attached(lines, end, at) {
  for (let i = end + 1; i < at; i++) if (!/^\s*(@\w|\/\/|$)/.test(lines[i])) return false;
  return true;
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
  return { name: manifest.name, types, ambient };
}

async function main() {
  const wanted = process.argv.slice(2);
  const dirs = (await readdir(PACKAGES)).filter((d) => wanted.length === 0 || wanted.includes(d)).map((d) => join(PACKAGES, d));
  const paths = {};
  for (const d of await readdir(PACKAGES)) {
    try {
      const { name } = JSON.parse(await readFile(join(PACKAGES, d, "package.json"), "utf8"));
      paths[name] = [join(PACKAGES, d, "dist", "index.d.ts")];
    } catch {
      // not a package
    }
  }
  const work = await mkdtemp(join(tmpdir(), "sockets-jsdoc-"));
  const problems = [];
  let total = 0;
  try {
    for (const dir of dirs) {
      let files;
      try {
        files = await _walk(join(dir, "src"));
      } catch {
        continue;
      }
      const info = await _packageInfo(dir);
      const out = join(work, relative(PACKAGES, dir));
      await mkdir(out, { recursive: true });
      const origin = new Map();
      const examples = [];
      for (const file of files) {
        const text = await readFile(file, "utf8");
        const { blocks, missing } = _scan(text);
        for (const m of missing) problems.push(`${relative(ROOT, file)}:${m.line}: export ${m.name} has no JSDoc @example`);
        for (const block of blocks) {
          for (const example of _examples(block)) {
            const name = `ex${examples.length}.ts`;
            const code = example.code.replace(/(from\s+|import\(\s*)(["'])(\.\.?\/[^"']+)\2/g, (_, pre, q, spec) => `${pre}${q}${resolve(dirname(file), spec)}${q}`);
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
  console.log(`${total} JSDoc examples checked; ${problems.length} problem${problems.length === 1 ? "" : "s"}.`);
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error?.stack ?? error);
    process.exit(1);
  },
);
