import * as net from "node:net";
import * as tls from "node:tls";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Cancellation, type TlsRequest, type Transport } from "@sockets/core";
import { openNodeTransport } from "../src/open-node-transport.js";
import { createTestPki, type Pem } from "./_pki.js";
import { Recorder, Servers, settle, until } from "./_harness.js";

const pki = createTestPki();
const servers = new Servers();
const transports: Transport[] = [];
afterEach(async () => {
  for (const transport of transports.splice(0)) transport.abort();
  await servers.stopAll();
});
afterAll(() => pki.dispose());

interface StartTlsServer {
  port: number;
  /** Resolves when "JUNK" (sent after "OK\n" when `junk` is set) was handed to the kernel. */
  junkSent: Promise<void>;
}

/**
 * Line protocol: "STARTTLS\n" → "OK\n", then TLS echo. With `junk`, the server waits for
 * "ACK\n" after its "OK\n", sends "JUNK" in plain text, then upgrades.
 */
async function startTlsServer(pem: Pem, junk = false): Promise<StartTlsServer> {
  let junkSent!: () => void;
  const sent = new Promise<void>((resolve) => (junkSent = resolve));
  const upgrade = (socket: net.Socket): void => {
    const secure = new tls.TLSSocket(socket, { isServer: true, key: pem.key, cert: pem.cert, ALPNProtocols: ["x-test"] });
    secure.on("error", () => {});
    secure.on("data", (data: Buffer) => secure.write(data));
  };
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    let text = "";
    const onData = (data: Buffer): void => {
      text += data.toString("latin1");
      if (text === "STARTTLS\n") {
        text = "";
        socket.write("OK\n");
        if (!junk) {
          socket.off("data", onData);
          upgrade(socket);
        }
      } else if (text === "ACK\n") {
        socket.off("data", onData);
        socket.write("JUNK", () => junkSent());
        upgrade(socket);
      }
    };
    socket.on("data", onData);
  });
  return { port: await servers.listen(server), junkSent: sent };
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

function tlsRequest(verifyName: string): TlsRequest {
  return { verifyName, serverName: verifyName, alpn: ["x-test"], caCerts: [pki.ca.cert] };
}

async function openPlain(port: number, events: Recorder): Promise<Transport> {
  const transport = await openNodeTransport({ hostname: "127.0.0.1", port, tls: null, starttls: true, cancel: new Cancellation() }, events);
  transports.push(transport);
  return transport;
}

/** Sends "STARTTLS\n" and reads until "OK\n", pausing like core does after each chunk. */
async function negotiate(transport: Transport, events: Recorder): Promise<void> {
  events.onData = () => transport.pause();
  await transport.write(encode("STARTTLS\n"));
  transport.pull(null);
  await events.waitText("OK\n");
}

describe("startTls", () => {
  it("upgrades with a verified handshake, then the old events stop", async () => {
    const { port } = await startTlsServer(pki.leaf);
    const plain = new Recorder();
    const transport = await openPlain(port, plain);
    await negotiate(transport, plain);
    const events = new Recorder();
    const secure = await transport.startTls(tlsRequest("localhost"), events, new Cancellation());
    transports.push(secure);
    expect(secure.info.alpn).toBe("x-test");
    expect(secure.info.remoteAddress).toBe(transport.info.remoteAddress);
    secure.pull(null);
    await secure.write(encode("over tls"));
    await events.waitText("over tls");
    expect(plain.text()).toBe("OK\n");
    secure.abort();
    await settle();
    expect(plain.errors).toEqual([]);
    expect(plain.ends).toBe(0);
  });

  it("fails with ETLS when the certificate is for another name", async () => {
    const { port } = await startTlsServer(pki.wrongName);
    const plain = new Recorder();
    const transport = await openPlain(port, plain);
    await negotiate(transport, plain);
    await expect(transport.startTls(tlsRequest("localhost"), new Recorder(), new Cancellation())).rejects.toMatchObject({
      code: "ETLS",
      cause: { code: "ERR_TLS_CERT_ALTNAME_INVALID" },
    });
  });

  it("refuses a second upgrade of an already secured transport", async () => {
    const { port } = await startTlsServer(pki.leaf);
    const plain = new Recorder();
    const transport = await openPlain(port, plain);
    await negotiate(transport, plain);
    const secure = await transport.startTls(tlsRequest("localhost"), new Recorder(), new Cancellation());
    transports.push(secure);
    await expect(secure.startTls(tlsRequest("localhost"), new Recorder(), new Cancellation())).rejects.toThrow(/already secured/);
  });

  it("discards plain-text bytes buffered before the upgrade", async () => {
    const { port, junkSent } = await startTlsServer(pki.leaf, true);
    const plain = new Recorder();
    const transport = await openPlain(port, plain);
    await negotiate(transport, plain);
    // Paused: "JUNK" lands in Node's buffer of the plain socket, undelivered.
    await transport.write(encode("ACK\n"));
    await junkSent;
    await settle();
    expect(plain.text()).toBe("OK\n");
    const events = new Recorder();
    const secure = await transport.startTls(tlsRequest("localhost"), events, new Cancellation());
    transports.push(secure);
    secure.pull(null);
    await secure.write(encode("clean"));
    await events.waitText("clean");
    expect(events.text()).toBe("clean");
  });

  it("(why) Node itself feeds such buffered bytes into the TLS layer", async () => {
    const { port, junkSent } = await startTlsServer(pki.leaf, true);
    const raw = net.connect({ host: "127.0.0.1", port });
    await new Promise((resolve) => raw.once("connect", resolve));
    raw.write("STARTTLS\n");
    let text = "";
    raw.on("data", (data: Buffer) => {
      text += data.toString();
      raw.pause();
    });
    await until(() => text === "OK\n", "OK");
    raw.removeAllListeners("data");
    raw.write("ACK\n");
    await junkSent;
    await settle();
    expect(raw.readableLength).toBe(4);
    const secure = tls.connect({ socket: raw, servername: "localhost", ca: pki.ca.cert });
    const error = await new Promise((resolve) => secure.once("error", resolve));
    expect(error).toMatchObject({ code: expect.stringMatching(/^ERR_SSL_/) });
    secure.destroy();
  });
});
