import { describe, expect, it } from "vitest";
import { canonicalIpv6, parseAddress, parseIpv6, SocketError, udpHost } from "../src/index.js";

// Node's own parser and formatter (inet_pton/inet_ntop) check the implementation
// with random addresses in packages/node/test/ipv6-reference.test.ts (core has no runtime APIs).
const valid = [
  "::",
  "::1",
  "1::",
  "0:0:0:0:0:0:0:1",
  "0::1",
  "::0001",
  "2001:db8::1",
  "2001:DB8:0:0:1:0:0:1",
  "1:2:3:4:5:6:7:8",
  "1:2:3:4:5:6:7::",
  "::2:3:4:5:6:7:8",
  "::ffff:127.0.0.1",
  "::FFFF:7f00:1",
  "1:2:3:4:5:6:1.2.3.4",
  "fe80::1%eth0",
];
const invalid = [
  "",
  ":",
  ":::",
  "1::2::3",
  "1:2",
  "127.0.0.1:53",
  "1:2:3:4:5:6:7:8:9",
  "1:2:3:4:5:6:7::8",
  ":1::2",
  "1::2:",
  "12345::",
  "::1.2.3",
  "::1.2.3.4:5",
  "1.2.3.4::",
  "g::1",
  "::1%",
  "::1%a b",
  "1:2:3:4:5:6:7",
];

describe("parseIpv6", () => {
  it.each(valid)("accepts %s", (text) => {
    expect(parseIpv6(text)).not.toBeNull();
  });

  it.each(invalid)("refuses %j", (text) => {
    expect(parseIpv6(text)).toBeNull();
  });
});

describe("canonicalIpv6 (RFC 5952)", () => {
  it.each([
    ["0:0:0:0:0:0:0:1", "::1"],
    ["0::1", "::1"],
    ["::0001", "::1"],
    ["0:0:0:0:0:0:0:0", "::"],
    ["2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
    ["::FFFF:7f00:1", "::ffff:127.0.0.1"],
    ["::ffff:127.0.0.1", "::ffff:127.0.0.1"],
    ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"],
    ["fe80:0::1%eth0", "fe80::1%eth0"],
  ])("%s is %s", (text, expected) => {
    expect(canonicalIpv6(text)).toBe(expected);
  });
});

describe("strict IPv6 literals at the API", () => {
  it("connect()'s parser refuses a malformed literal with EINVAL naming it", () => {
    for (const hostname of ["1::2::3", "127.0.0.1:53", ":::"]) {
      let thrown: unknown;
      try {
        parseAddress({ hostname, port: 80 });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SocketError);
      expect((thrown as SocketError).code).toBe("EINVAL");
      expect((thrown as SocketError).message).toContain(JSON.stringify(hostname));
    }
    expect(() => parseAddress("[1::2::3]:80")).toThrow(/"1::2::3" is not a valid IPv6 literal/);
  });

  it("udpHost() returns the canonical form and refuses a host with a port in it", () => {
    expect(udpHost("remoteAddress", "0::1")).toBe("::1");
    expect(udpHost("remoteAddress", "[0:0:0:0:0:0:0:1]")).toBe("::1");
    expect(udpHost("remoteAddress", "::FFFF:127.0.0.1")).toBe("::ffff:127.0.0.1");
    expect(() => udpHost("remoteAddress", "127.0.0.1:53")).toThrow(/Invalid option remoteAddress "127.0.0.1:53"/);
    expect(() => udpHost("remoteAddress", "1::2::3")).toThrow(SocketError);
  });
});
