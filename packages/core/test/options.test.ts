import { expect, it } from "vitest";
import { resolveOptions, SocketError } from "../src/index.js";

function rejects(input: unknown, mentions: string): void {
  expect(() => resolveOptions(input)).toThrow(SocketError);
  try {
    resolveOptions(input);
  } catch (error) {
    expect((error as SocketError).code).toBe("EINVAL");
    expect((error as Error).message).toContain(mentions);
  }
}

it("applies the spec defaults", () => {
  expect(resolveOptions(undefined)).toEqual({
    secureTransport: "off",
    allowHalfOpen: false,
    sni: null,
    alpn: [],
    signal: undefined,
    caCerts: [],
  });
});

it("converts allowHalfOpen like a WebIDL boolean and accepts any iterable for alpn", () => {
  expect(resolveOptions({ allowHalfOpen: 1 }).allowHalfOpen).toBe(true);
  expect(resolveOptions({ secureTransport: "on", alpn: new Set(["h2", "http/1.1"]) }).alpn).toEqual(["h2", "http/1.1"]);
});

it("rejects an unknown secureTransport, naming it", () => rejects({ secureTransport: "tls" }, '"tls"'));
it("rejects sni or alpn with TLS off", () => {
  rejects({ sni: "example.com" }, "sni");
  rejects({ alpn: ["h2"] }, "alpn");
});
it("rejects an IP literal or junk as sni", () => {
  rejects({ secureTransport: "on", sni: "::1" }, "sni");
  rejects({ secureTransport: "on", sni: "127.0.0.1" }, "sni");
  rejects({ secureTransport: "on", sni: "a b" }, "sni");
});
it("rejects a non-array alpn or an empty protocol name", () => {
  rejects({ secureTransport: "on", alpn: "h2" }, "alpn");
  rejects({ secureTransport: "on", alpn: [""] }, "alpn");
});
it("rejects a signal that is not an AbortSignal and caCerts that are not PEM", () => {
  rejects({ signal: {} }, "signal");
  rejects({ secureTransport: "on", caCerts: ["not a pem"] }, "caCerts");
  // Well-formed markers around a body that is not a certificate (the runtimes disagree on it later).
  rejects({ secureTransport: "on", caCerts: ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"] }, "caCerts");
  rejects({ secureTransport: "on", caCerts: ["-----BEGIN CERTIFICATE-----\nMIIB not base64!\n-----END CERTIFICATE-----\n"] }, "caCerts");
  rejects({ secureTransport: "on", caCerts: ["-----BEGIN CERTIFICATE-----\nMIIB\n"] }, "caCerts"); // no END
  const good = "-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHHIG\n-----END CERTIFICATE-----\n";
  const bad = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  rejects({ secureTransport: "on", caCerts: [`# bundle\n${good}${bad}`] }, "caCerts"); // one bad block in a bundle
  expect(resolveOptions({ secureTransport: "on", caCerts: [`# bundle\n${good}\n${good}`] }).caCerts).toHaveLength(1);
});
it("rejects a non-object options argument", () => rejects("on", "options object"));

// Most sockets share one frozen options object (plain TCP, no TLS options, no signal):
// frozen, so no socket can change another's.
it("plain options are shared and frozen; any other options are the socket's own", () => {
  const plain = resolveOptions(undefined);
  expect(resolveOptions({ allowHalfOpen: false, secureTransport: "off" })).toBe(plain);
  expect(Object.isFrozen(plain) && Object.isFrozen(plain.alpn) && Object.isFrozen(plain.caCerts)).toBe(true);
  expect(resolveOptions({ allowHalfOpen: true })).toEqual({ ...plain, allowHalfOpen: true });
  const signal = new AbortController().signal;
  const own = resolveOptions({ signal });
  expect(own).not.toBe(plain);
  expect(own.signal).toBe(signal);
  expect(resolveOptions({ secureTransport: "on", alpn: ["h2"] }).alpn).toEqual(["h2"]);
});
