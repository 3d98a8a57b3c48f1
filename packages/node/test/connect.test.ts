import * as net from "node:net";
import * as tls from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { connect, runtime, SocketError, type Socket } from "../src/index.js";
import { createTestPki } from "./_pki.js";
import { closeAfterEach, Servers, serverOutcome, until } from "./_harness.js";

const pki = createTestPki();
const servers = new Servers();
const track = closeAfterEach(servers);
afterAll(() => pki.dispose());

async function readAll(socket: Socket): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of socket.readable) text += decoder.decode(chunk, { stream: true });
  return text;
}

function echoServer(): net.Server {
  return net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("error", () => {});
    socket.pipe(socket);
  });
}

describe("connect() on Node", () => {
  it("tags the runtime and exports SocketError", () => {
    expect(runtime).toBe("node");
    expect(new SocketError("x", { code: "EINVAL" })).toBeInstanceOf(TypeError);
  });

  it("round-trips bytes, half-closes on writer.close(), and resolves closed", async () => {
    const port = await servers.listen(echoServer());
    const socket = track(connect(`127.0.0.1:${port}`));
    const info = await socket.opened;
    expect(info).toEqual({ remoteAddress: `127.0.0.1:${port}`, localAddress: expect.stringMatching(/^127\.0\.0\.1:/), alpn: null });
    const writer = socket.writable.getWriter();
    await writer.write("hello ");
    await writer.write(new TextEncoder().encode("world"));
    await writer.close();
    expect(await readAll(socket)).toBe("hello world");
    await socket.closed;
  });

  it("reads with a BYOB reader", async () => {
    const port = await servers.listen(net.createServer((socket) => socket.end("abcdef")));
    const socket = track(connect({ hostname: "127.0.0.1", port }));
    const reader = socket.readable.getReader({ mode: "byob" });
    let text = "";
    for (;;) {
      const { value, done } = await reader.read(new Uint8Array(4));
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toBe("abcdef");
  });

  it("connects to [::1]", async () => {
    const port = await servers.listen(echoServer(), "::1");
    const socket = track(connect(`[::1]:${port}`));
    expect((await socket.opened).remoteAddress).toBe(`[::1]:${port}`);
  });

  it("rejects opened and closed with ECONNREFUSED", async () => {
    const port = await servers.listen(echoServer());
    await servers.stopAll();
    const socket = track(connect(`127.0.0.1:${port}`));
    const error = await socket.opened.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketError);
    expect(error).toMatchObject({ code: "ECONNREFUSED" });
    await expect(socket.closed).rejects.toBe(error);
  });

  it("rejects closed with ECONNRESET on a peer reset", async () => {
    const port = await servers.listen(net.createServer((socket) => socket.once("data", () => socket.resetAndDestroy())));
    const socket = track(connect(`127.0.0.1:${port}`));
    const writer = socket.writable.getWriter();
    await writer.write("x");
    const reader = socket.readable.getReader();
    await expect(reader.read()).rejects.toMatchObject({ code: "ECONNRESET" });
    await expect(socket.closed).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("aborts with the signal: EABORTED", async () => {
    const port = await servers.listen(net.createServer(() => {})); // never speaks TLS
    const controller = new AbortController();
    const socket = track(connect(`127.0.0.1:${port}`, { secureTransport: "on", signal: controller.signal }));
    controller.abort();
    await expect(socket.opened).rejects.toMatchObject({ code: "EABORTED" });
  });

  it("keeps writing after the peer's FIN with allowHalfOpen", async () => {
    let outcome!: ReturnType<typeof serverOutcome>;
    const port = await servers.listen(
      net.createServer({ allowHalfOpen: true }, (socket) => {
        outcome = serverOutcome(socket);
        socket.end("hi\n");
      }),
    );
    const socket = track(connect(`127.0.0.1:${port}`, { allowHalfOpen: true }));
    expect(await readAll(socket)).toBe("hi\n");
    const writer = socket.writable.getWriter();
    await writer.write("after fin");
    await writer.close();
    await socket.closed;
    await until(() => outcome !== undefined, "the accept");
    expect((await outcome).data.toString()).toBe("after fin");
  });
});

describe("connect() with TLS on Node", () => {
  async function tlsServer(cert: { key: string; cert: string }): Promise<number> {
    const server = tls.createServer({ ...cert, ALPNProtocols: ["x-test"] }, (socket) => {
      socket.on("error", () => {});
      socket.pipe(socket);
    });
    return servers.listen(server);
  }

  it("verifies with caCerts, negotiates ALPN, round-trips", async () => {
    const port = await tlsServer(pki.leaf);
    const socket = track(connect(`localhost:${port}`, { secureTransport: "on", alpn: ["x-test"], caCerts: [pki.ca.cert] }));
    expect((await socket.opened).alpn).toBe("x-test");
    const writer = socket.writable.getWriter();
    await writer.write("secure");
    const { value } = await socket.readable.getReader().read();
    expect(new TextDecoder().decode(value)).toBe("secure");
    await socket.close();
  });

  it("fails with ETLS for an untrusted certificate", async () => {
    const port = await tlsServer(pki.untrusted);
    const socket = track(connect(`127.0.0.1:${port}`, { secureTransport: "on", caCerts: [pki.ca.cert] }));
    await expect(socket.opened).rejects.toMatchObject({ code: "ETLS" });
    await expect(socket.closed).rejects.toMatchObject({ code: "ETLS" });
  });

  it("fails with ETLS when sni names a host the certificate is not for", async () => {
    const port = await tlsServer(pki.leaf);
    const socket = track(connect(`127.0.0.1:${port}`, { secureTransport: "on", sni: "wrong.example", caCerts: [pki.ca.cert] }));
    await expect(socket.opened).rejects.toMatchObject({ code: "ETLS" });
  });

  it("upgrades with startTls()", async () => {
    const server = net.createServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => {
        socket.write("OK\n");
        const secure = new tls.TLSSocket(socket, { isServer: true, key: pki.leaf.key, cert: pki.leaf.cert });
        secure.on("error", () => {});
        secure.pipe(secure);
      });
    });
    const port = await servers.listen(server);
    const socket = track(connect(`localhost:${port}`, { secureTransport: "starttls", caCerts: [pki.ca.cert] }));
    const writer = socket.writable.getWriter();
    await writer.write("STARTTLS\n");
    const reader = socket.readable.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toBe("OK\n");
    reader.releaseLock();
    writer.releaseLock();
    const secure = track(socket.startTls());
    expect(socket.upgraded).toBe(true);
    await secure.opened;
    await socket.closed;
    const secureWriter = secure.writable.getWriter();
    await secureWriter.write("inside");
    const inside = await secure.readable.getReader().read();
    expect(new TextDecoder().decode(inside.value)).toBe("inside");
    await secure.close();
  });
});
