/**
 * `SocketInfo` from a Deno conn. Deno gives `{ hostname, port, transport }` objects with
 * bare IPv6 literals; the spec wants `"host:port"` strings (IPv6 as `"[::1]:port"`).
 *
 * @module
 */
import { formatAddress, type SocketInfo } from "@sockets/core";

function formatNetAddr(addr: Deno.Addr): string | null {
  return addr.transport === "tcp" ? formatAddress(addr.hostname, addr.port) : null;
}

/**
 * The addresses of `conn` and the negotiated ALPN protocol.
 *
 * @example
 * ```ts
 * import { connInfo } from "./_info.js";
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: 5432 });
 * connInfo(conn, null).remoteAddress; // "127.0.0.1:5432"
 * conn.close();
 * ```
 */
export function connInfo(conn: Deno.Conn, alpn: string | null): SocketInfo {
  return { remoteAddress: formatNetAddr(conn.remoteAddr), localAddress: formatNetAddr(conn.localAddr), alpn };
}
