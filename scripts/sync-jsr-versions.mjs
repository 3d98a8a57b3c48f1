#!/usr/bin/env node
// Keeps every jsr.json in step with its package.json after `changeset version` (the root
// `version` script runs both): the same version and licence, and each `@sockets/*` entry
// of `imports` at `jsr:@sockets/<name>@^<version>` of that package. npm and JSR then publish
// the same fixed-group version. `node scripts/jsr.mjs check` fails while they differ.
//
// Usage: node scripts/sync-jsr-versions.mjs   (prints what it changed)
import { readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { publicPackages } from "./jsr.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const all = await publicPackages(ROOT);
const versions = new Map(all.map((p) => [p.manifest.name, p.manifest.version]));
let changed = 0;
for (const { dir, manifest, jsr } of all.filter((p) => p.jsr)) {
  const file = join(dir, "jsr.json");
  const next = { ...jsr, version: manifest.version, license: manifest.license };
  if (jsr.imports) {
    next.imports = Object.fromEntries(
      Object.entries(jsr.imports).map(([name, target]) => [
        name,
        name.startsWith("@sockets/") && versions.has(name) ? `jsr:${name}@^${versions.get(name)}` : target,
      ]),
    );
  }
  const text = `${JSON.stringify(next, null, 2)}\n`;
  if (text !== (await readFile(file, "utf8"))) {
    await writeFile(file, text);
    changed += 1;
    console.log(`${relative(ROOT, file)}: ${manifest.name}@${manifest.version}`);
  }
}
console.log(
  changed === 0 ? "jsr.json files already in step with package.json" : `${changed} jsr.json file${changed === 1 ? "" : "s"} updated`,
);
