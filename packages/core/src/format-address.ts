/**
 * `"host:port"` with IPv6 literals in brackets: the form the spec's `SocketInfo` uses.
 * Every runtime reports addresses as a separate host and port (IPv6 bare); this is the one
 * place that joins them.
 *
 * @module
 */

/**
 * Joins a host and a port as `"127.0.0.1:5432"` or `"[::1]:5432"`; `null` when either is
 * unknown (a destroyed socket, a runtime that cannot tell).
 *
 * @example
 * ```ts
 * import { formatAddress } from "@sockets/core";
 * formatAddress("::1", 5432); // "[::1]:5432"
 * formatAddress("10.0.0.1", 80); // "10.0.0.1:80"
 * formatAddress(undefined, 80); // null
 * ```
 */
export function formatAddress(host: string | null | undefined, port: number | null | undefined): string | null {
  if (host === undefined || host === null || host === "" || port === undefined || port === null) return null;
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}
