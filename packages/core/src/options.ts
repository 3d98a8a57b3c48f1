/**
 * Validation of `SocketOptions`, following WebIDL conversion where the spec defines the
 * type (enum → `TypeError`-class `SocketError`, boolean → truthiness, sequence → iterable)
 * and our decisions where it is silent (`sni`/`alpn` with `secureTransport: "off"` is an
 * error, not silently ignored).
 *
 * @module
 */
import { NO_STRINGS } from "./_no-tls.js";
import { alpnList, badOption as bad, optionalSignal, pemCertificates } from "./_option-checks.js";
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

/**
 * Most connections' options: plain TCP, no TLS options, no signal. Shared and frozen, so
 * such a socket keeps no options object (and no empty arrays) of its own.
 */
const PLAIN: ResolvedOptions = Object.freeze({
  secureTransport: "off",
  allowHalfOpen: false,
  sni: null,
  alpn: NO_STRINGS,
  signal: undefined,
  caCerts: NO_STRINGS,
});
const PLAIN_HALF_OPEN: ResolvedOptions = Object.freeze({ ...PLAIN, allowHalfOpen: true });

const IPV4_LIKE = /^[\d.]+$/;
const KINDS: readonly string[] = ["off", "on", "starttls"];
const SNI = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

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
  if (options === undefined || options === null) return PLAIN;
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
  const alpn = o.alpn === undefined || o.alpn === null ? NO_STRINGS : alpnList("alpn", o.alpn);
  if (secureTransport === "off" && (sni !== null || alpn.length > 0)) {
    throw bad(sni !== null ? "sni" : "alpn", sni ?? o.alpn, 'secureTransport "on" or "starttls" (TLS is off, so it would be ignored)');
  }
  const signal = optionalSignal(o.signal);
  const caCerts = o.caCerts === undefined || o.caCerts === null ? NO_STRINGS : pemCertificates("caCerts", o.caCerts);
  // "off" already refused sni and alpn above.
  if (secureTransport === "off" && signal === undefined && caCerts.length === 0) return o.allowHalfOpen ? PLAIN_HALF_OPEN : PLAIN;

  return {
    secureTransport: secureTransport as SecureTransportKind,
    allowHalfOpen: Boolean(o.allowHalfOpen),
    sni: sni as string | null,
    alpn,
    signal,
    caCerts,
  };
}
