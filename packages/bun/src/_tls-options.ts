/**
 * Turns core's {@link TlsRequest} and {@link ServerTlsRequest} into `tls` options for `Bun.connect`, `Bun.listen` and `upgradeTLS`.
 *
 * What Bun does differently, and what this file does about it:
 *
 * - **SNI.** With an IP literal as `hostname` and no `serverName`, Bun sends the IP as SNI
 *   (RFC 6066 forbids it; Node and Deno send none). `serverName: ""` suppresses SNI and
 *   still verifies the certificate against the dialled address (its IP SAN).
 * - **ALPN.** `ALPNProtocols` must be *wire format* (each name prefixed with its length
 *   byte). A plain string silently offers nothing; an array is a `TypeError`.
 * - **CA.** `tls.ca` *replaces* the bundled roots (and `NODE_EXTRA_CA_CERTS`). The
 *   `caCerts` extension adds roots, so they are appended to `node:tls`'
 *   `getCACertificates("default")` (bundled + `NODE_EXTRA_CA_CERTS`, what Bun trusts by
 *   default). With no `caCerts`, `ca` stays unset and Bun's own defaults apply.
 * - **Verification.** `rejectUnauthorized` is always `true` (Bun 1.4.0 canaries did not
 *   enforce it, oven-sh/bun#33846; the handshake handler checks the error too).
 * - **A server key that does not match its certificate** (or a PEM body that does not
 *   decode) makes `Bun.listen({ tls })` throw, which `listen()` could only report as a
 *   rejected `opened`; a `"starttls"` listener has no `tls` to check, and every
 *   `startTls()` would fail. `node:tls`' `createSecureContext` builds the same native
 *   context (the same BoringSSL errors, verified on 1.4.5) synchronously:
 *   {@link checkServerTls} makes it a synchronous `SocketError` `EINVAL`, as on Node.
 *
 * @module
 */
import * as nodeTls from "node:tls";
import { SocketError, type ServerTlsRequest, type TlsRequest } from "@sockets/core";

let roots: readonly string[] | null = null;

/** Bun's default trust store as PEM strings, read once. */
function defaultRoots(): readonly string[] {
  if (roots === null) {
    const get = (nodeTls as { getCACertificates?: (type: "default") => string[] }).getCACertificates;
    roots = typeof get === "function" ? get("default") : nodeTls.rootCertificates;
  }
  return roots;
}

/**
 * ALPN protocol names in TLS wire format: `[len, ...ascii, len, ...ascii]`.
 *
 * @example
 * ```ts
 * import { alpnWire } from "./_tls-options.js";
 * alpnWire(["h2", "http/1.1"]); // Uint8Array [2, 104, 50, 8, 104, 116, …]
 * ```
 */
export function alpnWire(protocols: readonly string[]): Uint8Array {
  let size = 0;
  for (const name of protocols) size += 1 + name.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const name of protocols) {
    out[at++] = name.length;
    // Core validated the names as printable ASCII, so one char is one byte.
    for (let i = 0; i < name.length; i++) out[at++] = name.charCodeAt(i);
  }
  return out;
}

/**
 * The `tls` option for `Bun.connect` / `socket.upgradeTLS`.
 *
 * @param hostname the dialled host (IPv6 without brackets)
 * @example
 * ```ts
 * import { bunTlsOptions } from "./_tls-options.js";
 * const tls = bunTlsOptions({ verifyName: "127.0.0.1", serverName: null, alpn: ["h2"], caCerts: [] }, "127.0.0.1");
 * tls.serverName; // "" (no SNI for an IP literal; Bun verifies against the dialled IP)
 * ```
 */
export function bunTlsOptions(tls: TlsRequest, hostname: string): Bun.TLSOptions {
  // serverName is both the SNI and the verification name in Bun. "" means "no SNI,
  // verify against the dialled host", which is right whenever that host is the name to
  // verify; core never asks otherwise, but if it did, verifying the right name wins.
  const serverName = tls.serverName ?? (tls.verifyName.toLowerCase() === hostname.toLowerCase() ? "" : tls.verifyName);
  const options: Bun.TLSOptions = { serverName, rejectUnauthorized: true };
  if (tls.alpn.length > 0) options.ALPNProtocols = alpnWire(tls.alpn);
  if (tls.caCerts.length > 0) options.ca = [...defaultRoots(), ...tls.caCerts];
  return options;
}

/**
 * The `tls` option for a server: `Bun.listen({ tls })` and an accepted socket's
 * `upgradeTLS({ isServer: true })`. ALPN in wire format (as for clients); client
 * certificates are requested and verified against `caCerts` only with `requestCert`.
 *
 * @example
 * ```ts
 * import { bunServerTlsOptions } from "./_tls-options.js";
 * declare const cert: string, key: string;
 * const tls = bunServerTlsOptions({ role: "server", cert, key, alpn: ["x-test"], requestCert: false, caCerts: [], handshakeTimeout: 10_000 });
 * ```
 */
export function bunServerTlsOptions(tls: ServerTlsRequest): Bun.TLSOptions {
  const options: Bun.TLSOptions = { cert: tls.cert, key: tls.key };
  if (tls.alpn.length > 0) options.ALPNProtocols = alpnWire(tls.alpn);
  if (tls.requestCert) Object.assign(options, { requestCert: true, rejectUnauthorized: true, ca: [...tls.caCerts] });
  return options;
}

/**
 * Refuses, now, a listener's certificate and key (and client CA) that Bun cannot use: a
 * key that does not match the certificate, a PEM body that does not decode. Builds the
 * context once with `node:tls`' `createSecureContext` (Bun's native one, ~0.5 ms) and
 * throws a `SocketError` `EINVAL` naming the option; the key is never quoted.
 *
 * @example
 * ```ts
 * import { checkServerTls } from "./_tls-options.js";
 * declare const request: import("@sockets/core").ServerTlsRequest;
 * checkServerTls(request); // throws SocketError EINVAL when Bun refuses the pair
 * ```
 */
export function checkServerTls(tls: ServerTlsRequest): void {
  try {
    nodeTls.createSecureContext({ cert: tls.cert, key: tls.key, ...(tls.requestCert ? { ca: [...tls.caCerts] } : {}) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SocketError(`Invalid option tls: Bun ${Bun.version} cannot use this certificate and key (${reason})`, {
      code: "EINVAL",
      cause: error,
    });
  }
}
