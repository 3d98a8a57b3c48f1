/**
 * Validation of `SocketOptions`, following WebIDL conversion where the spec defines the
 * type (enum → `TypeError`-class `SocketError`, boolean → truthiness, sequence → iterable)
 * and our decisions where it is silent (`sni`/`alpn` with `secureTransport: "off"` is an
 * error, not silently ignored).
 *
 * @module
 */
import { describe } from "./address.js";
import { SocketError } from "./socket-error.js";
import type { SecureTransportKind } from "./types.js";

/**
 * Options after validation, with defaults applied.
 *
 * @example
 * ```ts
 * import { resolveOptions, type ResolvedOptions } from "@sockets/core";
 * const options: ResolvedOptions = resolveOptions({ secureTransport: "starttls" });
 * options.allowHalfOpen; // false
 * ```
 */
export interface ResolvedOptions {
  readonly secureTransport: SecureTransportKind;
  readonly allowHalfOpen: boolean;
  readonly sni: string | null;
  readonly alpn: readonly string[];
  readonly signal: AbortSignal | undefined;
  readonly caCerts: readonly string[];
}

const IPV4_LIKE = /^[\d.]+$/;
const KINDS: readonly string[] = ["off", "on", "starttls"];
const SNI = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

function bad(name: string, value: unknown, expected: string): SocketError {
  return new SocketError(`Invalid option ${name} ${describe(value)}: expected ${expected}`, { code: "EINVAL" });
}

function stringList(name: string, value: unknown, check: (s: string) => boolean, expected: string): string[] {
  if (typeof value !== "object" || value === null || typeof (value as Iterable<unknown>)[Symbol.iterator] !== "function") {
    throw bad(name, value, expected);
  }
  const out: string[] = [];
  for (const item of value as Iterable<unknown>) {
    if (typeof item !== "string" || !check(item)) throw bad(name, value, expected);
    out.push(item);
  }
  return out;
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as AbortSignal).aborted === "boolean" &&
    typeof (value as AbortSignal).addEventListener === "function"
  );
}

/**
 * Validates `connect()` options; throws a `SocketError` (`code: "EINVAL"`) naming the bad
 * option, its value and what is expected.
 *
 * @example
 * ```ts
 * import { resolveOptions } from "@sockets/core";
 * resolveOptions({ secureTransport: "on", alpn: ["h2"] }).alpn; // ["h2"]
 * resolveOptions({ secureTransport: "tls" }); // throws SocketError: Invalid option secureTransport "tls" …
 * ```
 */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined || options === null) {
    return { secureTransport: "off", allowHalfOpen: false, sni: null, alpn: [], signal: undefined, caCerts: [] };
  }
  if (typeof options !== "object") throw bad("object", options, "an options object or undefined");
  const o = options as Record<string, unknown>;

  const secureTransport = o.secureTransport === undefined ? "off" : o.secureTransport;
  if (typeof secureTransport !== "string" || !KINDS.includes(secureTransport)) {
    throw bad("secureTransport", secureTransport, '"off", "on" or "starttls"');
  }
  const sni = o.sni === undefined || o.sni === null ? null : o.sni;
  if (sni !== null && (typeof sni !== "string" || sni.length > 253 || !SNI.test(sni) || IPV4_LIKE.test(sni))) {
    throw bad("sni", sni, "a DNS hostname (IP literals are never sent as SNI)");
  }
  const alpn =
    o.alpn === undefined || o.alpn === null
      ? []
      : stringList("alpn", o.alpn, (s) => s.length > 0 && s.length <= 255 && /^[\x21-\x7e]+$/.test(s), "an array of 1–255 character ASCII protocol names");
  if (secureTransport === "off" && (sni !== null || alpn.length > 0)) {
    throw bad(sni !== null ? "sni" : "alpn", sni ?? o.alpn, 'secureTransport "on" or "starttls" (TLS is off, so it would be ignored)');
  }
  const signal = o.signal;
  if (signal !== undefined && !isAbortSignal(signal)) throw bad("signal", signal, "an AbortSignal");
  const caCerts =
    o.caCerts === undefined || o.caCerts === null
      ? []
      : stringList("caCerts", o.caCerts, (s) => s.includes("-----BEGIN CERTIFICATE-----"), "an array of PEM certificates");

  return {
    secureTransport: secureTransport as SecureTransportKind,
    allowHalfOpen: Boolean(o.allowHalfOpen),
    sni: sni as string | null,
    alpn,
    signal: signal as AbortSignal | undefined,
    caCerts,
  };
}
