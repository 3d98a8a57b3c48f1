/**
 * The `TlsRequest` of a socket that can never start TLS (plain `connect()`, accepted
 * sockets of a plain or TLS listener): `startTls()` refuses before it would be read. One
 * frozen object for all of them, so such a socket keeps no TLS request of its own; and the
 * one frozen empty string list that it and the plain options share.
 *
 * @module
 */
import type { TlsRequest } from "./transport.js";

/** The one empty string list shared, frozen, by every option or request that has none. */
export const NO_STRINGS: readonly string[] = Object.freeze([]);

/** Never read: see the module documentation. */
export const NO_CLIENT_TLS: TlsRequest = Object.freeze({ verifyName: "", serverName: null, alpn: NO_STRINGS, caCerts: NO_STRINGS });
