#!/usr/bin/env node
// Regenerates the conformance section of a README from a JSON report written by
// `sockets-conformance --json FILE`: everything between the markers
//   <!-- conformance:start -->  and  <!-- conformance:end -->
// is replaced by the Markdown rendering of the report. Never type the table by hand.
//
// Usage: node conformance/scripts/update-readme-matrix.mjs [report.json] [README.md]
//   defaults: conformance/matrix.json and README.md at the repository root.
//   --check: exit 1 if the README is not up to date (for CI), without writing.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const START = "<!-- conformance:start -->";
const END = "<!-- conformance:end -->";
const root = fileURLToPath(new URL("../../", import.meta.url));
const args = process.argv.slice(2);
const check = args.includes("--check");
const [reportFile = `${root}conformance/matrix.json`, readmeFile = `${root}README.md`] = args.filter((a) => a !== "--check");

let renderMarkdown;
try {
  ({ renderMarkdown } = await import("../dist/cli/render-markdown.js"));
} catch (error) {
  fail(`cannot load the renderer from conformance/dist (build @sockets/conformance first): ${error.message}`);
}
const report = JSON.parse(await readFile(reportFile, "utf8").catch((e) => fail(`cannot read the report "${reportFile}": ${e.message}`)));
if (report.version !== 1 || !Array.isArray(report.columns)) fail(`"${reportFile}" is not a sockets-conformance JSON report`);
const readme = await readFile(readmeFile, "utf8").catch((e) => fail(`cannot read "${readmeFile}": ${e.message}`));
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start === -1 || end === -1 || end < start) fail(`"${readmeFile}" has no ${START} … ${END} markers`);

const command = "npx --yes pnpm@12.21.0 conformance && node conformance/scripts/update-readme-matrix.mjs";
const body = `${START}\n<!-- Generated from ${relative(reportFile)} by conformance/scripts/update-readme-matrix.mjs (${command}). Do not edit. -->\n\n${renderMarkdown(report, 3)}\n${END}`;
const next = readme.slice(0, start) + body + readme.slice(end + END.length);
if (check) {
  if (next !== readme) fail(`"${readmeFile}" is out of date: run ${command}`);
  console.log(`${readmeFile} is up to date`);
} else if (next === readme) {
  console.log(`${readmeFile} already up to date`);
} else {
  await writeFile(readmeFile, next);
  console.log(`updated the conformance matrix in ${readmeFile} (${report.columns.map((c) => c.name).join(", ")})`);
}

function relative(file) {
  return file.startsWith(root) ? file.slice(root.length) : file;
}

function fail(message) {
  console.error(`update-readme-matrix: ${message}`);
  process.exit(1);
}
