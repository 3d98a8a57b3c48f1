/**
 * The checks every options validator shares (`connect()`, `listen()`, `udp()`): one error
 * shape, one reading of lists, signals, ALPN names and PEM certificates.
 *
 * @module
 */
import { describe } from "./address.js";
import { SocketError } from "./socket-error.js";

/** A `SocketError` `EINVAL` naming the option, its value and what was expected. */
export function badOption(name: string, value: unknown, expected: string): SocketError {
  return new SocketError(`Invalid option ${name} ${describe(value)}: expected ${expected}`, { code: "EINVAL" });
}

/** A WebIDL-style sequence of strings, each passing `check`. */
export function stringList(name: string, value: unknown, check: (s: string) => boolean, expected: string): string[] {
  if (typeof value !== "object" || value === null || typeof (value as Iterable<unknown>)[Symbol.iterator] !== "function") {
    throw badOption(name, value, expected);
  }
  const out: string[] = [];
  for (const item of value as Iterable<unknown>) {
    if (typeof item !== "string" || !check(item)) throw badOption(name, value, expected);
    out.push(item);
  }
  return out;
}

/** ALPN protocol names: 1–255 printable ASCII characters each (`undefined`/`null`: none). */
export function alpnList(name: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return stringList(
    name,
    value,
    (s) => s.length > 0 && s.length <= 255 && /^[\x21-\x7e]+$/.test(s),
    "an array of 1–255 character ASCII protocol names",
  );
}

/** PEM certificates (`undefined`/`null`: none). */
export function pemCertificates(name: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return stringList(name, value, isPemCertificates, "an array of PEM certificates (each BEGIN/END CERTIFICATE block holding base64 DER)");
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----/g;

/**
 * One or more well-formed PEM certificate blocks: each `BEGIN` has its `END`, and each body
 * is base64 of a DER `SEQUENCE`. Text between blocks (a bundle's comments) is allowed. A
 * malformed block is refused here because the runtimes disagree about it later (Node
 * skipped it and trusted the rest, Deno failed the handshake, Bun said `EUNKNOWN`).
 */
function isPemCertificates(text: string): boolean {
  const begins = text.split("-----BEGIN CERTIFICATE-----").length - 1;
  if (begins === 0) return false;
  let blocks = 0;
  for (const match of text.matchAll(PEM_BLOCK)) {
    const body = match[1]!.replace(/\s+/g, "");
    if (body.length < 4 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return false;
    let der: string;
    try {
      der = atob(body);
    } catch {
      return false;
    }
    if (der.charCodeAt(0) !== 0x30) return false; // a DER SEQUENCE
    blocks++;
  }
  return blocks === begins;
}

/** An `AbortSignal`, or `undefined`; anything else is an error. */
export function optionalSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value === "object" &&
    value !== null &&
    typeof (value as AbortSignal).aborted === "boolean" &&
    typeof (value as AbortSignal).addEventListener === "function"
  ) {
    return value as AbortSignal;
  }
  throw badOption("signal", value, "an AbortSignal");
}

/** An integer in `[min, max]`, or `fallback` when absent. */
export function integerOption(name: string, value: unknown, min: number, max: number, fallback: number): number;
export function integerOption(name: string, value: unknown, min: number, max: number, fallback: undefined): number | undefined;
export function integerOption(name: string, value: unknown, min: number, max: number, fallback: number | undefined): number | undefined {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
  throw badOption(name, value, `an integer from ${min} to ${max}`);
}
