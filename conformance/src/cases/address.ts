/**
 * Address forms: every accepted spelling reaches the peer; every bad one is a synchronous
 * SocketError (DESIGN.md "Addresses"). Also the options that are checked at call time.
 *
 * @module
 */
import type { AnySocketAddress, Connect, SocketOptions } from "@sockets/core";
import { assertSocketError, ok, show, throwsSync } from "./assert.js";
import { echoRoundTrip } from "./_flows.js";
import { bytes, dispose, portOf } from "./helpers.js";
import type { CaseContext, ConformanceCase, PeerDirectory, Tag } from "./types.js";

function _reaches(
  id: string,
  title: string,
  tags: readonly Tag[],
  address: (peers: PeerDirectory) => AnySocketAddress | null,
  fallback?: (peers: PeerDirectory) => AnySocketAddress,
): ConformanceCase {
  return {
    id,
    title,
    tags,
    async run({ connect, peers }: CaseContext) {
      const target = address(peers);
      if (target === null) {
        // No IPv6 loopback on this machine: the form must still be accepted synchronously.
        await dispose(connect(fallback!(peers)));
        return;
      }
      const socket = connect(target);
      try {
        await socket.opened;
        await echoRoundTrip(socket, bytes(`via ${show(target)}`));
      } finally {
        await dispose(socket);
      }
    },
  };
}

const port6 = (peers: PeerDirectory): number => portOf(peers.echo6 ?? peers.echo);

function _keepsDefaultPort(port: 80 | 443): ConformanceCase {
  return {
    id: `address/port-${port}-is-kept`,
    title: `"127.0.0.1:${port}" is accepted and dials port ${port} (not dropped as a scheme default)`,
    tags: ["decision"],
    async run({ connect }) {
      // Whatever listens (or not) on this machine's port ${port}, the socket must be built
      // without a synchronous error, and any outcome must be about port ${port}.
      const socket = connect(`127.0.0.1:${port}`);
      try {
        const info = await socket.opened;
        ok(
          info.remoteAddress === null || info.remoteAddress.endsWith(`:${port}`),
          `remoteAddress on port ${port}, got ${info.remoteAddress}`,
        );
      } catch (error) {
        assertSocketError(error, `connecting to port ${port}`);
        const other = port === 80 ? "443" : "80";
        ok(!new RegExp(`\\b${other}\\b`).test((error as Error).message), `the failure names port ${other}: ${show(error)}`);
      } finally {
        await dispose(socket);
      }
    },
  };
}

function _rejects(what: string, address: unknown, options?: SocketOptions): ConformanceCase {
  return {
    id: `address/rejects-${what}`,
    title: `connect(${show(address instanceof URL ? address.href : address)}) throws a SocketError synchronously`,
    tags: ["decision"],
    async run({ connect }) {
      await _syncSocketError(connect, address, options, what);
    },
  };
}

async function _syncSocketError(
  connect: Connect,
  address: unknown,
  options: SocketOptions | undefined,
  what: string,
  code?: string,
): Promise<void> {
  let socket: ReturnType<Connect> | undefined;
  const error = throwsSync(() => (socket = connect(address as AnySocketAddress, options)), what);
  await dispose(socket);
  assertSocketError(error, what, code);
}

const INVALID: ReadonlyArray<[string, unknown, SocketOptions?]> = [
  ["bad-secure-transport", "127.0.0.1:1", { secureTransport: "tls" as never }],
  ["sni-without-tls", "127.0.0.1:1", { sni: "localhost" }],
  ["bad-port", "127.0.0.1:0"],
  ["no-port", "127.0.0.1"],
];

/** Cases for addresses and call-time option checks. */
export const addressCases: readonly ConformanceCase[] = [
  _reaches("address/host-port-string", 'a "host:port" string connects', ["spec"], (p) => p.echo),
  _reaches("address/object-form", "a { hostname, port } object connects", ["spec"], (p) => ({
    hostname: "127.0.0.1",
    port: portOf(p.echo),
  })),
  _reaches(
    "address/object-port-string",
    "a { hostname, port } object with a decimal string port connects",
    ["decision"],
    (p) => ({ hostname: "127.0.0.1", port: String(portOf(p.echo)) }) as never,
  ),
  _reaches(
    "address/ipv6-bracketed-string",
    'a "[::1]:port" string connects over IPv6',
    ["decision"],
    (p) => p.echo6,
    (p) => `[::1]:${port6(p)}`,
  ),
  _reaches(
    "address/ipv6-object-bare",
    'an object with hostname "::1" connects over IPv6',
    ["decision"],
    (p) => (p.echo6 ? { hostname: "::1", port: port6(p) } : null),
    (p) => ({ hostname: "::1", port: port6(p) }),
  ),
  _reaches(
    "address/ipv6-object-bracketed",
    'an object with hostname "[::1]" connects over IPv6',
    ["decision"],
    (p) => (p.echo6 ? { hostname: "[::1]", port: port6(p) } : null),
    (p) => ({ hostname: "[::1]", port: port6(p) }),
  ),
  _reaches(
    "address/url-object",
    "a URL object with an explicit port connects",
    ["decision"],
    (p) => new URL(`postgres://127.0.0.1:${portOf(p.echo)}/db`),
  ),
  _keepsDefaultPort(443),
  _keepsDefaultPort(80),
  _rejects("missing-port", "127.0.0.1"),
  _rejects("empty-port", "127.0.0.1:"),
  _rejects("port-zero", "127.0.0.1:0"),
  _rejects("negative-port", { hostname: "127.0.0.1", port: -1 }),
  _rejects("fractional-port", { hostname: "127.0.0.1", port: 80.5 }),
  _rejects("port-out-of-range", "127.0.0.1:65536"),
  _rejects("object-port-out-of-range", { hostname: "127.0.0.1", port: 70_000 }),
  _rejects("non-numeric-port", "127.0.0.1:http"),
  _rejects("object-without-port", { hostname: "127.0.0.1" }),
  _rejects("url-without-port", new URL("postgres://127.0.0.1/db")),
  _rejects("empty-host", ":8080"),
  _rejects("whitespace-in-host", "bad host:8080"),
  _rejects("nul-in-host", { hostname: "localhost\u0000.evil.example", port: 8080 }),
  _rejects("control-character-in-host", "local\u0001host:8080"),
  _rejects("malformed-ipv6", { hostname: "1::2::3", port: 8080 }),
  _rejects("ca-certs-not-a-certificate", "127.0.0.1:8080", {
    secureTransport: "on",
    caCerts: ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"],
  }),
  _rejects("scheme-in-string", "tcp://127.0.0.1:8080"),
  _rejects("unbracketed-ipv6-string", "::1:8080"),
  _rejects("number-address", 8080),
  _rejects("null-address", null),
  {
    id: "options/rejects-unknown-secure-transport",
    title: 'an unknown secureTransport value ("tls") throws a TypeError synchronously (WebIDL enum)',
    tags: ["spec"],
    async run({ connect, peers }) {
      let socket: ReturnType<Connect> | undefined;
      const error = throwsSync(() => (socket = connect(peers.echo, { secureTransport: "tls" as never })), 'secureTransport "tls"');
      await dispose(socket);
      ok(error instanceof TypeError, `a TypeError, got ${show(error)}`);
    },
  },
  {
    id: "options/unknown-secure-transport-is-socket-error",
    title: "an unknown secureTransport value throws a SocketError",
    tags: ["decision"],
    async run({ connect, peers }) {
      await _syncSocketError(connect, peers.echo, { secureTransport: "tls" as never }, 'secureTransport "tls"');
    },
  },
  {
    id: "options/rejects-sni-without-tls",
    title: 'sni with secureTransport "off" throws a SocketError synchronously',
    tags: ["decision"],
    async run({ connect, peers }) {
      await _syncSocketError(connect, peers.echo, { sni: "localhost" }, "sni without TLS");
    },
  },
  {
    id: "options/rejects-alpn-without-tls",
    title: 'alpn with secureTransport "off" throws a SocketError synchronously',
    tags: ["decision"],
    async run({ connect, peers }) {
      await _syncSocketError(connect, peers.echo, { alpn: ["x-test"] }, "alpn without TLS");
    },
  },
  {
    id: "errors/invalid-arguments-code",
    title: 'synchronous argument errors carry code "EINVAL"',
    tags: ["ext:codes"],
    async run({ connect }) {
      for (const [what, address, options] of INVALID) await _syncSocketError(connect, address, options, what, "EINVAL");
    },
  },
];
