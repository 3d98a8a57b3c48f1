/**
 * TLS and STARTTLS through `connect()` from @sockets/bun, against Node TLS peers
 * (fixtures/tls-peers.mjs) on loopback. The test CA is trusted through `caCerts`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, SocketError, type Socket, type SocketOptions } from "../src/index.js";
import { listen, pem, readAll, readUntil, rejection, startTlsPeers, type TlsPeers } from "./_helpers.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

let peers: TlsPeers;
let ca: string;
let privateCa: string;
beforeAll(async () => {
  [peers, ca, privateCa] = await Promise.all([startTlsPeers(), pem("ca"), pem("private")]);
});
afterAll(() => peers?.stop());

/** The peer's greeting line: what it saw of SNI and ALPN. */
async function greeting(socket: Socket): Promise<{ sni: string | null; alpn: string | null }> {
  const reader = socket.readable.getReader();
  const line = await readUntil(reader, "\n");
  reader.releaseLock();
  return JSON.parse(line) as { sni: string | null; alpn: string | null };
}

async function tlsError(address: string, options: SocketOptions): Promise<SocketError> {
  const socket = connect(address, { secureTransport: "on", ...options });
  const error = await rejection(socket.opened);
  expect(error).toBeInstanceOf(SocketError);
  expect(await rejection(socket.closed)).toBe(error);
  return error as SocketError;
}

describe("secureTransport: on", () => {
  test("opened resolves after the handshake with the negotiated ALPN; an IP literal sends no SNI", async () => {
    const socket = connect(`127.0.0.1:${peers.tls}`, { secureTransport: "on", alpn: ["h2", "x-test"], caCerts: [ca] });
    const info = await socket.opened;
    expect(info.alpn).toBe("x-test");
    expect(info.remoteAddress).toBe(`127.0.0.1:${peers.tls}`);
    expect(await greeting(socket)).toEqual({ sni: null, alpn: "x-test" });
    await socket.close();
  });

  test("a DNS hostname is sent as SNI; no ALPN offered gives alpn null", async () => {
    const socket = connect(`localhost:${peers.tls}`, { secureTransport: "on", caCerts: [ca] });
    expect((await socket.opened).alpn).toBeNull();
    expect(await greeting(socket)).toEqual({ sni: "localhost", alpn: null });
    await socket.close();
  });

  test("the sni option is sent and the certificate is verified against it", async () => {
    const socket = connect(`127.0.0.1:${peers.wrongName}`, { secureTransport: "on", sni: "wrong.example", caCerts: [ca] });
    await socket.opened;
    expect((await greeting(socket)).sni).toBe("wrong.example");
    await socket.close();
  });

  test("a certificate for another name fails with ETLS", async () => {
    const error = await tlsError(`127.0.0.1:${peers.wrongName}`, { caCerts: [ca] });
    expect(error.code).toBe("ETLS");
    expect(error.message).toContain("127.0.0.1");
  });

  test("an alert after the handshake (a server that requires a client certificate) fails the socket with ETLS", async () => {
    // TLS 1.3: the client's handshake is done before the server checks its (missing)
    // certificate; Bun reports the alert as EPROTO, which is the TLS session's failure.
    const socket = connect(`localhost:${peers.clientCert}`, { secureTransport: "on", caCerts: [ca] });
    await socket.opened;
    const error = await rejection(readAll(socket.readable));
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).code).toBe("ETLS");
    expect(await rejection(socket.closed)).toBe(error);
  });

  test("a certificate from an untrusted CA fails with ETLS", async () => {
    expect((await tlsError(`127.0.0.1:${peers.untrusted}`, { caCerts: [ca] })).code).toBe("ETLS");
  });

  test("without caCerts the test CA is not trusted (ETLS)", async () => {
    expect((await tlsError(`127.0.0.1:${peers.tls}`, {})).code).toBe("ETLS");
  });

  test("caCerts adds roots: a private CA is trusted through the option", async () => {
    const socket = connect(`127.0.0.1:${peers.private}`, { secureTransport: "on", caCerts: [privateCa] });
    await socket.opened;
    await socket.close();
  });

  test("caCerts keep the default roots and NODE_EXTRA_CA_CERTS trusted", async () => {
    const certs = new URL("./fixtures/certs/", import.meta.url).pathname;
    const child = Bun.spawn(
      [
        process.execPath,
        new URL("./fixtures/extra-ca-probe.ts", import.meta.url).pathname,
        String(peers.tls),
        String(peers.private),
        `${certs}private.pem`,
      ],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: `${certs}ca.pem` }, stdout: "pipe", stderr: "inherit" },
    );
    const output = await new Response(child.stdout).text();
    expect(await child.exited).toBe(0);
    expect(JSON.parse(output)).toEqual({ envCa: "ok", optionCa: "ok" });
  });

  test("16 MiB echoed over TLS arrive intact: partial TLS writes and paused TLS reads", async () => {
    const size = 16 * 1024 * 1024;
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (i * 31) & 0xff;
    const socket = connect(`localhost:${peers.tls}`, { secureTransport: "on", caCerts: [ca], allowHalfOpen: true });
    const writer = socket.writable.getWriter();
    const sent = writer.write(data).then(() => writer.close());
    const { bytes } = await readAll(socket.readable);
    await sent;
    const text = decoder.decode(bytes.subarray(bytes.length - 4));
    const start = bytes.indexOf(10) + 1; // after the greeting line
    expect(text).toBe("bye\n");
    expect(bytes.length - start - 4).toBe(size);
    let mismatches = 0;
    for (let i = 0; i < size; i++) if (bytes[start + i] !== data[i]) mismatches++;
    expect(mismatches).toBe(0);
    await socket.closed;
  }, 20_000);

  test("a half-close over TLS: the peer sees our end and still answers", async () => {
    const socket = connect(`localhost:${peers.tls}`, { secureTransport: "on", caCerts: [ca], allowHalfOpen: true });
    const writer = socket.writable.getWriter();
    await writer.write(encoder.encode("ping\n"));
    await writer.close();
    const { bytes } = await readAll(socket.readable);
    const lines = decoder.decode(bytes).split("\n");
    expect(lines.slice(1)).toEqual(["ping", "bye", ""]);
    await socket.closed;
  });

  test("the signal aborts a hanging handshake at once and the socket is closed", async () => {
    const silent = listen();
    try {
      const controller = new AbortController();
      const socket = connect(silent.address, { secureTransport: "on", caCerts: [ca], signal: controller.signal });
      const conn = await silent.accepted();
      const reason = new Error("give up");
      controller.abort(reason);
      const error = await rejection(socket.opened);
      expect(error).toBeInstanceOf(SocketError);
      expect((error as SocketError).code).toBe("EABORTED");
      expect((error as SocketError).cause).toBe(reason);
      // The server sees our side go away (Bun sends a FIN here even for terminate()).
      await Promise.race([conn.ended, conn.closed]);
    } finally {
      silent.stop();
    }
  });
});

describe("secureTransport: starttls", () => {
  async function plainUntilOk(socket: Socket): Promise<string> {
    const writer = socket.writable.getWriter();
    await writer.write(encoder.encode("hi\nSTARTTLS\n"));
    writer.releaseLock();
    const reader = socket.readable.getReader();
    const seen = await readUntil(reader, "OK\n");
    reader.releaseLock();
    return seen;
  }

  test("startTls() upgrades in place: SNI, ALPN, and only TLS bytes reach the new socket", async () => {
    const plain = connect(`localhost:${peers.starttls}`, { secureTransport: "starttls", alpn: ["x-test"], caCerts: [ca] });
    expect(await plainUntilOk(plain)).toBe("PLAIN hi\nOK\n");
    const secure = plain.startTls();
    expect(plain.upgraded).toBe(true);
    const info = await secure.opened;
    expect(info.alpn).toBe("x-test");
    await plain.closed;
    expect(await greeting(secure)).toEqual({ sni: "localhost", alpn: "x-test" });
    const writer = secure.writable.getWriter();
    await writer.write(encoder.encode("over tls\n"));
    const reader = secure.readable.getReader();
    expect(await readUntil(reader, "over tls\n")).toBe("over tls\n");
    await secure.close();
  });

  test("startTls() against an IP literal sends no SNI and verifies the IP", async () => {
    const plain = connect(`127.0.0.1:${peers.starttls}`, { secureTransport: "starttls", caCerts: [ca] });
    await plainUntilOk(plain);
    const secure = plain.startTls();
    await secure.opened;
    expect(await greeting(secure)).toEqual({ sni: null, alpn: null });
    await secure.close();
  });

  test("startTls() with a certificate for another name rejects the new socket with ETLS", async () => {
    const plain = connect(`127.0.0.1:${peers.starttlsWrongName}`, { secureTransport: "starttls", caCerts: [ca] });
    await plainUntilOk(plain);
    const secure = plain.startTls();
    const error = await rejection(secure.opened);
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).code).toBe("ETLS");
  });
});
