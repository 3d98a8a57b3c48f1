/**
 * IP literals, checked once for core: IPv4 (dotted quad, each part 0–255, no leading
 * zeros) and IPv6: a strict parser (RFC 4291 §2.2: eight groups of 1–4 hex digits, one `::`
 * for a run of zero groups, an IPv4 dotted quad as the last 32 bits, an optional `%zone`)
 * and the canonical text form (RFC 5952: lowercase, no leading zeros, the longest run of
 * two or more zero groups as `::`, the leftmost on a tie, `::ffff:a.b.c.d` for an
 * IPv4-mapped address). One difference from Node's formatter (libuv's `inet_ntop`): it
 * writes the deprecated IPv4-compatible form (`::a.b.c.d`) dotted too; RFC 5952 §5 and
 * Rust's formatter (Deno) keep dotted notation for IPv4-mapped addresses only.
 *
 * Why core has its own: a character-class check took `"127.0.0.1:53"` or `"1::2::3"` for
 * an IPv6 literal (the runtime then failed later, differently on each), and a datagram's
 * sender is reported in canonical form by every runtime, so a peer typed as `"0::1"` must
 * be compared as `"::1"`. No runtime API is used: `URL` would accept and canonicalise, but
 * it drops zone identifiers and is not in every embedder.
 *
 * @module
 */

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * `true` for an IPv4 literal in dotted-quad form (`"127.0.0.1"`; not `"999.1.1.1"`, not
 * `"01.2.3.4"`): the one check `connect()`, `listen()` and `udp()` share.
 *
 * @example
 * ```ts
 * import { isIpv4 } from "./ip-literals.js";
 * isIpv4("127.0.0.1"); // true
 * isIpv4("localhost"); // false
 * ```
 */
export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}
const ZONE = /^[0-9A-Za-z._~-]+$/;

/** The groups of one side of `::` into `out`; `false` if one is malformed. */
function pushGroups(text: string, out: number[], ipv4Allowed: boolean): boolean {
  if (text === "") return true;
  const parts = text.split(":");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (HEX_GROUP.test(part)) {
      out.push(parseInt(part, 16));
    } else if (ipv4Allowed && i === parts.length - 1 && isIpv4(part)) {
      const [a, b, c, d] = part.split(".").map(Number) as [number, number, number, number];
      out.push((a << 8) | b, (c << 8) | d);
    } else {
      return false;
    }
  }
  return true;
}

/**
 * The eight 16-bit groups and the zone of an IPv6 literal (no brackets), or `null` when
 * `text` is not one.
 *
 * @example
 * ```ts
 * import { parseIpv6 } from "@sockets/core";
 * parseIpv6("::1")?.groups; // [0, 0, 0, 0, 0, 0, 0, 1]
 * parseIpv6("1::2::3"); // null
 * parseIpv6("127.0.0.1:53"); // null
 * ```
 */
export function parseIpv6(text: string): { readonly groups: readonly number[]; readonly zone: string | null } | null {
  let address = text;
  let zone: string | null = null;
  const percent = text.indexOf("%");
  if (percent >= 0) {
    zone = text.slice(percent + 1);
    address = text.slice(0, percent);
    if (!ZONE.test(zone)) return null;
  }
  if (!address.includes(":")) return null;
  const gap = address.indexOf("::");
  const head: number[] = [];
  const tail: number[] = [];
  if (gap < 0) {
    if (!pushGroups(address, head, true) || head.length !== 8) return null;
    return { groups: head, zone };
  }
  if (address.indexOf("::", gap + 1) >= 0) return null; // only one "::"
  const before = address.slice(0, gap);
  const after = address.slice(gap + 2);
  // A single ":" may not start or end the address ("::" does, and is handled above).
  if (before.endsWith(":") || after.startsWith(":")) return null;
  if (!pushGroups(before, head, false) || !pushGroups(after, tail, true)) return null;
  if (head.length + tail.length > 7) return null;
  const groups = head.concat(
    Array.from({ length: 8 - head.length - tail.length }, () => 0),
    tail,
  );
  return { groups, zone };
}

/**
 * The canonical text of an IPv6 literal (RFC 5952), the form Node, Deno and Bun report
 * addresses in; `null` when `text` is not an IPv6 literal.
 *
 * @example
 * ```ts
 * import { canonicalIpv6 } from "@sockets/core";
 * canonicalIpv6("0:0:0:0:0:0:0:1"); // "::1"
 * canonicalIpv6("::FFFF:7f00:1"); // "::ffff:127.0.0.1"
 * canonicalIpv6("2001:db8:0:0:1:0:0:1"); // "2001:db8::1:0:0:1"
 * ```
 */
export function canonicalIpv6(text: string): string | null {
  const parsed = parseIpv6(text);
  if (parsed === null) return null;
  const g = parsed.groups;
  const zone = parsed.zone === null ? "" : `%${parsed.zone}`;
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}${zone}`;
  }
  // The longest run of two or more zero groups (the leftmost on a tie) becomes "::".
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    g
      .slice(from, to)
      .map((n) => n.toString(16))
      .join(":");
  if (bestStart < 0) return hex(0, 8) + zone;
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}${zone}`;
}
