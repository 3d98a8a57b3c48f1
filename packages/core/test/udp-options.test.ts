/** udp() validation: synchronous SocketError EINVAL naming the bad value, before anything is bound. */
import { describe, expect, it } from "vitest";
import { isIpLiteral, resolveUdpOptions, SocketError } from "../src/index.js";
import { fakeDatagram } from "./_fake-datagram.js";

function thrown(fn: () => unknown): SocketError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SocketError);
    return error as SocketError;
  }
  throw new Error("expected a throw");
}

describe("udp(): validation", () => {
  it.each([
    [undefined, /options object/],
    ["127.0.0.1:53", /options object/],
    [{}, /remoteAddress \+ remotePort \(connected mode\) or localAddress \(bound mode\)/],
    [{ remoteAddress: "127.0.0.1", remotePort: 53, localAddress: "0.0.0.0" }, /cannot be combined/],
    [{ remotePort: 53, localPort: 0 }, /cannot be combined/],
    [{ remoteAddress: "127.0.0.1" }, /remotePort undefined/],
    [{ remotePort: 53 }, /remoteAddress undefined/],
    [{ remoteAddress: "127.0.0.1", remotePort: 0 }, /remotePort 0: expected an integer from 1 to 65535/],
    [{ remoteAddress: "127.0.0.1", remotePort: 65536 }, /remotePort 65536/],
    [{ remoteAddress: "127.0.0.1", remotePort: "53" }, /remotePort "53"/],
    [{ remoteAddress: "127.0.0.1", remotePort: null }, /remotePort null/],
    [{ remoteAddress: "a b", remotePort: 53 }, /remoteAddress "a b"/],
    [{ remoteAddress: "", remotePort: 53 }, /remoteAddress ""/],
    [{ remoteAddress: 127, remotePort: 53 }, /remoteAddress 127/],
    [{ remoteAddress: "[::1", remotePort: 53 }, /remoteAddress "\[::1"/],
    [{ localPort: 5353 }, /localAddress undefined/],
    [{ localAddress: "0.0.0.0", localPort: 1.5 }, /localPort 1\.5/],
    [{ localAddress: "0.0.0.0", localPort: -1 }, /localPort -1/],
    [{ localAddress: "0.0.0.0", receiveBufferSize: 1.5 }, /receiveBufferSize 1\.5/],
    [{ localAddress: "0.0.0.0", sendBufferSize: 0 }, /sendBufferSize 0/],
    [{ localAddress: "0.0.0.0", highWaterMark: -1 }, /highWaterMark -1/],
    [{ localAddress: "0.0.0.0", ipv6Only: true }, /ipv6Only true: expected bound mode on an IPv6 address/],
    [{ remoteAddress: "::1", remotePort: 53, ipv6Only: true }, /ipv6Only true/],
    [{ localAddress: "::", ipv6Only: "yes" }, /ipv6Only "yes": expected true or false/],
    [{ localAddress: "::", reuseAddress: 1 }, /reuseAddress 1/],
    [{ localAddress: "::", signal: {} }, /signal \{\}/],
  ])("%j is a synchronous SocketError EINVAL", (options, message) => {
    const { udp, requests } = fakeDatagram();
    const error = thrown(() => udp(options as never));
    expect(error.code).toBe("EINVAL");
    expect(error.message).toMatch(/^SocketError: Invalid /);
    expect(error.message).toMatch(message);
    expect(requests).toHaveLength(0);
  });

  it("decides the mode and passes what to open, with defaults", () => {
    expect(resolveUdpOptions({ remoteAddress: "[::1]", remotePort: 53 })).toEqual({
      mode: "connected",
      request: {
        remote: { hostname: "::1", port: 53 },
        local: null,
        ipv6Only: false,
        reuseAddress: false,
        sendBufferSize: undefined,
        receiveBufferSize: undefined,
      },
      signal: undefined,
      highWaterMark: 64,
    });
    const bound = resolveUdpOptions({
      localAddress: "::",
      ipv6Only: true,
      reuseAddress: true,
      sendBufferSize: 4096,
      receiveBufferSize: 8192,
      highWaterMark: 0,
    });
    expect(bound.mode).toBe("bound");
    expect(bound.request).toEqual({
      remote: null,
      local: { hostname: "::", port: 0 },
      ipv6Only: true,
      reuseAddress: true,
      sendBufferSize: 4096,
      receiveBufferSize: 8192,
    });
    expect(bound.highWaterMark).toBe(0);
  });

  it("maps localhost to 127.0.0.1 on every runtime and leaves other names to the runtime's resolver", () => {
    expect(resolveUdpOptions({ remoteAddress: "localhost", remotePort: 53 }).request.remote).toEqual({ hostname: "127.0.0.1", port: 53 });
    expect(resolveUdpOptions({ localAddress: "localhost", localPort: 5353 }).request.local).toEqual({ hostname: "127.0.0.1", port: 5353 });
    expect(resolveUdpOptions({ remoteAddress: "dns.example", remotePort: 53 }).request.remote).toEqual({
      hostname: "dns.example",
      port: 53,
    });
  });

  it("isIpLiteral tells literals from names", () => {
    expect(["127.0.0.1", "::", "::1", "fe80::1%eth0", "::ffff:127.0.0.1"].every(isIpLiteral)).toBe(true);
    expect(["localhost", "256.0.0.1", "example.com", "[::1]", ""].some(isIpLiteral)).toBe(false);
  });

  it("a runtime's own refusal (an option it cannot honour) is thrown out of udp() itself", () => {
    const fake = fakeDatagram();
    fake.throwOnOpen = new SocketError("Invalid option reuseAddress: not supported by this runtime", { code: "EINVAL" });
    const error = thrown(() => fake.udp({ localAddress: "127.0.0.1", reuseAddress: true }));
    expect(error.message).toMatch(/reuseAddress/);
  });
});
