#!/usr/bin/env node
// Packaging checks on what would actually be published: every public workspace package
// is packed with `pnpm pack` (workspace:* rewritten, `files` applied) into a temp dir,
// then each tarball is checked for
//
//   contents   only what users need: package.json, README.md, LICENSE/CHANGELOG, and
//              built dist/ files (no source maps, sources, tests, tsconfig, build info);
//              the README must be there
//   publint    `publint run <tarball> --strict --level suggestion`: any message fails
//   attw       `attw <tarball> --profile esm-only`: the packages are ESM only, so the
//              CommonJS and node10 resolutions are out of scope; anything else fails
//   .d.ts      no reference to @types/node, @types/bun, @types/deno or workers-types:
//              no `/// <reference types=…>`, no `node:*`/`bun`/`cloudflare:*` imports, no
//              `Deno.`/`Bun.`/`NodeJS.` names outside comments
//   types      the published entry points type-check in a consumer with `types: []` and
//              `skipLibCheck: false`, with only the packed @sockets/* packages and their
//              declared third-party dependencies installed
//   manifest   the packed package.json (as `pnpm publish` would upload it): `license` MIT and
//              a LICENSE identical to the repository's; no `workspace:` protocol left in any
//              dependency field; every @sockets/* dependency range is met by that package's
//              version (the fixed release group); the optional peer dependencies of
//              OPTIONAL_PEERS declared with `peerDependenciesMeta` optional and the range
//              `^<the version the repository tests with>` (root devDependencies), and
//              `engines.node` wherever a package runs on Node (ENGINES_NODE)
//
// Then `node scripts/jsr.mjs lint` checks the JSR side (jsr.json in step with package.json,
// `deno publish --dry-run`, `deno doc --lint`): see that script.
//
// The only exceptions are the entry points listed in RUNTIME_TYPES below, each with the
// reason. There, the declarations that entry reaches (following relative imports from its
// `types` file, and nowhere else) may name that runtime's types, and the entry is
// type-checked with `types: [<runtime>]` (the package's own @types/<runtime>) instead of
// `types: []`. A published .d.ts that any other entry reaches, or that no entry reaches,
// is held to the rule above.
//
// Usage: node scripts/check-packages.mjs [package-name …]   (default: every public package)
// Build first (turbo run build). Exits 1 when anything is reported.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = (name) => join(ROOT, "node_modules", ".bin", name);
const PNPM = ["--yes", "pnpm@12.21.0"];

const ALLOWED = [
  /^package\/package\.json$/,
  /^package\/README\.md$/,
  /^package\/(LICENSE|LICENCE)(\.md|\.txt)?$/i,
  /^package\/CHANGELOG\.md$/,
  /^package\/dist\/.+\.(m?js|d\.m?ts)$/,
];
const FORBIDDEN_IN_DTS = [
  [/\/\/\/\s*<reference\s+types=["']?([^"'\s/>]*)/g, "a /// <reference types> directive"],
  [/from\s+["'](node:[^"']+|bun|bun:[^"']+|cloudflare:[^"']+)["']/g, "an import of a runtime module"],
  [/import\(\s*["'](node:[^"']+|bun|bun:[^"']+|cloudflare:[^"']+)["']\s*\)/g, "an import type of a runtime module"],
  [/@types\/(node|bun|deno)|workers-types/g, "a reference to runtime type packages"],
  [/\b(Deno|Bun|NodeJS)\.[A-Z_a-z]/g, "a runtime namespace (Deno., Bun., NodeJS.)"],
];

/** Which runtime's types a forbidden match refers to (the key RUNTIME_TYPES allows it by). */
function _runtimeOf(match) {
  if (/\bnode\b|NodeJS\./.test(match)) return "node";
  if (/\bbun\b|Bun\./.test(match)) return "bun";
  if (/\bdeno\b|Deno\./.test(match)) return "deno";
  return "workers";
}

// Entry points whose published declarations may use one runtime's types, by package and
// `exports` key. Everything not listed must compile with `types: []`.
const RUNTIME_TYPES = {
  // The conformance suite's fixture peers are Node servers (node:net, node:tls, node:stream
  // in their signatures): `./fixtures` is for the Node process that hosts them (the CLI, or
  // a test harness of your own), so a consumer of it has @types/node. The cases
  // (`./cases`) and the runner/report API (`.`) run in every runtime and stay runtime-free;
  // the CLI's own modules are not an entry point, and their declarations are not published.
  // `./runtimes` finds and starts runtime binaries (node:child_process types), for Node tools.
  "@sockets/conformance": { "./fixtures": ["node"], "./runtimes": ["node"] },
};

// Runtimes a package needs only for some of what it does, declared as optional peers so that
// npm can tell a user what to add: @sockets/conformance runs its suite in the runtime the
// user picks (`--target deno` needs the `deno` package, and so on). The range is
// `^<version>` of the root devDependency the conformance matrix is produced with.
const OPTIONAL_PEERS = { "@sockets/conformance": ["deno", "bun", "workerd"] };
// Packages whose code runs on Node (or whose CLI does) must say which Node versions.
const ENGINES_NODE = ["@sockets/core", "@sockets/node", "@sockets/connect", "@sockets/cloudflare-shim", "@sockets/conformance"];
const DEPENDENCY_FIELDS = ["dependencies", "peerDependencies", "optionalDependencies", "devDependencies"];

/**
 * The packed manifest and LICENSE against the repository (see the header: `manifest`);
 * scripts/release-dry-run.mjs runs it on the tarballs of a release too.
 */
export async function checkManifest(p, versions, root) {
  const problems = [];
  const { manifest } = p;
  if (manifest.license !== "MIT") problems.push(`manifest: license is ${JSON.stringify(manifest.license)}, expected "MIT"`);
  const licence = await readFile(join(p.extracted, "LICENSE"), "utf8").catch(() => null);
  if (licence === null) problems.push("licence: no LICENSE in the tarball (copy the repository's LICENSE into the package directory)");
  else if (licence !== root.licence) problems.push("licence: the packed LICENSE differs from the repository's LICENSE");
  const text = await readFile(join(p.extracted, "package.json"), "utf8");
  if (text.includes("workspace:"))
    problems.push(
      `manifest: the packed package.json still has the workspace: protocol (${text.match(/"[^"]*":\s*"workspace:[^"]*"/)?.[0]})`,
    );
  for (const field of DEPENDENCY_FIELDS.filter((f) => f !== "devDependencies")) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (!versions.has(name)) continue;
      const version = versions.get(name);
      if (![version, `^${version}`, `~${version}`].includes(range))
        problems.push(
          `manifest: ${field}.${name} is ${JSON.stringify(range)}, expected ${JSON.stringify(version)} (the fixed group's version)`,
        );
    }
  }
  for (const peer of OPTIONAL_PEERS[manifest.name] ?? []) {
    const expected = `^${root.devDependencies[peer]}`;
    const range = manifest.peerDependencies?.[peer];
    if (range !== expected)
      problems.push(
        `manifest: peerDependencies.${peer} is ${JSON.stringify(range)}, expected ${JSON.stringify(expected)} (the version the repository tests with)`,
      );
    if (manifest.peerDependenciesMeta?.[peer]?.optional !== true)
      problems.push(`manifest: peerDependenciesMeta.${peer}.optional is not true`);
  }
  if (ENGINES_NODE.includes(manifest.name) && typeof manifest.engines?.node !== "string") problems.push("manifest: no engines.node");
  return problems;
}

async function _publicPackages() {
  const dirs = [];
  for (const parent of ["packages"]) {
    for (const name of await readdir(join(ROOT, parent))) dirs.push(join(ROOT, parent, name));
  }
  dirs.push(join(ROOT, "conformance"));
  const found = [];
  for (const dir of dirs) {
    let manifest;
    try {
      manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
    } catch {
      continue;
    }
    if (manifest.private !== true) found.push({ dir, manifest });
  }
  return found;
}

function _stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'])\/\/(?!\/\s*<reference).*$/gm, "$1");
}

async function _contents(tarball) {
  const { stdout } = await run("tar", ["-tzf", tarball]);
  return stdout.split("\n").filter((f) => f !== "" && !f.endsWith("/"));
}

const NEVER = /(\.map$|\.tsbuildinfo$|(^|\/)tsconfig[^/]*\.json$|(^|\/)(src|test|tests|node_modules)\/|(?<!\.d)\.m?ts$)/;

async function _checkContents(files, manifest) {
  // Directories other than dist/ that `files` names on purpose (e.g. the conformance
  // CLI's expectations/) are data the package reads at run time.
  const extra = (manifest.files ?? [])
    .filter((f) => !f.startsWith("!") && !/^dist\b/.test(f))
    .map((f) => `package/${f.replace(/\/+$/, "")}/`);
  const allowed = (f) =>
    !NEVER.test(f.replace(/^package\//, "")) && (ALLOWED.some((re) => re.test(f)) || extra.some((d) => f.startsWith(d)));
  const problems = files.filter((f) => !allowed(f)).map((f) => `contents: ${f.replace(/^package\//, "")} is not something users need`);
  if (!files.includes("package/README.md")) problems.push("contents: no README.md");
  if (!files.some((f) => f.startsWith("package/dist/"))) problems.push("contents: no dist/ (was the package built?)");
  return problems;
}

async function _publint(tarball) {
  try {
    const { stdout } = await run(BIN("publint"), ["run", tarball, "--strict", "--level", "suggestion"], { cwd: ROOT });
    return /All good!/i.test(stdout) ? [] : [`publint: ${stdout.trim()}`];
  } catch (error) {
    return [`publint: ${(error.stdout || error.stderr || error.message).trim()}`];
  }
}

async function _attw(tarball) {
  try {
    await run(BIN("attw"), [tarball, "--profile", "esm-only", "--format", "ascii", "--no-color", "--no-emoji"], { cwd: ROOT });
    return [];
  } catch (error) {
    return [`attw: ${(error.stdout || error.stderr || error.message).trim()}`];
  }
}

/**
 * The published declarations each typed entry point reaches: its `types` file and, through
 * relative `import`/`export … from`/`import()` specifiers, every file those reach. Imports of
 * other packages are that package's business.
 */
async function _dtsClosures(extracted, manifest) {
  const closures = new Map();
  for (const [key, target] of Object.entries(manifest.exports ?? {})) {
    const types =
      typeof target === "object" && target !== null
        ? target.types
        : typeof target === "string" && target.endsWith(".d.ts")
          ? target
          : undefined;
    if (typeof types !== "string") continue;
    const seen = new Set();
    const pending = [join(extracted, types)];
    while (pending.length > 0) {
      const file = pending.pop();
      const rel = relative(extracted, file);
      if (seen.has(rel)) continue;
      let text;
      try {
        text = _stripComments(await readFile(file, "utf8"));
      } catch {
        continue; // a missing file: the types check reports it
      }
      seen.add(rel);
      for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)["'](\.\.?\/[^"']+)["']/gm)) {
        // NodeNext specifiers name the .js file; its declarations sit next to it.
        const path = join(dirname(file), m[1]);
        if (/\.d\.m?ts$/.test(path)) pending.push(path);
        else if (path.endsWith(".mjs")) pending.push(`${path.slice(0, -4)}.d.mts`);
        else if (path.endsWith(".js")) pending.push(`${path.slice(0, -3)}.d.ts`);
        else pending.push(`${path}.d.ts`);
      }
    }
    closures.set(key, seen);
  }
  return closures;
}

/** Runtimes a published .d.ts may name: those allowed for every entry that reaches it (none if no entry does). */
function _allowedRuntimes(file, closures, allowance) {
  let allowed = null;
  for (const [key, files] of closures) {
    if (!files.has(file)) continue;
    const here = new Set(allowance[key] ?? []);
    allowed = allowed === null ? here : new Set([...allowed].filter((r) => here.has(r)));
  }
  return allowed ?? new Set();
}

async function _checkDts(extracted, files, manifest) {
  const problems = [];
  const closures = await _dtsClosures(extracted, manifest);
  const allowance = RUNTIME_TYPES[manifest.name] ?? {};
  for (const file of files.filter((f) => /\.d\.m?ts$/.test(f))) {
    const text = _stripComments(await readFile(join(extracted, file), "utf8"));
    const allowed = _allowedRuntimes(file, closures, allowance);
    for (const [pattern, what] of FORBIDDEN_IN_DTS) {
      const match = [...text.matchAll(pattern)].find((m) => !allowed.has(_runtimeOf(m[0])));
      if (match) problems.push(`.d.ts: ${file} has ${what}: ${JSON.stringify(match[0])}`);
    }
  }
  return problems;
}

/** Entry points with types: every `exports` key whose target has a `types` condition (or a .d.ts), with its import specifier. */
function _typedEntries(manifest) {
  const entries = [];
  for (const [key, target] of Object.entries(manifest.exports ?? {})) {
    if (key.endsWith("package.json")) continue;
    const hasTypes =
      typeof target === "object" && target !== null ? "types" in target : typeof target === "string" && target.endsWith(".d.ts");
    if (hasTypes) entries.push({ key, specifier: key === "." ? manifest.name : `${manifest.name}/${key.replace(/^\.\//, "")}` });
  }
  return entries;
}

/**
 * A consumer with every packed package and their declared third-party deps; tsc with no
 * ambient types, one program per package and set of allowed runtime types (RUNTIME_TYPES).
 */
async function _checkTypes(work, packages) {
  const consumer = join(work, "types-consumer");
  const modules = join(consumer, "node_modules");
  await mkdir(join(modules, "@sockets"), { recursive: true });
  for (const p of packages) {
    // Copied, not linked: TypeScript resolves from a file's real path.
    await cp(p.extracted, join(modules, p.manifest.name), { recursive: true });
    for (const dep of Object.keys(p.manifest.dependencies ?? {})) {
      if (dep.startsWith("@sockets/") || dep.startsWith("@types/")) continue;
      const target = join(modules, dep);
      await mkdir(dirname(target), { recursive: true });
      await symlink(join(p.dir, "node_modules", dep), target, "dir").catch(() => {});
    }
  }
  await writeFile(join(consumer, "package.json"), JSON.stringify({ type: "module", private: true }));
  // Runtime-free programs first, while the consumer has no @types/* at all.
  const programs = [];
  for (const p of packages) {
    const allowance = RUNTIME_TYPES[p.manifest.name] ?? {};
    const groups = new Map();
    for (const entry of _typedEntries(p.manifest)) {
      const types = [...(allowance[entry.key] ?? [])].sort();
      const id = types.join(",");
      if (!groups.has(id)) groups.set(id, { types, entries: [] });
      groups.get(id).entries.push(entry.specifier);
    }
    for (const group of groups.values()) programs.push({ p, ...group });
  }
  programs.sort((a, b) => a.types.length - b.types.length);
  const problems = [];
  for (const [n, { p, types, entries }] of programs.entries()) {
    for (const runtime of types) {
      const target = join(modules, "@types", runtime);
      await mkdir(dirname(target), { recursive: true });
      const own = join(p.dir, "node_modules", "@types", runtime);
      await symlink((await _exists(own)) ? own : join(ROOT, "node_modules", "@types", runtime), target, "dir").catch(() => {});
    }
    const file = join(consumer, `${p.manifest.name.replace("/", "__")}-${n}.ts`);
    await writeFile(file, entries.map((e, i) => `import type * as _e${i} from ${JSON.stringify(e)};\nexport type { _e${i} };\n`).join(""));
    await writeFile(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2023", "DOM", "DOM.Iterable", "DOM.AsyncIterable"],
          types,
          strict: true,
          skipLibCheck: false,
          noEmit: true,
        },
        files: [relative(consumer, file)],
      }),
    );
    try {
      await run(BIN("tsc"), ["-p", consumer], { cwd: consumer });
    } catch (error) {
      const out = (error.stdout || error.stderr || error.message).trim().replaceAll(`${consumer}/node_modules/`, "");
      problems.push({
        name: p.manifest.name,
        problem: `types: with types: ${JSON.stringify(types)} and skipLibCheck: false the published declarations of ${entries.join(", ")} do not compile:\n${out}`,
      });
    }
  }
  return problems;
}

async function _exists(path) {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const wanted = process.argv.slice(2);
  const all = await _publicPackages();
  const unknown = wanted.filter((w) => !all.some((p) => p.manifest.name === w));
  if (unknown.length > 0) {
    console.error(`Unknown package ${JSON.stringify(unknown[0])}: expected one of ${all.map((p) => p.manifest.name).join(", ")}`);
    return 2;
  }
  const selected = wanted.length === 0 ? all : all.filter((p) => wanted.includes(p.manifest.name));
  const work = await mkdtemp(join(tmpdir(), "sockets-packages-"));
  try {
    const tarballs = join(work, "tarballs");
    const filters = all.flatMap((p) => ["--filter", p.manifest.name]);
    await run("npx", [...PNPM, ...filters, "pack", "--pack-destination", tarballs], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    const packed = await readdir(tarballs);
    const packages = [];
    for (const p of all) {
      const base = p.manifest.name.replace(/^@/, "").replace("/", "-");
      const file = packed.find((f) => f.startsWith(`${base}-`) && f.endsWith(".tgz") && /^\d/.test(f.slice(base.length + 1)));
      if (file === undefined) throw new Error(`pnpm pack made no tarball for ${p.manifest.name}`);
      const extracted = join(work, "extracted", base);
      await mkdir(extracted, { recursive: true });
      await run("tar", ["-xzf", join(tarballs, file), "-C", extracted, "--strip-components=1"]);
      const manifest = JSON.parse(await readFile(join(extracted, "package.json"), "utf8"));
      packages.push({ ...p, manifest, tarball: join(tarballs, file), extracted });
    }

    const rootManifest = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
    const root = { licence: await readFile(join(ROOT, "LICENSE"), "utf8"), devDependencies: rootManifest.devDependencies ?? {} };
    const versions = new Map(packages.map((p) => [p.manifest.name, p.manifest.version]));
    const report = new Map();
    for (const p of packages.filter((x) => selected.some((s) => s.manifest.name === x.manifest.name))) {
      const files = await _contents(p.tarball);
      const problems = [
        ...(await _checkContents(files, p.manifest)),
        ...(await _publint(p.tarball)),
        ...(await _attw(p.tarball)),
        ...(await _checkDts(
          p.extracted,
          files.map((f) => f.replace(/^package\//, "")),
          p.manifest,
        )),
        ...(await checkManifest(p, versions, root)),
      ];
      report.set(p.manifest.name, { files: files.length, problems });
    }
    for (const { name, problem } of await _checkTypes(work, packages)) report.get(name)?.problems.push(problem);

    let failed = 0;
    for (const [name, { files, problems }] of report) {
      if (problems.length > 0) failed += 1;
      console.log(
        `${problems.length === 0 ? "PASS" : "FAIL"}  ${name} (${files} files)${problems.map((p) => `\n      ${p.replaceAll("\n", "\n      ")}`).join("")}`,
      );
    }
    console.log(
      `${report.size - failed}/${report.size} packages clean (contents, publint, attw --profile esm-only, .d.ts references, types: [] except RUNTIME_TYPES, licence and manifest).`,
    );
    return failed === 0 ? 0 : 1;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && join(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error?.stack ?? error);
      process.exit(1);
    },
  );
}
