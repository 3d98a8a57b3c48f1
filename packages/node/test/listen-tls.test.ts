/**
 * `listen()` with TLS on Node: TLS listeners (`secureTransport: "on"`) and server-side
 * STARTTLS, with independent `node:tls` / `node:net` clients.
 */
import { once } from "node:events";
import * as tls from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { connect, listen, SocketError } from "../src/index.js";
import { clientRead, nextSocket, nothingAccepted, outcome, portOf, readText, Tracked } from "./_listen-harness.js";
import { createTestPki } from "./_pki.js";
import { until } from "./_harness.js";

const pki = createTestPki();
afterAll(() => pki.dispose());
const t = new Tracked();
const serverTls = { cert: pki.leaf.cert, key: pki.leaf.key };

describe("listen() on Node: TLS listeners", () => {
  it("hands out a verified TLS socket with the negotiated ALPN", async () => {
    const server = t.listener(listen("127.0.0.1:0", { secureTransport: "on", tls: { ...serverTls, alpn: ["myproto", "other"] } }));
    expect(server.stats.failed).toBe(0);
    const port = portOf((await server.opened).localAddress);
    const client = await t.dialTls(port, { ca: pki.ca.cert, ALPNProtocols: ["nope", "myproto"] });
    expect(client.authorized).toBe(true);
    expect(client.alpnProtocol).toBe("myproto");
    const socket = t.socket(await nextSocket(server));
    expect(socket.secureTransport).toBe("on");
    const info = await socket.opened;
    expect(info).toEqual({ remoteAddress: `127.0.0.1:${client.localPort}`, localAddress: `127.0.0.1:${port}`, alpn: "myproto" });
    client.write("secret");
    expect(await readText(socket, 6)).toBe("secret");
    await socket.writable.getWriter().write("answer");
    expect(await clientRead(client, 6)).toBe("answer");
  });

  it("reports no ALPN when the client offers none", async () => {
    const server = t.listener(listen("127.0.0.1:0", { secureTransport: "on", tls: { ...serverTls, alpn: ["myproto"] } }));
    await t.dialTls(portOf((await server.opened).localAddress), { ca: pki.ca.cert });
    expect((await t.socket(await nextSocket(server)).opened).alpn).toBe(null);
  });

  it("counts failed handshakes (untrusted by the client, garbage bytes) and never hands them out", async () => {
    const server = t.listener(listen("127.0.0.1:0", { secureTransport: "on", tls: serverTls }));
    const port = portOf((await server.opened).localAddress);
    // A client that does not trust our certificate (no CA given) aborts the handshake.
    await expect(t.dialTls(port, {})).rejects.toThrow();
    // A client that speaks plain text.
    const plain = await t.dial(port);
    const plainResult = outcome(plain);
    plain.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    await until(() => server.stats.failed === 2, "two failed handshakes");
    expect((await plainResult).ended || (await plainResult).error !== null).toBe(true);
    expect(await nothingAccepted(server, 100)).toBe(true);
    // A good client afterwards is the first socket handed out.
    const good = await t.dialTls(port, { ca: pki.ca.cert });
    const info = await t.socket(await nextSocket(server)).opened;
    expect(info.remoteAddress).toBe(`127.0.0.1:${good.localPort}`);
    expect(server.stats).toEqual({ accepted: 1, dropped: 0, failed: 2 });
  });

  it("bounds a silent client by handshakeTimeout without blocking other accepts", async () => {
    const server = t.listener(listen("127.0.0.1:0", { secureTransport: "on", tls: serverTls, handshakeTimeout: 300 }));
    const port = portOf((await server.opened).localAddress);
    const silent = await t.dial(port); // connects and never sends a ClientHello
    const silentResult = outcome(silent);
    const good = await t.dialTls(port, { ca: pki.ca.cert });
    const info = await t.socket(await nextSocket(server)).opened;
    expect(info.remoteAddress).toBe(`127.0.0.1:${good.localPort}`);
    expect(server.stats.failed).toBe(0);
    const started = Date.now();
    await silentResult; // closed by the server once the timeout passed
    expect(Date.now() - started).toBeLessThan(2_000);
    await until(() => server.stats.failed === 1, "the timed-out handshake counted");
  });

  it("delivers a client's data and FIN sent while the socket waited unclaimed", async () => {
    const server = t.listener(listen("127.0.0.1:0", { secureTransport: "on", tls: serverTls, allowHalfOpen: true }));
    const port = portOf((await server.opened).localAddress);
    const client = await t.dialTls(port, { ca: pki.ca.cert });
    client.end("last words");
    await new Promise((resolve) => setTimeout(resolve, 50)); // the TLS layer has read the data and the FIN
    const socket = t.socket(await nextSocket(server));
    expect(await readText(socket, 100)).toBe("last words");
  });

  it("delivers a FIN without data sent while the socket waited unclaimed", async () => {
    const server = t.listener(listen("127.0.0.1:0", { secureTransport: "on", tls: serverTls, allowHalfOpen: true }));
    const port = portOf((await server.opened).localAddress);
    const client = await t.dialTls(port, { ca: pki.ca.cert });
    const clientResult = outcome(client);
    client.end();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the TLS layer has read the close_notify and FIN
    const socket = t.socket(await nextSocket(server));
    const reader = socket.readable.getReader();
    const read = await Promise.race([reader.read(), new Promise((r) => setTimeout(() => r("pending"), 2_000))]);
    expect(read).toEqual({ done: true, value: undefined });
    reader.releaseLock();
    const writer = socket.writable.getWriter();
    await writer.write("bye"); // half-open: our side still writes
    await writer.close();
    await socket.closed;
    expect(await clientResult).toMatchObject({ error: null, ended: true, data: "bye" });
  });

  it("reports a reset that happened while a TLS socket waited unclaimed", async () => {
    const server = t.listener(listen("127.0.0.1:0", { secureTransport: "on", tls: serverTls }));
    const port = portOf((await server.opened).localAddress);
    const raw = await t.dial(port);
    const client = t.client(tls.connect({ socket: raw, servername: "localhost", ca: pki.ca.cert }));
    await once(client, "secureConnect");
    await new Promise((resolve) => setTimeout(resolve, 20));
    raw.resetAndDestroy();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the RST arrived
    const socket = t.socket(await nextSocket(server));
    await expect(socket.closed).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("refuses clients without a certificate when requestCert is set", async () => {
    const server = t.listener(
      listen("127.0.0.1:0", { secureTransport: "on", tls: { ...serverTls, requestCert: true, caCerts: [pki.ca.cert] } }),
    );
    const port = portOf((await server.opened).localAddress);
    const client = t.client(tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: pki.ca.cert }));
    const result = outcome(client);
    await until(() => server.stats.failed === 1, "the refused handshake");
    const { error, ended } = await result;
    expect(error !== null || ended).toBe(true);
    expect(server.stats.accepted).toBe(0);
  });

  it("works with our own connect() as the client", async () => {
    const server = t.listener(listen("127.0.0.1:0", { secureTransport: "on", tls: { ...serverTls, alpn: ["x"] } }));
    const client = t.socket(
      connect(`localhost:${portOf((await server.opened).localAddress)}`, { secureTransport: "on", alpn: ["x"], caCerts: [pki.ca.cert] }),
    );
    expect((await client.opened).alpn).toBe("x");
    const socket = t.socket(await nextSocket(server));
    expect((await socket.opened).alpn).toBe("x");
  });

  it("throws EINVAL at once for a key that does not match the certificate, without quoting the key", () => {
    for (const secureTransport of ["on", "starttls"] as const) {
      let thrown: unknown;
      try {
        listen("127.0.0.1:0", { secureTransport, tls: { cert: pki.leaf.cert, key: pki.untrusted.key } });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SocketError);
      expect(thrown).toMatchObject({ code: "EINVAL" });
      expect((thrown as Error).message).toMatch(/^SocketError: Invalid option tls: /);
      expect((thrown as Error).message).not.toContain(pki.untrusted.key.split("\n")[1]);
    }
  });

  it("drops TLS connections beyond highWaterMark after their handshake, as dropped (not failed)", async () => {
    const server = t.listener(listen("127.0.0.1:0", { secureTransport: "on", tls: serverTls, highWaterMark: 0 }));
    const port = portOf((await server.opened).localAddress);
    const client = await t.dialTls(port, { ca: pki.ca.cert });
    const result = await outcome(client);
    expect(result.error?.code ?? "closed").toMatch(/ECONNRESET|closed/);
    expect(server.stats).toEqual({ accepted: 0, dropped: 1, failed: 0 });
  });

  it("counts a client that vanishes mid-handshake at once, not after handshakeTimeout", async () => {
    const server = t.listener(listen("127.0.0.1:0", { secureTransport: "on", tls: serverTls, handshakeTimeout: 60_000 }));
    const port = portOf((await server.opened).localAddress);
    const client = await t.dial(port);
    client.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x01])); // the start of a ClientHello
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.resetAndDestroy();
    await until(() => server.stats.failed === 1, "the failed handshake", 2_000);
    const gone = await t.dial(port);
    gone.end(); // and one that leaves cleanly before sending anything
    await until(() => server.stats.failed === 2, "the second failed handshake", 2_000);
    expect(server.stats.accepted).toBe(0);
  });
});

describe("listen() on Node: server-side STARTTLS", () => {
  it("upgrades an accepted socket with the listener's certificate for a node:tls client", async () => {
    const server = t.listener(listen("127.0.0.1:0", { secureTransport: "starttls", tls: { ...serverTls, alpn: ["smtp"] } }));
    const port = portOf((await server.opened).localAddress);
    const raw = await t.dial(port);
    raw.write("STARTTLS\r\n");
    const socket = t.socket(await nextSocket(server));
    expect(socket.secureTransport).toBe("starttls");
    expect(await readText(socket, 10)).toBe("STARTTLS\r\n");
    const writer = socket.writable.getWriter();
    await writer.write("220 go ahead\r\n");
    writer.releaseLock();
    expect(await clientRead(raw, 14)).toBe("220 go ahead\r\n");
    const secure = t.socket(socket.startTls());
    const client = t.client(tls.connect({ socket: raw, servername: "localhost", ca: pki.ca.cert, ALPNProtocols: ["smtp"] }));
    await once(client, "secureConnect");
    expect(client.authorized).toBe(true);
    const info = await secure.opened;
    expect(info.alpn).toBe("smtp");
    expect(socket.upgraded).toBe(true);
    client.write("EHLO secure");
    expect(await readText(secure, 11)).toBe("EHLO secure");
    await secure.writable.getWriter().write("250 ok");
    expect(await clientRead(client, 6)).toBe("250 ok");
  });

  it("fails the upgrade (ETLS) when the client does not trust the certificate", async () => {
    const server = t.listener(listen("127.0.0.1:0", { secureTransport: "starttls", tls: serverTls }));
    const raw = await t.dial(portOf((await server.opened).localAddress));
    const socket = t.socket(await nextSocket(server));
    await socket.opened;
    const secure = t.socket(socket.startTls());
    t.client(tls.connect({ socket: raw, servername: "localhost" })); // no CA: rejects our certificate
    await expect(secure.opened).rejects.toMatchObject({ code: "ETLS" });
  });

  it("refuses startTls() on sockets of a plain listener", async () => {
    const server = t.listener(listen("127.0.0.1:0"));
    await t.dial(portOf((await server.opened).localAddress));
    const socket = t.socket(await nextSocket(server));
    expect(() => socket.startTls()).toThrow(SocketError);
  });
});
