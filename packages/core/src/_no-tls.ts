/**
 * The `TlsRequest` of a socket that can never start TLS (plain `connect()`, accepted
 * sockets of a plain or TLS listener): `startTls()` refuses before it would be read. One
 * frozen object for all of them, so such a socket keeps no TLS request of its own.
 *
 * @module
 */
import type { TlsRequest } from "./transport.js";

const NONE: readonly string[] = Object.freeze([]);

/** Never read: see the module documentation. */
export const NO_CLIENT_TLS: TlsRequest = Object.freeze({ verifyName: "", serverName: null, alpn: NONE, caCerts: NONE });
