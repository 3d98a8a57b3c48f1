/**
 * Address parsing and validation for `connect()`.
 *
 * Accepted: `"host:port"`, `"[v6]:port"`, `{ hostname, port }` (IPv6 hostname with or
 * without brackets, port as integer or canonical decimal string) and a `URL`. Everything
 * else is a synchronous `SocketError` naming the bad value and the accepted forms.
 * Strings are never parsed with `new URL("https://" + s)`: that drops `:443` and `:80`.
 *
 * @module
 */
import { SocketError } from "./socket-error.js";
import { isIpv4, parseIpv6 } from "./ip-literals.js";

/**
 * A validated address: `hostname` without brackets, `port` as a number.
 *
 * @example
 * ```ts
 * import { parseAddress, type ParsedAddress } from "@sockets/core";
 * const parsed: ParsedAddress = parseAddress("[::1]:443");
 * parsed.hostname; // "::1"
 * parsed.authority; // "[::1]:443"
 * ```
 */
export interface ParsedAddress {
  /** The hostname as the resolver wants it: IPv6 without brackets. */
  readonly hostname: string;
  readonly port: number;
  /** `true` for IPv4 and IPv6 literals (no SNI is sent for these). */
  readonly isIpLiteral: boolean;
  /** `host:port` with IPv6 in brackets, for messages and `SocketInfo`. */
  readonly authority: string;
}

const FORMS = 'expected "host:port", "[ipv6]:port", { hostname, port } or a URL with an explicit port';
const SPECIAL_PORTS: Readonly<Record<string, number>> = {
  "http:": 80,
  "https:": 443,
  "ws:": 80,
  "wss:": 443,
  "ftp:": 21,
};
// Control characters too: a resolver may cut a name at a NUL ("localhost\0.evil" reached
// localhost on Node) where another runtime refuses it.
// oxlint-disable-next-line no-control-regex
const BAD_HOST_CHARS = /[\s/@?#\\[\]\u0000-\u001f\u007f]/;

function invalid(what: string, value: unknown, why: string): SocketError {
  return new SocketError(`Invalid ${what} ${describe(value)}: ${why}`, { code: "EINVAL" });
}

/**
 * A short, quoted rendering of a bad value for error messages.
 *
 * @example
 * ```ts
 * import { describe } from "@sockets/core";
 * describe("x"); // '"x"'
 * describe(3.5); // "3.5"
 * ```
 */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? value.slice(0, 77) + "..." : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null || value === undefined) return String(value);
  if (typeof value === "symbol") return value.toString();
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  try {
    const json = JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
    if (json !== undefined) return json.length > 80 ? json.slice(0, 77) + "..." : json;
  } catch {
    // fall through: cyclic or exotic object
  }
  return Object.prototype.toString.call(value);
}

function parsePort(port: unknown, whole: unknown, min: number): number {
  if (typeof port === "number") {
    if (Number.isInteger(port) && port >= min && port <= 65535) return port;
  } else if (typeof port === "string") {
    if ((/^[1-9]\d{0,4}$/.test(port) || (min === 0 && port === "0")) && Number(port) <= 65535) return Number(port);
  }
  const why =
    port === undefined || port === ""
      ? "the port is missing; " + FORMS
      : `the port ${describe(port)} is not an integer from ${min} to 65535`;
  throw invalid("address", whole, why);
}

function checkHost(host: string, whole: unknown): { hostname: string; isIpLiteral: boolean } {
  if (host === "") throw invalid("address", whole, "the hostname is empty; " + FORMS);
  if (host.startsWith("[") || host.endsWith("]")) {
    const inner = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : "";
    if (!inner.includes(":")) throw invalid("address", whole, "brackets are only for IPv6 literals such as [::1]");
    if (parseIpv6(inner) === null) throw invalid("address", whole, `${describe(inner)} is not a valid IPv6 literal (RFC 4291)`);
    return { hostname: inner, isIpLiteral: true };
  }
  if (host.includes(":")) {
    if (parseIpv6(host) === null) throw invalid("address", whole, `${describe(host)} is neither a hostname nor a valid IPv6 literal`);
    return { hostname: host, isIpLiteral: true };
  }
  if (BAD_HOST_CHARS.test(host) || host.includes("%")) {
    throw invalid(
      "address",
      whole,
      `the hostname ${describe(host)} contains whitespace, a control character, "/", "@", "?", "#" or "%"; ${FORMS}`,
    );
  }
  return { hostname: host, isIpLiteral: isIpv4(host) };
}

function parseString(address: string, min: number): ParsedAddress {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(address)) {
    throw invalid("address", address, "a scheme is not allowed in the string form (pass a URL object); " + FORMS);
  }
  let host: string;
  let port: string | undefined;
  if (address.startsWith("[")) {
    const close = address.indexOf("]");
    if (close === -1) throw invalid("address", address, "the IPv6 literal has no closing bracket; " + FORMS);
    host = address.slice(0, close + 1);
    const rest = address.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) throw invalid("address", address, FORMS);
    port = rest === "" ? undefined : rest.slice(1);
  } else {
    const colon = address.lastIndexOf(":");
    if (colon === -1) {
      host = address;
      port = undefined;
    } else {
      host = address.slice(0, colon);
      port = address.slice(colon + 1);
      if (host.includes(":")) {
        throw invalid("address", address, 'an IPv6 literal must be in brackets, as in "[::1]:5432"');
      }
    }
  }
  const checked = checkHost(host, address);
  return finish(checked, parsePort(port, address, min));
}

function finish(host: { hostname: string; isIpLiteral: boolean }, port: number): ParsedAddress {
  const bracketed = host.hostname.includes(":") ? `[${host.hostname}]` : host.hostname;
  return { hostname: host.hostname, port, isIpLiteral: host.isIpLiteral, authority: `${bracketed}:${port}` };
}

function isUrl(value: object): value is URL {
  return typeof URL === "function" && value instanceof URL;
}

/**
 * Validates an address given to `connect()`; throws a `SocketError` (`code: "EINVAL"`)
 * naming the bad value and the accepted forms.
 *
 * @example
 * ```ts
 * import { parseAddress } from "@sockets/core";
 * parseAddress("example.com:443").port; // 443
 * parseAddress({ hostname: "::1", port: "5432" }).authority; // "[::1]:5432"
 * parseAddress(new URL("postgres://db:5432/app")).hostname; // "db"
 * parseAddress("127.0.0.1:0", { anyPort: true }).port; // 0 (for listen() and udp())
 * ```
 */
export function parseAddress(address: unknown, options?: { readonly anyPort?: boolean }): ParsedAddress {
  // `listen()` and `udp()` may bind port 0 (the system picks one); `connect()` may not.
  const min = options?.anyPort === true ? 0 : 1;
  if (typeof address === "string") return parseString(address, min);
  if (typeof address === "object" && address !== null) {
    if (isUrl(address)) {
      const port = address.port === "" ? SPECIAL_PORTS[address.protocol] : address.port;
      if (port === undefined) throw invalid("address", address.href, "the URL has no port");
      return finish(checkHost(address.hostname, address.href), parsePort(port, address.href, min));
    }
    const { hostname, port } = address as { hostname?: unknown; port?: unknown };
    if (typeof hostname !== "string") {
      throw invalid("address", address, `the hostname must be a string; ${FORMS}`);
    }
    return finish(checkHost(hostname, address), parsePort(port, address, min));
  }
  throw invalid("address", address, FORMS);
}
