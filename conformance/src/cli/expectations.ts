/**
 * Known gaps are data: `expectations/<column>.json` maps a case ID to the status it is
 * expected to have on that column (`fail`, or `skip` for a case that must not run there),
 * with the reason and an upstream link. This module loads those files and classifies each
 * result against them.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expectationsFileName } from "./columns.js";

/**
 * One known gap.
 *
 * @example
 * ```ts
 * import type { Expectation } from "@sockets/conformance";
 * const gap: Expectation = { status: "fail", reason: "opened rejects with a plain Error", link: "https://github.com/cloudflare/workerd/issues/1" };
 * ```
 */
export interface Expectation {
  status: "fail" | "skip";
  reason: string;
  link?: string;
}

/**
 * Case ID → expectation.
 *
 * @example
 * ```ts
 * import { readFile } from "node:fs/promises";
 * import { validateExpectations, type Expectations } from "@sockets/conformance";
 * const file = "conformance/expectations/workerd.json";
 * const expectations: Expectations = validateExpectations(JSON.parse(await readFile(file, "utf8")), file);
 * console.log(Object.keys(expectations)); // the case IDs with a known gap on workerd
 * ```
 */
export type Expectations = Record<string, Expectation>;

/**
 * A cell of the matrix: `xfail` is an expected failure, `xpass` an expected failure that
 * passed (unexpected, like `fail`).
 *
 * @example
 * ```ts
 * import { classify, type CellStatus } from "@sockets/conformance";
 * const status: CellStatus = classify("fail", { status: "fail", reason: "…" }); // "xfail"
 * const unexpected = status === "fail" || status === "xpass"; // false
 * ```
 */
export type CellStatus = "pass" | "fail" | "xfail" | "xpass" | "skip";

/**
 * Loads the expectations of a column: `path` is a directory holding `<column>.json`, or a
 * single file. A missing file in a directory means "every case passes".
 *
 * @example
 * ```ts
 * import { loadExpectations } from "./expectations.js";
 * const { expectations, file } = loadExpectations("conformance/expectations", "workerd");
 * ```
 */
export function loadExpectations(path: string, column: string): { expectations: Expectations; file: string | null } {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, expectationsFileName(column)) : path;
  if (!existsSync(file)) {
    if (file === path) throw new Error(`Expectations file "${path}" does not exist`);
    return { expectations: {}, file: null };
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`Expectations file "${file}" is not valid JSON: ${(error as Error).message}`);
  }
  return { expectations: validateExpectations(data, file), file };
}

/**
 * Checks the shape of an expectations object; throws naming the bad entry.
 *
 * @example
 * ```ts
 * import { validateExpectations } from "@sockets/conformance";
 * validateExpectations({ "close/idempotent": { status: "fail", reason: "…" } }, "inline");
 * ```
 */
export function validateExpectations(data: unknown, where: string): Expectations {
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new Error(`Expectations in "${where}" must be an object of case ID → { status, reason, link }`);
  const out: Expectations = {};
  for (const [id, value] of Object.entries(data as Record<string, unknown>)) {
    if (id.startsWith("$")) continue; // "$comment", "$schema"
    const v = value as Partial<Expectation> | null;
    if (typeof v !== "object" || v === null || (v.status !== "fail" && v.status !== "skip"))
      throw new Error(`Expectation "${id}" in "${where}" needs status "fail" or "skip", got ${JSON.stringify(v?.status)}`);
    if (typeof v.reason !== "string" || v.reason.trim() === "") throw new Error(`Expectation "${id}" in "${where}" needs a reason`);
    if (v.link !== undefined && !/^https?:\/\//.test(v.link))
      throw new Error(`Expectation "${id}" in "${where}" has a link that is not a URL: "${v.link}"`);
    out[id] = { status: v.status, reason: v.reason, ...(v.link === undefined ? {} : { link: v.link }) };
  }
  return out;
}

/**
 * Classifies a raw result against its expectation.
 *
 * @example
 * ```ts
 * import { classify } from "@sockets/conformance";
 * classify("pass", { status: "fail", reason: "…" }); // "xpass": unexpected
 * ```
 */
export function classify(raw: "pass" | "fail" | "skip", expectation: Expectation | undefined): CellStatus {
  if (raw === "skip") return "skip";
  if (expectation?.status === "fail") return raw === "pass" ? "xpass" : "xfail";
  return raw;
}

/**
 * Whether a cell makes the run fail.
 *
 * @example
 * ```ts
 * import { isUnexpected } from "./expectations.js";
 * isUnexpected("xfail"); // false
 * ```
 */
export function isUnexpected(status: CellStatus): boolean {
  return status === "fail" || status === "xpass";
}
