/**
 * TLS from the start (`secureTransport: "on"`): handshake before `opened`, SNI, ALPN,
 * certificate verification.
 *
 * @module
 */
import type { SocketOptions } from "@sockets/core";
import { assertSocketError, equal, rejects } from "./assert.js";
import { echoRoundTrip } from "./_flows.js";
import { ByteReader, bytes, dispose, stateAfter, viaLocalhost } from "./helpers.js";
import type { CaseContext, ConformanceCase } from "./types.js";

interface _Seen {
  sni: string | null;
  alpn: string | null;
}

async function _tlsInfo({ connect }: CaseContext, address: string, options: SocketOptions): Promise<{ seen: _Seen; alpn: string | null }> {
  const socket = connect(address, { secureTransport: "on", ...options });
  try {
    const info = await socket.opened;
    const reader = new ByteReader(socket.readable);
    const seen = JSON.parse(await reader.line()) as _Seen;
    reader.reader.releaseLock();
    await echoRoundTrip(socket, bytes("after the greeting"));
    return { seen, alpn: info.alpn };
  } finally {
    await dispose(socket);
  }
}

async function _tlsFailure({ connect }: CaseContext, address: string, what: string, code?: string): Promise<void> {
  const socket = connect(address, { secureTransport: "on" });
  const fromOpened = await rejects(socket.opened, `${what}: opened`);
  const fromClosed = await rejects(socket.closed, `${what}: closed`);
  assertSocketError(fromOpened, `${what}: opened`, code);
  equal(fromClosed, fromOpened, `${what}: closed rejects with the same error as opened`);
  await dispose(socket);
}

/** Cases for TLS. */
export const tlsCases: readonly ConformanceCase[] = [
  {
    id: "tls/round-trip",
    title: 'secureTransport "on" to a trusted server by name: opened resolves and data round-trips',
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(viaLocalhost(peers.tls), { secureTransport: "on" });
      try {
        await socket.opened;
        await echoRoundTrip(socket, bytes("over TLS"));
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "tls/ip-literal-verified-against-ip-san",
    title: 'secureTransport "on" to "127.0.0.1:port" is verified against the certificate\'s IP address',
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(peers.tls, { secureTransport: "on" });
      try {
        await socket.opened;
        await echoRoundTrip(socket, bytes("over TLS by IP"));
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "tls/opened-waits-for-handshake",
    title: "opened stays pending while the server never answers the TLS handshake",
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(viaLocalhost(peers.silent), { secureTransport: "on" });
      try {
        equal(await stateAfter(socket.opened, 500), "pending", "opened against a server that never speaks TLS");
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "tls/sni-is-hostname",
    title: "the server sees the connect hostname as SNI",
    tags: ["spec"],
    async run(ctx) {
      const { seen } = await _tlsInfo(ctx, viaLocalhost(ctx.peers.tlsInfo), {});
      equal(seen.sni, "localhost", "SNI seen by the server");
    },
  },
  {
    id: "tls/sni-option",
    title: "the sni option is sent (and verified) even when connecting by IP",
    tags: ["spec"],
    async run(ctx) {
      const { seen } = await _tlsInfo(ctx, ctx.peers.tlsInfo, { sni: "localhost" });
      equal(seen.sni, "localhost", "SNI seen by the server");
    },
  },
  {
    id: "tls/no-sni-for-ip-literal",
    title: "no SNI is sent when connecting to an IP literal without the sni option",
    tags: ["decision"],
    async run(ctx) {
      const { seen } = await _tlsInfo(ctx, ctx.peers.tlsInfo, {});
      equal(seen.sni, null, "SNI seen by the server");
    },
  },
  {
    id: "tls/alpn-negotiated",
    title: "alpn offers protocols; the server's choice is in SocketInfo.alpn",
    tags: ["spec"],
    async run(ctx) {
      const { seen, alpn } = await _tlsInfo(ctx, viaLocalhost(ctx.peers.tlsInfo), { alpn: ["x-test"] });
      equal(seen.alpn, "x-test", "ALPN seen by the server");
      equal(alpn, "x-test", "SocketInfo.alpn");
    },
  },
  {
    id: "tls/alpn-null-when-not-offered",
    title: "SocketInfo.alpn is null when no ALPN was offered",
    tags: ["spec"],
    async run(ctx) {
      const { seen, alpn } = await _tlsInfo(ctx, viaLocalhost(ctx.peers.tlsInfo), {});
      equal(seen.alpn, null, "ALPN seen by the server");
      equal(alpn, null, "SocketInfo.alpn");
    },
  },
  {
    id: "tls/untrusted-certificate-rejected",
    title: "a certificate from an untrusted CA rejects opened and closed with the same SocketError",
    tags: ["spec"],
    run: (ctx) => _tlsFailure(ctx, viaLocalhost(ctx.peers.tlsUntrusted), "untrusted certificate"),
  },
  {
    id: "tls/wrong-name-rejected",
    title: "a trusted certificate for another name rejects opened and closed with the same SocketError",
    tags: ["spec"],
    run: (ctx) => _tlsFailure(ctx, viaLocalhost(ctx.peers.tlsWrongName), "wrong-name certificate"),
  },
  {
    id: "tls/untrusted-certificate-code",
    title: 'an untrusted certificate has code "ETLS"',
    tags: ["ext:codes"],
    run: (ctx) => _tlsFailure(ctx, viaLocalhost(ctx.peers.tlsUntrusted), "untrusted certificate", "ETLS"),
  },
  {
    id: "tls/wrong-name-code",
    title: 'a wrong-name certificate has code "ETLS"',
    tags: ["ext:codes"],
    run: (ctx) => _tlsFailure(ctx, viaLocalhost(ctx.peers.tlsWrongName), "wrong-name certificate", "ETLS"),
  },
];
