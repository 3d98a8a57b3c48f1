/**
 * Node reports a socket's addresses as separate `address` / `port` fields (IPv6 without
 * brackets, `undefined` once destroyed); the spec's `SocketInfo` wants `"host:port"`.
 *
 * @module
 */

/**
 * `"127.0.0.1:5432"`, `"[::1]:5432"`, or `null` when Node does not know (destroyed socket).
 *
 * @example
 * ```ts
 * import { _formatAddress } from "./_address.js";
 * _formatAddress("::1", 5432); // "[::1]:5432"
 * ```
 */
export function _formatAddress(address: string | undefined, port: number | undefined): string | null {
  if (address === undefined || address === "" || port === undefined) return null;
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}
