#!/usr/bin/env node
// The release, rehearsed without publishing anything. In a scratch copy of the repository
// (the files git tracks or would track, plus the built dist/ folders; no node_modules: the
// tools run from this checkout's, so nothing is installed or built again):
//
//   1. the root `version` script (`changeset version` with one synthetic patch changeset when
//      the repository has none pending, so there is always a release to check, then
//      scripts/sync-jsr-versions.mjs), run as pnpm would, with node_modules/.bin on PATH;
//   2. the fixed group: .changeset/config.json's one fixed group is exactly the public
//      packages, and every one of them moved to one new version, higher than today's, with a
//      CHANGELOG.md entry; private packages untouched;
//   3. `pnpm publish -r --dry-run --no-git-checks`: pnpm would publish every public package
//      at that version;
//   4. `pnpm pack` of every public package, and on each packed manifest the checks of
//      scripts/check-packages.mjs (`checkManifest`: LICENSE, no `workspace:` left, @sockets/*
//      ranges at the new version, optional peers, engines);
//   5. scripts/jsr.mjs's check on the copy: jsr.json at the new version and
//      `deno publish --dry-run` of the JSR packages at it.
//
// Build first (turbo run build). Network: only the npm registry (pnpm publish --dry-run
// asks it which versions exist). Usage: node scripts/release-dry-run.mjs [--keep]
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { checkManifest } from "./check-packages.mjs";
import { checkJsr, publicPackages } from "./jsr.mjs";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PNPM = ["--yes", "pnpm@12.21.0"];
const BIG = 64 * 1024 * 1024;

async function _exists(path) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A copy of the working tree as git sees it, with the built dist/ folders. */
async function _scratchCopy(work) {
  const copy = join(work, "repo");
  const { stdout } = await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, maxBuffer: BIG });
  for (const file of stdout.split("\0").filter(Boolean)) {
    if (!(await _exists(join(ROOT, file)))) continue; // deleted in the working tree
    await mkdir(dirname(join(copy, file)), { recursive: true });
    await cp(join(ROOT, file), join(copy, file));
  }
  const { stdout: list } = await run("npx", [...PNPM, "ls", "-r", "--depth", "-1", "--json"], { cwd: ROOT, maxBuffer: BIG });
  const workspace = [];
  for (const { path } of JSON.parse(list)) {
    const rel = path.slice(ROOT.length).replace(/^\/+/, "");
    workspace.push(rel);
    if (await _exists(join(path, "dist"))) await cp(join(path, "dist"), join(copy, rel, "dist"), { recursive: true });
  }
  return { copy, workspace };
}

async function _pendingChangesets(dir) {
  return (await readdir(join(dir, ".changeset"))).filter((f) => f.endsWith(".md") && f !== "README.md");
}

async function main() {
  const keep = process.argv.includes("--keep");
  const started = Date.now();
  const work = await mkdtemp(join(tmpdir(), "sockets-release-"));
  const problems = [];
  const step = (what) => console.log(`release dry run: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  try {
    const { copy, workspace } = await _scratchCopy(work);
    const before = await publicPackages(copy);
    const privateBefore = await _privateVersions(copy, workspace);
    step(`copied the repository, ${before.length} public packages at ${[...new Set(before.map((p) => p.manifest.version))].join(", ")}`);

    if ((await _pendingChangesets(copy)).length === 0) {
      await writeFile(
        join(copy, ".changeset", "release-dry-run.md"),
        `---\n"${before[0].manifest.name}": patch\n---\n\nRelease dry run.\n`,
      );
      step("no pending changesets: added a synthetic patch one");
    }
    const script = JSON.parse(await readFile(join(copy, "package.json"), "utf8")).scripts?.version;
    if (typeof script !== "string" || !/changeset version/.test(script) || !/sync-jsr-versions/.test(script))
      problems.push(`the root version script is ${JSON.stringify(script)}: expected changeset version, then scripts/sync-jsr-versions.mjs`);
    const env = { ...process.env, PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH}` };
    await run("sh", ["-c", script ?? "false"], { cwd: copy, env, maxBuffer: BIG });
    step(`version script: ${script}`);

    const config = JSON.parse(await readFile(join(copy, ".changeset", "config.json"), "utf8"));
    const group = [...(config.fixed?.[0] ?? [])].sort().join(", ");
    const expected = before
      .map((p) => p.manifest.name)
      .sort()
      .join(", ");
    if (config.fixed?.length !== 1 || group !== expected)
      problems.push(`.changeset/config.json: the fixed group is [${group}], expected the public packages [${expected}]`);

    const after = await publicPackages(copy);
    const versions = new Set(after.map((p) => p.manifest.version));
    const next = [...versions][0];
    if (versions.size !== 1)
      problems.push(`fixed group: the public packages are at ${[...versions].join(", ")} after changeset version, expected one version`);
    for (const p of after) {
      const old = before.find((b) => b.manifest.name === p.manifest.name)?.manifest.version;
      if (_compare(p.manifest.version, old) <= 0)
        problems.push(`fixed group: ${p.manifest.name} is still at ${p.manifest.version} (was ${old})`);
      const changelog = await readFile(join(p.dir, "CHANGELOG.md"), "utf8").catch(() => "");
      if (!changelog.includes(`## ${p.manifest.version}`))
        problems.push(`changelog: ${p.manifest.name} has no CHANGELOG.md entry for ${p.manifest.version}`);
    }
    for (const [name, version] of await _privateVersions(copy, workspace)) {
      if (privateBefore.get(name) !== version)
        problems.push(`private package ${name} was versioned (${privateBefore.get(name)} → ${version})`);
    }
    if ((await _pendingChangesets(copy)).length !== 0) problems.push("changeset version left changesets behind");

    const filters = after.flatMap((p) => ["--filter", p.manifest.name]);
    try {
      const { stdout, stderr } = await run("npx", [...PNPM, "-r", ...filters, "publish", "--dry-run", "--no-git-checks"], {
        cwd: copy,
        maxBuffer: BIG,
      });
      const output = `${stdout}${stderr}`;
      for (const p of after) {
        if (!output.includes(`${p.manifest.name}@${p.manifest.version}`))
          problems.push(`pnpm publish -r --dry-run did not publish ${p.manifest.name}@${p.manifest.version}`);
      }
    } catch (error) {
      problems.push(`pnpm publish -r --dry-run failed:\n${(error.stdout || "") + (error.stderr || error.message)}`.trim());
    }
    step("pnpm publish -r --dry-run");

    const tarballs = join(work, "tarballs");
    await run("npx", [...PNPM, ...filters, "pack", "--pack-destination", tarballs], { cwd: copy, maxBuffer: BIG });
    const packed = await readdir(tarballs);
    const root = {
      licence: await readFile(join(copy, "LICENSE"), "utf8"),
      devDependencies: JSON.parse(await readFile(join(copy, "package.json"), "utf8")).devDependencies ?? {},
    };
    const versionMap = new Map(after.map((p) => [p.manifest.name, p.manifest.version]));
    for (const p of after) {
      const file = packed.find((f) => f === `${p.manifest.name.replace(/^@/, "").replace("/", "-")}-${p.manifest.version}.tgz`);
      if (file === undefined) {
        problems.push(`pnpm pack made no tarball for ${p.manifest.name}@${p.manifest.version}`);
        continue;
      }
      const extracted = join(work, "extracted", file);
      await mkdir(extracted, { recursive: true });
      await run("tar", ["-xzf", join(tarballs, file), "-C", extracted, "--strip-components=1"]);
      const manifest = JSON.parse(await readFile(join(extracted, "package.json"), "utf8"));
      for (const problem of await checkManifest({ manifest, extracted }, versionMap, root)) problems.push(`${p.manifest.name}: ${problem}`);
    }
    step(`pnpm pack: ${after.length} packed manifests checked`);

    const jsr = await checkJsr({ root: copy });
    for (const problem of jsr.problems) problems.push(`jsr at ${next}: ${problem}`);
    step(`deno publish --dry-run: ${jsr.published.join(", ")}`);

    for (const p of problems) console.log(`FAIL  ${p.replaceAll("\n", "\n      ")}`);
    console.log(
      problems.length === 0
        ? `release dry run: ${after.length} packages would be published at ${next} (npm and JSR), in ${((Date.now() - started) / 1000).toFixed(1)} s`
        : `release dry run: ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
    );
    if (keep) console.log(`kept ${work}`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    if (!keep) await rm(work, { recursive: true, force: true });
  }
}

/** Name → version of the private workspace packages (`workspace`: their directories). */
async function _privateVersions(dir, workspace) {
  const found = new Map();
  for (const rel of workspace) {
    const manifest = JSON.parse(await readFile(join(dir, rel, "package.json"), "utf8").catch(() => "{}"));
    if (manifest.private === true && manifest.name) found.set(manifest.name, manifest.version);
  }
  return found;
}

/** Compares two x.y.z versions (pre-release tags ignored). */
function _compare(a, b) {
  const pa = String(a).split(/[.-]/).map(Number);
  const pb = String(b).split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error?.stack ?? error);
    process.exit(1);
  },
);
