/**
 * Validation of `udp()` options: a synchronous `SocketError` `EINVAL` naming the bad value
 * and what is expected, before anything is bound. The mode is decided here: connected
 * (`remoteAddress` + `remotePort`) or bound (`localAddress` [+ `localPort`]), never both.
 *
 * @module
 */
import { badOption, integerOption, optionalSignal } from "./_option-checks.js";
import { parseAddress } from "./address.js";
import { canonicalIpv6, isIpv4, parseIpv6 } from "./ip-literals.js";
import type { DatagramRequest } from "./datagram-transport.js";
import { SocketError } from "./socket-error.js";

/**
 * `udp()` options after validation, with defaults applied.
 *
 * @example
 * ```ts
 * import { resolveUdpOptions, type ResolvedUdpOptions } from "@sockets/core";
 * const options: ResolvedUdpOptions = resolveUdpOptions({ localAddress: "127.0.0.1" });
 * options.request.local; // { hostname: "127.0.0.1", port: 0 }
 * options.highWaterMark; // 64
 * ```
 */
export interface ResolvedUdpOptions {
  /** `"connected"` (one peer: `remoteAddress` + `remotePort`) or `"bound"` (any peer: `localAddress`). */
  readonly mode: "connected" | "bound";
  /** What the runtime is asked to open (`localhost` already mapped to `127.0.0.1`). */
  readonly request: DatagramRequest;
  /** Closes the socket when aborted (`EABORTED`). */
  readonly signal: AbortSignal | undefined;
  /** Unread datagrams a push runtime keeps before it drops (and counts) more; default 64. */
  readonly highWaterMark: number;
}

/** Datagrams kept for a reader that is not reading, by default. */
const DEFAULT_HIGH_WATER_MARK = 64;
const MAX_BUFFER_SIZE = 2 ** 31 - 1;

/**
 * `true` for an IPv4 literal or a bare IPv6 literal (no brackets): what a datagram
 * transport can use without resolving.
 *
 * @example
 * ```ts
 * import { isIpLiteral } from "@sockets/core";
 * isIpLiteral("127.0.0.1"); // true
 * isIpLiteral("::1"); // true
 * isIpLiteral("localhost"); // false
 * ```
 */
export function isIpLiteral(hostname: string): boolean {
  return isIpv4(hostname) || parseIpv6(hostname) !== null;
}

/**
 * Validates a host of `udp()` (an option, or a write's `remoteAddress`) and returns it as
 * a transport wants it: IPv6 without brackets and in canonical form (RFC 5952, the form
 * every runtime reports a sender in, so connected mode can match the peer's datagrams),
 * `localhost` as `127.0.0.1` (RFC 6761, the same on every runtime).
 *
 * @example
 * ```ts
 * import { udpHost } from "@sockets/core";
 * udpHost("remoteAddress", "[::1]"); // "::1"
 * udpHost("remoteAddress", "0:0:0:0:0:0:0:1"); // "::1"
 * udpHost("remoteAddress", "localhost"); // "127.0.0.1"
 * udpHost("remoteAddress", "a b"); // throws SocketError EINVAL: Invalid option remoteAddress "a b" …
 * udpHost("remoteAddress", "127.0.0.1:53"); // throws SocketError EINVAL (a port does not belong here)
 * ```
 */
export function udpHost(name: string, value: unknown): string {
  if (typeof value === "string" && value !== "") {
    if (value === "localhost" || value === "localhost.") return "127.0.0.1";
    if (isIpv4(value)) return value;
    const bare = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
    const canonical = canonicalIpv6(bare);
    if (canonical !== null) return canonical;
    if (value.includes(":")) {
      throw badOption(name, value, "an IP address or a hostname (IPv6 with or without brackets; a port goes in its own option)");
    }
    try {
      return parseAddress({ hostname: value, port: 0 }, { anyPort: true }).hostname;
    } catch {
      // fall through to the option's own message
    }
  }
  throw badOption(name, value, "an IP address or a hostname (IPv6 with or without brackets)");
}

function bool(name: string, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "boolean") return value;
  throw badOption(name, value, "true or false");
}

function conflict(message: string): SocketError {
  return new SocketError(message, { code: "EINVAL" });
}

/**
 * Validates `udp()` options; throws a `SocketError` (`code: "EINVAL"`) naming the bad
 * option, its value and what is expected.
 *
 * @example
 * ```ts
 * import { resolveUdpOptions } from "@sockets/core";
 * resolveUdpOptions({ remoteAddress: "127.0.0.1", remotePort: 53 }).mode; // "connected"
 * resolveUdpOptions({ remotePort: 53 }); // throws: Invalid option remoteAddress undefined: …
 * ```
 */
export function resolveUdpOptions(options: unknown): ResolvedUdpOptions {
  if (typeof options !== "object" || options === null) {
    throw badOption("object", options, "an options object with remoteAddress + remotePort (connected mode) or localAddress (bound mode)");
  }
  const o = options as Record<string, unknown>;
  const wantsRemote = o.remoteAddress !== undefined || o.remotePort !== undefined;
  const wantsLocal = o.localAddress !== undefined || o.localPort !== undefined;
  if (wantsRemote && wantsLocal) {
    throw conflict(
      "Invalid options: remoteAddress/remotePort (connected mode) and localAddress/localPort (bound mode) cannot be combined; expected one mode",
    );
  }
  if (!wantsRemote && !wantsLocal) {
    throw conflict("Invalid options: expected remoteAddress + remotePort (connected mode) or localAddress (bound mode)");
  }
  let remote: DatagramRequest["remote"] = null;
  let local: DatagramRequest["local"] = null;
  if (wantsRemote) {
    const hostname = udpHost("remoteAddress", o.remoteAddress);
    if (o.remotePort === undefined || o.remotePort === null)
      throw badOption("remotePort", o.remotePort, "an integer from 1 to 65535 (connected mode needs both)");
    remote = { hostname, port: integerOption("remotePort", o.remotePort, 1, 65535, 0) };
  } else {
    if (o.localAddress === undefined)
      throw badOption("localAddress", o.localAddress, "an IP address or hostname to bind (bound mode; localPort alone is not enough)");
    local = { hostname: udpHost("localAddress", o.localAddress), port: integerOption("localPort", o.localPort, 0, 65535, 0) };
  }
  const ipv6Only = bool("ipv6Only", o.ipv6Only);
  if (ipv6Only && (local === null || !local.hostname.includes(":"))) {
    throw badOption("ipv6Only", true, 'bound mode on an IPv6 address such as "::" (it is the IPV6_V6ONLY flag of that socket)');
  }
  return {
    mode: remote !== null ? "connected" : "bound",
    request: {
      remote,
      local,
      ipv6Only,
      reuseAddress: bool("reuseAddress", o.reuseAddress),
      sendBufferSize: integerOption("sendBufferSize", o.sendBufferSize, 1, MAX_BUFFER_SIZE, undefined),
      receiveBufferSize: integerOption("receiveBufferSize", o.receiveBufferSize, 1, MAX_BUFFER_SIZE, undefined),
    },
    signal: optionalSignal(o.signal),
    highWaterMark: integerOption("highWaterMark", o.highWaterMark, 0, 2 ** 16, DEFAULT_HIGH_WATER_MARK),
  };
}
