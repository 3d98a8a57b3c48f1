/**
 * Validation of `listen()` options: a synchronous `SocketError` `EINVAL` naming the bad
 * option and what is expected, before anything is bound. A private key is never echoed in
 * a message (only its length).
 *
 * @module
 */
import { alpnList, badOption, integerOption, optionalSignal, pemCertificates } from "./_option-checks.js";
import type { ServerTlsRequest } from "./listener-transport.js";
import { SocketError } from "./socket-error.js";
import type { SecureTransportKind } from "./types.js";

/**
 * `listen()` options after validation, with defaults applied.
 *
 * @example
 * ```ts
 * import { resolveListenOptions, type ResolvedListenOptions } from "@sockets/core";
 * const options: ResolvedListenOptions = resolveListenOptions(undefined);
 * options.highWaterMark; // 8
 * ```
 */
export interface ResolvedListenOptions {
  readonly secureTransport: SecureTransportKind;
  /** Set for `"on"` and `"starttls"`. */
  readonly tls: ServerTlsRequest | null;
  readonly allowHalfOpen: boolean;
  readonly backlog: number | undefined;
  readonly ipv6Only: boolean;
  readonly reusePort: boolean;
  readonly signal: AbortSignal | undefined;
  readonly highWaterMark: number;
}

/** Unclaimed accepted sockets kept by default: enough for a burst, small enough to shed load early. */
const DEFAULT_HIGH_WATER_MARK = 8;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
const KINDS: readonly string[] = ["off", "on", "starttls"];
const PEM_KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;

function secret(value: unknown): string {
  return typeof value === "string" ? `(a string of ${value.length} characters)` : `(${value === null ? "null" : typeof value})`;
}

function resolveTls(value: unknown, handshakeTimeout: number): ServerTlsRequest {
  if (typeof value !== "object" || value === null) throw badOption("tls", value, "an object { cert, key } of PEM strings");
  const t = value as Record<string, unknown>;
  if (typeof t.cert !== "string" || !t.cert.includes("-----BEGIN CERTIFICATE-----")) {
    throw badOption("tls.cert", t.cert, 'a PEM certificate chain ("-----BEGIN CERTIFICATE-----…")');
  }
  if (typeof t.key !== "string" || !PEM_KEY.test(t.key)) {
    throw new SocketError(`Invalid option tls.key ${secret(t.key)}: expected a PEM private key ("-----BEGIN PRIVATE KEY-----…")`, {
      code: "EINVAL",
    });
  }
  const requestCert = Boolean(t.requestCert);
  const caCerts = pemCertificates("tls.caCerts", t.caCerts);
  if (requestCert && caCerts.length === 0) {
    throw badOption("tls.caCerts", t.caCerts, "the PEM roots client certificates must chain to (tls.requestCert is true)");
  }
  return { role: "server", cert: t.cert, key: t.key, alpn: alpnList("tls.alpn", t.alpn), requestCert, caCerts, handshakeTimeout };
}

/**
 * Validates `listen()` options; throws a `SocketError` (`code: "EINVAL"`) naming the bad
 * option, its value and what is expected.
 *
 * @example
 * ```ts
 * import { resolveListenOptions } from "@sockets/core";
 * resolveListenOptions({ backlog: 128 }).backlog; // 128
 * resolveListenOptions({ secureTransport: "on" }); // throws: Invalid option tls undefined: expected an object { cert, key } …
 * ```
 */
export function resolveListenOptions(options: unknown): ResolvedListenOptions {
  if (options === undefined || options === null) options = {};
  if (typeof options !== "object") throw badOption("object", options, "an options object or undefined");
  const o = options as Record<string, unknown>;
  const secureTransport = o.secureTransport === undefined ? "off" : o.secureTransport;
  if (typeof secureTransport !== "string" || !KINDS.includes(secureTransport)) {
    throw badOption("secureTransport", secureTransport, '"off", "on" or "starttls"');
  }
  const handshakeTimeout = integerOption("handshakeTimeout", o.handshakeTimeout, 1, 2 ** 31 - 1, DEFAULT_HANDSHAKE_TIMEOUT_MS);
  let tls: ServerTlsRequest | null = null;
  if (secureTransport === "off") {
    if (o.tls !== undefined && o.tls !== null) {
      throw badOption("tls", "{…}", 'secureTransport "on" or "starttls" (TLS is off, so it would be ignored)');
    }
  } else {
    tls = resolveTls(o.tls, handshakeTimeout);
  }
  return {
    secureTransport: secureTransport as SecureTransportKind,
    tls,
    allowHalfOpen: Boolean(o.allowHalfOpen),
    backlog: integerOption("backlog", o.backlog, 1, 2 ** 31 - 1, undefined),
    ipv6Only: Boolean(o.ipv6Only),
    reusePort: Boolean(o.reusePort),
    signal: optionalSignal(o.signal),
    highWaterMark: integerOption("highWaterMark", o.highWaterMark, 0, 2 ** 16, DEFAULT_HIGH_WATER_MARK),
  };
}
