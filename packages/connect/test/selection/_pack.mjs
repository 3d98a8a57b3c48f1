// Packs the workspace packages @sockets/connect needs (pnpm rewrites workspace:* to real
// versions, exactly what a publish would upload) and installs the tarballs into a fresh
// consumer project as ordinary dependencies: no relative paths, no workspace links.
import { cp, mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./_children.mjs";

export const PACKAGES = ["core", "node", "deno", "bun", "connect"];
const PNPM = ["--yes", "pnpm@12.21.0"];

/** Packs into `dir`; returns { "@sockets/core": "/…/sockets-core-0.0.0.tgz", … }. */
export async function packAll(root, dir) {
  await mkdir(dir, { recursive: true });
  const filters = PACKAGES.flatMap((p) => ["--filter", `@sockets/${p}`]);
  const packed = await run("npx", [...PNPM, ...filters, "pack", "--pack-destination", dir], { cwd: root, timeoutMs: 120_000 });
  if (packed.code !== 0) throw new Error(`pnpm pack failed (${packed.code}):\n${packed.stdout}\n${packed.stderr}`);
  const files = await readdir(dir);
  const tarballs = {};
  for (const name of PACKAGES) {
    const file = files.find((f) => f.startsWith(`sockets-${name}-`) && f.endsWith(".tgz"));
    if (file === undefined) throw new Error(`pnpm pack produced no tarball for @sockets/${name} in ${dir}: ${files.join(", ")}`);
    tarballs[`@sockets/${name}`] = join(dir, file);
  }
  return tarballs;
}

/** A consumer project in `dir` with every tarball installed by npm, offline. */
export async function makeConsumer(dir, tarballs, fixtures) {
  await mkdir(dir, { recursive: true });
  await cp(fixtures, dir, { recursive: true });
  const dependencies = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]));
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "selection-consumer", private: true, type: "module", dependencies }, null, 2),
  );
  const installed = await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"], {
    cwd: dir,
    timeoutMs: 120_000,
  });
  if (installed.code !== 0)
    throw new Error(`npm install of the tarballs failed (${installed.code}):\n${installed.stdout}\n${installed.stderr}`);
}
