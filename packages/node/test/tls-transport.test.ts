/**
 * Node's own TLS behaviour below the Transport contract (whose TLS cases run in
 * plain-transport.test.ts): the native causes of ETLS, `caCerts` added to Node's default
 * roots (NODE_EXTRA_CA_CERTS), chunks that own their memory, TLS close and RST.
 */
import { join } from "node:path";
import * as tls from "node:tls";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Cancellation, SocketError, type TlsRequest, type Transport } from "@sockets/core";
import { openNodeTransport } from "../src/open-node-transport.js";
import { createTestPki, type Pem } from "./_pki.js";
import { Recorder, Servers, serverOutcome, until } from "./_harness.js";

const pki = createTestPki();
// `caCerts` must add to the default roots, NODE_EXTRA_CA_CERTS included; the main test CA
// is made one of them here, so every test in this file trusts it that way. Node 20 has no
// API listing them, so the transport reads the NODE_EXTRA_CA_CERTS file itself (lazily):
// pointing it at the main CA now works. Node 22+ lists them (tls.getCACertificates
// "default"), from the variable as it was at start-up, so there the CA is added to the
// default store instead (tls.setDefaultCACertificates, Node 22.19+ / 24.5+).
const tlsDefaults = tls as {
  getCACertificates?: (type: "default") => string[];
  setDefaultCACertificates?: (certs: string[]) => void;
};
if (tlsDefaults.setDefaultCACertificates !== undefined && tlsDefaults.getCACertificates !== undefined) {
  tlsDefaults.setDefaultCACertificates([...tlsDefaults.getCACertificates("default"), pki.ca.cert]);
} else {
  process.env.NODE_EXTRA_CA_CERTS = join(pki.dir, "ca.pem");
}

const servers = new Servers();
const transports: Transport[] = [];
afterEach(async () => {
  for (const transport of transports.splice(0)) transport.abort();
  await servers.stopAll();
});
afterAll(() => pki.dispose());

interface Seen {
  servername: string | false | null | undefined;
  alpn: string | false | null;
}

interface Echo {
  port: number;
  /** SNI and ALPN of each completed handshake (the server completes after the client). */
  seen: Seen[];
  /** Every SNI received, also from handshakes the client then rejects. */
  sni: string[];
}

/** A TLS echo server that records what clients send. */
async function tlsEcho(pem: Pem, alpn?: string[]): Promise<Echo> {
  const seen: Seen[] = [];
  const sni: string[] = [];
  const options: tls.TlsOptions = {
    key: pem.key,
    cert: pem.cert,
    ALPNProtocols: alpn,
    allowHalfOpen: true,
    SNICallback: (name, callback) => {
      sni.push(name);
      callback(null, undefined);
    },
  };
  const server = tls.createServer(options, (socket) => {
    seen.push({ servername: socket.servername, alpn: socket.alpnProtocol });
    socket.on("error", () => {});
    socket.on("data", (data: Buffer) => socket.write(data));
    socket.on("end", () => socket.end());
  });
  return { port: await servers.listen(server), seen, sni };
}

function tlsRequest(overrides: Partial<TlsRequest> & { verifyName: string }): TlsRequest {
  return { serverName: overrides.verifyName, alpn: [], caCerts: [pki.ca.cert], ...overrides };
}

async function open(port: number, hostname: string, request: TlsRequest, events = new Recorder()): Promise<Transport> {
  const transport = await openNodeTransport({ hostname, port, tls: request, starttls: false, cancel: new Cancellation() }, events);
  transports.push(transport);
  return transport;
}

async function failure(port: number, hostname: string, request: TlsRequest): Promise<SocketError> {
  const error = await open(port, hostname, request).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SocketError);
  expect(error).toMatchObject({ code: "ETLS" });
  return error as SocketError;
}

describe("TLS: SNI and verification", () => {
  it("sends the sni option as SNI and verifies against it", async () => {
    const echo = await tlsEcho(pki.leaf);
    await open(echo.port, "127.0.0.1", tlsRequest({ verifyName: "alt.example" }));
    expect(echo.sni).toEqual(["alt.example"]);
  });

  // Core never builds this request (its SNI is the name verified); Node honours it anyway.
  it("verifies against verifyName even when a different SNI is sent", async () => {
    const echo = await tlsEcho(pki.leaf);
    const error = await failure(echo.port, "127.0.0.1", tlsRequest({ verifyName: "wrong.example", serverName: "localhost" }));
    expect(echo.sni).toEqual(["localhost"]);
    expect(error.cause).toMatchObject({ code: "ERR_TLS_CERT_ALTNAME_INVALID" });
  });

  it("rejects a certificate for another name with ETLS", async () => {
    const { port } = await tlsEcho(pki.wrongName);
    const error = await failure(port, "localhost", tlsRequest({ verifyName: "localhost" }));
    expect(error.cause).toMatchObject({ code: "ERR_TLS_CERT_ALTNAME_INVALID" });
  });

  it("rejects a certificate from an untrusted CA with ETLS", async () => {
    const { port } = await tlsEcho(pki.untrusted);
    const error = await failure(port, "localhost", tlsRequest({ verifyName: "localhost" }));
    expect(error.cause).toMatchObject({ code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  });
});

describe("TLS: caCerts", () => {
  it("adds caCerts to the default roots instead of replacing them", async () => {
    // The main CA is trusted only through NODE_EXTRA_CA_CERTS (see the top of this file);
    // Node's own `ca` option would drop it.
    const { port } = await tlsEcho(pki.leaf);
    await open(port, "localhost", tlsRequest({ verifyName: "localhost", caCerts: [pki.privateCa.cert] }));
    const control = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: [pki.privateCa.cert] });
    const controlError = await new Promise((resolve) => control.once("error", resolve));
    // Where the main CA is in the default store (Node 22+, above), the test server's
    // OpenSSL also sends it in the chain it builds from that store: a self-signed root in the chain.
    expect((controlError as { code?: string }).code).toMatch(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)$/);
  });
});

describe("TLS: data and teardown", () => {
  it("delivers chunks that own their ArrayBuffer", async () => {
    const server = tls.createServer({ key: pki.leaf.key, cert: pki.leaf.cert }, (socket) => {
      socket.on("error", () => {});
      socket.end(Buffer.alloc(1024 * 1024, 3));
    });
    const port = await servers.listen(server);
    const events = new Recorder();
    const transport = await open(port, "localhost", tlsRequest({ verifyName: "localhost" }), events);
    transport.pull(null);
    await events.waitEnd();
    expect(events.bytes).toBe(1024 * 1024);
    for (const chunk of events.chunks) expect(chunk.buffer.byteLength).toBe(chunk.byteLength);
  });

  it("close() ends TLS and TCP gracefully", async () => {
    let outcome!: ReturnType<typeof serverOutcome>;
    const server = tls.createServer({ key: pki.leaf.key, cert: pki.leaf.cert }, (socket) => (outcome = serverOutcome(socket)));
    const port = await servers.listen(server);
    const transport = await open(port, "localhost", tlsRequest({ verifyName: "localhost" }));
    await transport.write(new TextEncoder().encode("bye"));
    await until(() => outcome !== undefined, "the accept");
    await transport.close();
    const { data, ended, error } = await outcome;
    expect(data.toString()).toBe("bye");
    expect(ended).toBe(true);
    expect(error).toBeNull();
  });

  it("abort() sends RST under TLS too", async () => {
    let outcome!: ReturnType<typeof serverOutcome>;
    const server = tls.createServer({ key: pki.leaf.key, cert: pki.leaf.cert }, (socket) => (outcome = serverOutcome(socket)));
    const port = await servers.listen(server);
    const transport = await open(port, "localhost", tlsRequest({ verifyName: "localhost" }));
    await until(() => outcome !== undefined, "the accept");
    transport.abort();
    expect((await outcome).error).toMatchObject({ code: "ECONNRESET" });
  });

  it("abort() right after the handshake, while reading, sends RST (and does not crash Node)", async () => {
    // The RST may reach the server before or after its side of the handshake completed.
    let reset!: (error: unknown) => void;
    const seen = new Promise((resolve) => (reset = resolve));
    const server = tls.createServer({ key: pki.leaf.key, cert: pki.leaf.cert }, (socket) => {
      serverOutcome(socket).then(({ error }) => reset(error));
    });
    const port = await servers.listen(server);
    server.on("tlsClientError", (error) => reset(error));
    const transport = await open(port, "localhost", tlsRequest({ verifyName: "localhost" }));
    transport.pull(null);
    transport.abort();
    expect(await seen).toMatchObject({ code: "ECONNRESET" });
  });
});
