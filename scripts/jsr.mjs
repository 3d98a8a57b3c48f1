#!/usr/bin/env node
// JSR (jsr.io) publishing and the API reference, both read from the TypeScript sources.
//
// The packages a Deno user imports have a `jsr.json` next to their `package.json`
// (`@sockets/core`, `@sockets/deno`, and `@sockets/connect`, whose JSR export is its deno
// branch). JSR publishes `src/*.ts` as they are; `@sockets/*` imports resolve through the
// `imports` map of each `jsr.json` (`jsr:@sockets/core@^<version>`), which
// `scripts/sync-jsr-versions.mjs` keeps at the npm version after `changeset version`.
//
// `deno publish` has to see all of them at once (a dry run of @sockets/deno alone would
// fetch @sockets/core from jsr.io), and Deno reads a `deno.json`, not a `jsr.json`, for a
// workspace member. A `deno.json` workspace at the repository's root would also change how
// every `deno run` in the repository resolves, so each command here lays out a scratch
// workspace instead: a copy of each package (without node_modules and dist) whose
// `deno.json` is its own `deno.json` (compiler options) overlaid with its `jsr.json`.
// Relative imports name the `.js` output (NodeNext), so Deno runs with --sloppy-imports;
// `deno publish` rewrites them to the `.ts` files it uploads.
//
//   node scripts/jsr.mjs check      jsr.json in step with package.json (name, version,
//                                   license, imports), `deno publish --dry-run` (type check,
//                                   no slow types, nothing needed left out, no jsr.io
//                                   download) and `deno doc --lint` on every JSR export (no
//                                   finding beyond scripts/jsr-doc-lint-baseline.json)
//   node scripts/jsr.mjs publish    `deno publish` for real (the release flow, after npm)
//   node scripts/jsr.mjs docs [dir] the API reference of every public package (each `exports`
//                                   entry of its package.json, read from src/) as HTML with
//                                   `deno doc --html`, into docs/api (gitignored)
//
// Needs nothing from the network. Exits 1 when anything is reported.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO = join(ROOT, "node_modules", ".bin", "deno");
const SKIP = new Set(["node_modules", "dist", ".turbo", "coverage"]);
// Never a download: what JSR would resolve remotely must resolve inside the workspace.
const OFFLINE = ["--sloppy-imports", "--no-remote", "--no-npm", "--no-lock"];

/** Public packages (packages/* and conformance/), each with its package.json and jsr.json (or null). */
export async function publicPackages(root = ROOT) {
  const dirs = [...(await readdir(join(root, "packages"))).map((d) => join(root, "packages", d)), join(root, "conformance")];
  const found = [];
  for (const dir of dirs) {
    let manifest;
    try {
      manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
    } catch {
      continue;
    }
    if (manifest.private === true) continue;
    const jsr = await readFile(join(dir, "jsr.json"), "utf8").then(JSON.parse, () => null);
    found.push({ dir, manifest, jsr });
  }
  return found;
}

/** jsr.json against package.json: the same name, version and licence, and `imports` at the fixed group's version. */
export function checkSync(packages) {
  const problems = [];
  const versions = new Map(packages.map((p) => [p.manifest.name, p.manifest.version]));
  const onJsr = new Set(packages.filter((p) => p.jsr).map((p) => p.manifest.name));
  for (const { dir, manifest, jsr } of packages.filter((p) => p.jsr)) {
    const where = relative(ROOT, join(dir, "jsr.json"));
    for (const key of ["name", "version", "license"]) {
      if (jsr[key] !== manifest[key])
        problems.push(
          `${where}: ${key} is ${JSON.stringify(jsr[key])}, package.json has ${JSON.stringify(manifest[key])} (run node scripts/sync-jsr-versions.mjs)`,
        );
    }
    for (const [name, target] of Object.entries(jsr.imports ?? {})) {
      if (!name.startsWith("@sockets/")) continue;
      const expected = `jsr:${name}@^${versions.get(name)}`;
      if (!onJsr.has(name)) problems.push(`${where}: imports ${name}, which has no jsr.json (it is not published on JSR)`);
      else if (target !== expected)
        problems.push(
          `${where}: imports.${name} is ${JSON.stringify(target)}, expected ${JSON.stringify(expected)} (run node scripts/sync-jsr-versions.mjs)`,
        );
    }
    for (const dep of Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith("@sockets/") && onJsr.has(d))) {
      if (!(dep in (jsr.imports ?? {}))) problems.push(`${where}: no imports entry for ${dep} (a dependency in package.json)`);
    }
    if (typeof jsr.exports !== "string" && (typeof jsr.exports !== "object" || jsr.exports === null)) problems.push(`${where}: no exports`);
  }
  return problems;
}

/** The JSR entry files of a package, relative to its directory. */
function _jsrEntries(jsr) {
  return typeof jsr.exports === "string" ? [jsr.exports] : Object.values(jsr.exports);
}

/** The source file of each npm `exports` entry with types (dist/x.d.ts → src/x.ts). */
function _npmEntries(manifest) {
  const entries = [];
  for (const [key, target] of Object.entries(manifest.exports ?? {})) {
    const types = typeof target === "object" && target !== null ? target.types : undefined;
    if (typeof types === "string") entries.push({ key, file: types.replace(/^\.\/dist\//, "./src/").replace(/\.d\.ts$/, ".ts") });
  }
  return entries;
}

/**
 * A scratch Deno workspace with a copy of `packages` (see the header). Members with a
 * jsr.json get it as their deno.json; the others (for the API reference only) get their
 * name and version, and their node_modules linked so their npm imports resolve.
 */
async function _workspace(packages, extra = {}) {
  const work = await mkdtemp(join(tmpdir(), "sockets-jsr-"));
  const members = [];
  for (const p of packages) {
    const name = basename(p.dir);
    const target = join(work, name);
    // Not the tsconfig files: they extend the repository's base, which is not there; Deno
    // checks with its defaults (strict) and the package's own deno.json compiler options.
    const skip = (src) => src !== p.dir && (SKIP.has(basename(src)) || /^tsconfig.*\.json$/.test(basename(src)));
    await cp(p.dir, target, { recursive: true, filter: (src) => !skip(src) });
    const own = await readFile(join(p.dir, "deno.json"), "utf8").then(JSON.parse, () => ({}));
    const { $schema: _schema, ...jsr } = p.jsr ?? { name: p.manifest.name, version: p.manifest.version };
    await writeFile(join(target, "deno.json"), `${JSON.stringify({ ...own, ...jsr }, null, 2)}\n`);
    await rm(join(target, "jsr.json"), { force: true });
    if (!p.jsr) await symlink(join(p.dir, "node_modules"), join(target, "node_modules"), "dir").catch(() => {});
    members.push({ ...p, name, target });
  }
  await writeFile(join(work, "deno.json"), `${JSON.stringify({ workspace: members.map((m) => `./${m.name}`), ...extra }, null, 2)}\n`);
  return { work, members };
}

/**
 * `deno doc --lint` findings as `rule file: source line` (stable when lines move). The
 * findings the JSR entry points had when this check was added (JSDoc missing on interface
 * members, mostly) are listed in scripts/jsr-doc-lint-baseline.json: only new ones fail, and
 * `--update-baseline` rewrites the list once some are fixed. The list only ever shrinks.
 */
function _lintFindings(text) {
  const findings = [];
  for (const m of text.matchAll(/^error\[([a-z-]+)\]:[^\n]*\n\s*--> ([^:\n]+):\d+:\d+\n(?:\s*\|\s*\n)?\s*\d+ \|(.*)$/gm)) {
    findings.push(`${m[1]} ${m[2]}: ${m[3].trim()}`);
  }
  return findings;
}

const BASELINE = join(ROOT, "scripts", "jsr-doc-lint-baseline.json");

async function _deno(args, cwd) {
  try {
    const { stdout, stderr } = await run(DENO, args, { cwd, env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 64 * 1024 * 1024 });
    return { ok: true, out: `${stdout}${stderr}` };
  } catch (error) {
    return { ok: false, out: `${error.stdout ?? ""}${error.stderr ?? error.message}` };
  }
}

/** `deno publish` (dry run unless `real`) of every package with a jsr.json, then `deno doc --lint` on their exports. */
export async function checkJsr({ root = ROOT, real = false } = {}) {
  const all = await publicPackages(root);
  const problems = checkSync(all);
  const jsr = all.filter((p) => p.jsr);
  const { work, members } = await _workspace(jsr);
  try {
    const publish = await _deno(["publish", ...(real ? [] : ["--dry-run"]), "--allow-dirty", ...OFFLINE], work);
    const clean = (text) =>
      text
        .replaceAll(`file://${work}/`, "")
        .replaceAll(`${work}/`, "")
        .replace(/\n\s*Stack backtrace:[\s\S]*$/, "")
        .trim();
    if (!publish.ok) problems.push(`deno publish${real ? "" : " --dry-run"} failed:\n${clean(publish.out)}`);
    for (const warning of publish.out.match(/^Warning .*(\n\s+at .*)?/gm) ?? []) problems.push(`deno publish: ${clean(warning)}`);
    for (const m of members) {
      if (publish.ok && !publish.out.includes(`of ${m.jsr.name}@${m.jsr.version}`))
        problems.push(`deno publish did not include ${m.jsr.name}@${m.jsr.version}`);
    }
    const entries = members.flatMap((m) => _jsrEntries(m.jsr).map((e) => join(m.name, e)));
    const lint = await _deno(["doc", "--lint", ...OFFLINE, ...entries], work);
    const findings = _lintFindings(clean(lint.out));
    const baseline = new Set(await readFile(BASELINE, "utf8").then(JSON.parse, () => []));
    const fresh = findings.filter((f) => !baseline.has(f));
    for (const f of fresh)
      problems.push(
        `deno doc --lint (JSR shows these docs; write the JSDoc, or list the finding in scripts/jsr-doc-lint-baseline.json if it must wait): ${f}`,
      );
    if (!lint.ok && findings.length === 0) problems.push(`deno doc --lint ${entries.join(" ")}:\n${clean(lint.out)}`);
    const fixed = [...baseline].filter((f) => !findings.includes(f));
    return {
      problems,
      published: members.map((m) => `${m.jsr.name}@${m.jsr.version}`),
      entries,
      known: findings.length - fresh.length,
      fixed,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The API reference of every public package, from src/, into `output`. */
export async function buildDocs(output = join(ROOT, "docs", "api")) {
  const all = await publicPackages();
  // npm imports resolve from each package's node_modules (installed by pnpm, never downloaded);
  // Bun's built-in "bun" module (imported by the cloudflare-shim's Bun preload) is nothing
  // Deno can load, and the reference needs only its name.
  const { work, members } = await _workspace(all, {
    nodeModulesDir: "manual",
    imports: { bun: "data:text/javascript,export default {};" },
  });
  try {
    const entries = members.flatMap((m) => _npmEntries(m.manifest).map((e) => join(m.name, e.file)));
    await rm(output, { recursive: true, force: true });
    await mkdir(output, { recursive: true });
    const html = await _deno(["doc", "--html", "--name=@sockets", `--output=${output}`, "--sloppy-imports", "--no-lock", ...entries], work);
    return { ok: html.ok, out: html.out.replaceAll(`file://${work}/`, ""), entries };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function main() {
  const [command = "check", arg] = process.argv.slice(2);
  if (command === "check" || command === "publish") {
    const { problems, published, entries, known, fixed } = await checkJsr({ real: command === "publish" });
    if (arg === "--update-baseline") {
      const current = new Set(JSON.parse(await readFile(BASELINE, "utf8")).filter((f) => !fixed.includes(f)));
      await writeFile(BASELINE, `${JSON.stringify([...current].sort(), null, 2)}\n`);
      console.log(`${BASELINE}: ${fixed.length} fixed finding${fixed.length === 1 ? "" : "s"} removed, ${current.size} left`);
    }
    for (const p of problems) console.log(`FAIL  ${p.replaceAll("\n", "\n      ")}`);
    if (fixed.length > 0 && arg !== "--update-baseline")
      console.log(
        `jsr: ${fixed.length} baseline finding${fixed.length === 1 ? " is" : "s are"} fixed: run node scripts/jsr.mjs check --update-baseline`,
      );
    console.log(
      problems.length === 0
        ? `jsr: ${command === "publish" ? "published" : "deno publish --dry-run passed for"} ${published.join(", ")}; deno doc --lint on ${entries.join(", ")}: no new findings (${known} known, in scripts/jsr-doc-lint-baseline.json)`
        : `jsr: ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
    );
    return problems.length === 0 ? 0 : 1;
  }
  if (command === "docs") {
    const output = resolve(arg ?? join(ROOT, "docs", "api"));
    const { ok, out, entries } = await buildDocs(output);
    if (!ok) {
      console.error(out.trim());
      return 1;
    }
    console.log(`API reference of ${entries.length} entry points in ${relative(process.cwd(), output) || "."}/index.html`);
    return 0;
  }
  console.error(`Unknown command ${JSON.stringify(command)}: expected check, publish or docs`);
  return 2;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error?.stack ?? error);
      process.exit(1);
    },
  );
}
