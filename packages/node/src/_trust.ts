/**
 * Extra trusted roots (`caCerts`) on Node.
 *
 * Quirk: Node's `ca` option *replaces* the default trust store instead of adding to it
 * (https://nodejs.org/api/tls.html#tlscreatesecurecontextoptions), and the replacement
 * also drops the certificates of `NODE_EXTRA_CA_CERTS`. Our `caCerts` adds to the system
 * roots, so when it is non-empty we build the store ourselves: Node's bundled roots
 * (`tls.getCACertificates("default")` where it exists, Node ≥ 22.15; else
 * `tls.rootCertificates` plus the `NODE_EXTRA_CA_CERTS` file, read once), then `caCerts`.
 * When `caCerts` is empty we pass nothing, so Node's default store (with
 * `NODE_EXTRA_CA_CERTS`) is used untouched.
 *
 * Parsing ~140 roots into a `SecureContext` costs ~25 ms, so contexts are cached per
 * distinct `caCerts` list (a few entries; the common case is one private CA per process).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import * as tls from "node:tls";

const CACHE_LIMIT = 8;
const contexts = new Map<string, tls.SecureContext>();
let defaultRoots: readonly string[] | null = null;

function nodeDefaultRoots(): readonly string[] {
  if (defaultRoots !== null) return defaultRoots;
  const getCACertificates = (tls as { getCACertificates?: (type?: string) => string[] }).getCACertificates;
  if (typeof getCACertificates === "function") {
    defaultRoots = getCACertificates("default");
    return defaultRoots;
  }
  const roots = [...tls.rootCertificates];
  const extraFile = process.env.NODE_EXTRA_CA_CERTS;
  if (extraFile) {
    try {
      roots.push(readFileSync(extraFile, "utf8"));
    } catch {
      // Node itself warned at startup that the file could not be read, and ignored it.
    }
  }
  defaultRoots = roots;
  return roots;
}

/**
 * The `SecureContext` trusting the default roots plus `caCerts`, or `undefined` for Node's
 * default context when `caCerts` is empty.
 *
 * @example
 * ```ts
 * import * as tls from "node:tls";
 * import { secureContextFor } from "./_trust.js";
 * declare const privateCaPem: string;
 * tls.connect({ host: "db.internal", port: 5432, secureContext: secureContextFor([privateCaPem]) });
 * ```
 */
export function secureContextFor(caCerts: readonly string[]): tls.SecureContext | undefined {
  if (caCerts.length === 0) return undefined;
  const key = caCerts.join("\n");
  let context = contexts.get(key);
  if (context === undefined) {
    context = tls.createSecureContext({ ca: [...nodeDefaultRoots(), ...caCerts] });
    if (contexts.size >= CACHE_LIMIT) contexts.delete(contexts.keys().next().value as string);
    contexts.set(key, context);
  }
  return context;
}
