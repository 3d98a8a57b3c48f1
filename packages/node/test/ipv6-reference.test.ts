/**
 * Core's IPv6 parser and canonical form against Node's own (inet_pton, inet_ntop): the
 * runtimes report addresses in that form, so `udp()`'s connected mode compares peers
 * with it. Random addresses, written in every spelling RFC 4291 allows.
 */
import { isIP, SocketAddress } from "node:net";
import { describe, expect, it } from "vitest";
import { canonicalIpv6, parseIpv6 } from "@sockets/core";

/** A seeded generator, so a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/** Eight groups with runs of zeros (the part RFC 5952 compresses) and the IPv4-mapped prefix sometimes. */
function groups(next: () => number): number[] {
  if (next() < 0.1) return [0, 0, 0, 0, 0, 0xffff, Math.floor(next() * 65_536), Math.floor(next() * 65_536)];
  return Array.from({ length: 8 }, () => (next() < 0.4 ? 0 : Math.floor(next() * 65_536)));
}

/** The uncompressed spelling, upper-case and zero-padded: the farthest from canonical. */
const spelled = (g: number[]): string => g.map((n) => n.toString(16).toUpperCase().padStart(4, "0")).join(":");

describe("core's IPv6 literals against Node's", () => {
  it("canonicalIpv6 gives what Node's formatter gives, for 5,000 random addresses", () => {
    const next = random(17);
    for (let i = 0; i < 5_000; i++) {
      const g = groups(next);
      // One known difference: Node (libuv's inet_ntop, after BIND) writes the deprecated
      // IPv4-compatible form (::a.b.c.d, RFC 4291 §2.5.5.1) in dotted notation; RFC 5952 §5
      // keeps that for IPv4-mapped addresses only, as Rust's formatter (Deno) does.
      if (g.slice(0, 6).every((n) => n === 0) && g[6] !== 0) continue;
      const text = spelled(g);
      expect(canonicalIpv6(text)).toBe(new SocketAddress({ address: text, family: "ipv6" }).address);
    }
  });

  it("parseIpv6 accepts exactly what inet_pton accepts, for 20,000 random strings of IPv6 characters", () => {
    const next = random(23);
    const alphabet = "0123456789abcdefABCDEF:::::...";
    for (let i = 0; i < 20_000; i++) {
      const length = 1 + Math.floor(next() * 24);
      let text = "";
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(next() * alphabet.length)];
      expect([text, parseIpv6(text) !== null]).toEqual([text, isIP(text) === 6]);
    }
  });
});
