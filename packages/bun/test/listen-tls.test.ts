/**
 * `listen()` with TLS over native `Bun.listen({ tls })` and server-side `upgradeTLS`, on
 * real loopback sockets. Clients: real Node in a child process, raw `Bun.connect`, and our
 * own connect().
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { connect, listen, SocketError, type Socket } from "../src/index.js";
import { pem, readAll, readUntil, rejection } from "./_helpers.js";
import { accept, echo, nodeClients, portOf, rawClient, tracked, until, within } from "./_listen-helpers.js";

let cert: string;
let key: string;
let ca: string;

beforeAll(async () => {
  [cert, key, ca] = await Promise.all([pem("leaf"), pem("leaf-key"), pem("ca")]);
});

/** The server half of the STARTTLS line protocol: "STARTTLS\n" → "OK\n", then TLS. */
async function serverStartTls(plain: Socket): Promise<Socket> {
  const reader = plain.readable.getReader();
  expect(await readUntil(reader, "\n")).toBe("STARTTLS\n");
  reader.releaseLock();
  const writer = plain.writable.getWriter();
  await writer.write("OK\n");
  writer.releaseLock();
  return tracked(plain.startTls());
}

describe("listen() with TLS on Bun", () => {
  test("a TLS listener negotiates ALPN with a real Node client and echoes over TLS", async () => {
    const server = tracked(
      listen("127.0.0.1:0", { secureTransport: "on", tls: { cert, key, alpn: ["x-test", "x-other"] }, allowHalfOpen: true }),
    );
    const port = portOf((await server.opened).localAddress);
    const clients = nodeClients({ port, mode: "tls", alpn: ["x-nope", "x-test"], send: "over tls\n" });
    const socket = await accept(server);
    const info = await socket.opened;
    expect(info.alpn).toBe("x-test");
    const echoed = echo(socket);
    const [outcome] = await clients;
    await echoed;
    expect(outcome).toMatchObject({ received: "over tls\n", alpn: "x-test", error: null });
    expect(info.remoteAddress).toBe(`127.0.0.1:${outcome!.localPort}`);
  });

  test("our own connect() with TLS and ALPN against a TLS listener", async () => {
    const server = tracked(listen("127.0.0.1:0", { secureTransport: "on", tls: { cert, key, alpn: ["x-test"] }, allowHalfOpen: true }));
    const client = tracked(connect((await server.opened).localAddress, { secureTransport: "on", alpn: ["x-test"], caCerts: [ca] }));
    const socket = await accept(server);
    expect((await socket.opened).alpn).toBe("x-test");
    expect((await client.opened).alpn).toBe("x-test");
    const echoed = echo(socket);
    const writer = client.writable.getWriter();
    await writer.write("ping");
    await writer.close();
    expect(new TextDecoder().decode((await readAll(client.readable)).bytes)).toBe("ping");
    await echoed;
  });

  test("a key that does not match the certificate, or a PEM body that does not decode, is a synchronous EINVAL (on and starttls)", async () => {
    const otherKey = await pem("wrong-key");
    const garbageCert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    const garbageKey = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    const cases = [
      { secureTransport: "on", tls: { cert, key: otherKey } },
      { secureTransport: "starttls", tls: { cert, key: otherKey } },
      { secureTransport: "on", tls: { cert: garbageCert, key } },
      { secureTransport: "starttls", tls: { cert, key: garbageKey } },
    ] as const;
    for (const options of cases) {
      let thrown: unknown;
      try {
        tracked(listen("127.0.0.1:0", options));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SocketError);
      expect((thrown as SocketError).code).toBe("EINVAL");
      expect((thrown as Error).message).toContain("Invalid option tls: ");
      expect((thrown as Error).message).not.toContain(otherKey.split("\n")[1]!); // the key is never quoted
    }
  });

  test("failed handshakes are counted in stats.failed and never delivered", async () => {
    const server = tracked(listen("127.0.0.1:0", { secureTransport: "on", tls: { cert, key } }));
    const port = portOf((await server.opened).localAddress);
    // A Node client that does not trust our CA aborts the handshake.
    const [untrusting] = await nodeClients({ port, mode: "tls", trust: "none", send: "never" });
    expect(untrusting!.error).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    // A client that speaks plain text to a TLS listener.
    const garbage = await rawClient(port);
    garbage.socket.write("GET / HTTP/1.0\r\n\r\n");
    await until(() => server.stats.failed === 2, 5_000, "2 failed handshakes");
    // The next socket out of the listener is a good client, not one of the failed ones.
    const good = nodeClients({ port, mode: "tls", send: "good\n" });
    const socket = await accept(server);
    const echoed = echo(socket);
    expect((await good)[0]).toMatchObject({ received: "good\n", error: null });
    await echoed.catch(() => {});
    expect(server.stats).toEqual({ accepted: 1, dropped: 0, failed: 2 });
  });

  test("a client that never sends blocks no accept, and is closed after handshakeTimeout", async () => {
    const server = tracked(listen("127.0.0.1:0", { secureTransport: "on", tls: { cert, key }, handshakeTimeout: 300 }));
    const port = portOf((await server.opened).localAddress);
    const silent = await rawClient(port);
    const started = Date.now();
    const good = nodeClients({ port, mode: "tls", send: "not blocked\n" });
    const socket = await accept(server, 2_000);
    const echoed = echo(socket);
    expect((await good)[0]).toMatchObject({ received: "not blocked\n", error: null });
    await echoed.catch(() => {});
    await within(silent.closed, 2_000, "the silent client's close");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(server.stats.failed).toBe(1);
  });

  test("requestCert: a client without a certificate is refused and counted", async () => {
    const server = tracked(listen("127.0.0.1:0", { secureTransport: "on", tls: { cert, key, requestCert: true, caCerts: [ca] } }));
    const port = portOf((await server.opened).localAddress);
    const [outcome] = await nodeClients({ port, mode: "tls", send: "hi\n", timeoutMs: 3_000 });
    expect(outcome!.received).toBe("");
    expect(outcome!.error).not.toBeNull();
    await until(() => server.stats.failed === 1, 3_000, "the refused client counted");
    expect(server.stats.accepted).toBe(0);
  });

  test("server STARTTLS: a real Node client upgrades after OK, ALPN negotiated, echo over TLS", async () => {
    const server = tracked(
      listen("127.0.0.1:0", { secureTransport: "starttls", tls: { cert, key, alpn: ["x-test"] }, allowHalfOpen: true }),
    );
    const port = portOf((await server.opened).localAddress);
    const clients = nodeClients({ port, mode: "starttls", alpn: ["x-test"], send: "secret\n" });
    const plain = await accept(server);
    const secure = await serverStartTls(plain);
    const info = await within(secure.opened, 5_000, "the server handshake");
    expect(info.alpn).toBe("x-test");
    expect(info.remoteAddress).toBe((await plain.opened).remoteAddress);
    const echoed = echo(secure);
    expect((await clients)[0]).toMatchObject({ received: "secret\n", alpn: "x-test", error: null });
    await echoed;
  });

  test("server STARTTLS with our own connect() on the client side", async () => {
    const server = tracked(listen("127.0.0.1:0", { secureTransport: "starttls", tls: { cert, key }, allowHalfOpen: true }));
    const client = tracked(connect((await server.opened).localAddress, { secureTransport: "starttls", caCerts: [ca] }));
    const plain = await accept(server);
    const clientWriter = client.writable.getWriter();
    await clientWriter.write("STARTTLS\n");
    clientWriter.releaseLock();
    const upgrading = serverStartTls(plain);
    const clientReader = client.readable.getReader();
    expect(await readUntil(clientReader, "\n")).toBe("OK\n");
    clientReader.releaseLock();
    const clientTls = tracked(client.startTls());
    const secure = await upgrading;
    await Promise.all([secure.opened, clientTls.opened]);
    const echoed = echo(secure);
    const writer = clientTls.writable.getWriter();
    await writer.write("over starttls");
    await writer.close();
    expect(new TextDecoder().decode((await readAll(clientTls.readable)).bytes)).toBe("over starttls");
    await echoed;
  });

  test("startTls() on an accepted socket nobody read from (still paused) completes its handshake", async () => {
    const server = tracked(listen("127.0.0.1:0", { secureTransport: "starttls", tls: { cert, key } }));
    const client = tracked(connect((await server.opened).localAddress, { secureTransport: "starttls", caCerts: [ca] }));
    const plain = await accept(server);
    // The server starts TLS at once (as SMTPS-on-connect protocols do); it never read the plain side.
    const secure = tracked(plain.startTls());
    const clientTls = tracked(client.startTls());
    await within(Promise.all([secure.opened, clientTls.opened]), 5_000, "both handshakes");
  });

  test("server STARTTLS: a client that never starts its handshake fails opened with ETLS after handshakeTimeout", async () => {
    const server = tracked(listen("127.0.0.1:0", { secureTransport: "starttls", tls: { cert, key }, handshakeTimeout: 300 }));
    const client = await rawClient(portOf((await server.opened).localAddress));
    client.socket.write("STARTTLS\n");
    const secure = await serverStartTls(await accept(server));
    const error = await within(rejection(secure.opened), 3_000, "the handshake timeout");
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).code).toBe("ETLS");
    expect((error as Error).message).toContain("300 ms");
    await within(client.closed, 2_000, "the client's close");
  });
});
