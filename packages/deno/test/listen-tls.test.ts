/**
 * `listen()` with TLS (`secureTransport: "on"`) and server-side STARTTLS, against raw
 * `Deno.connectTls` / `Deno.connect` + `Deno.startTls` clients (Deno's own TLS client, not
 * ours) and our `connect()`; failed server upgrades against a Node `tls` client in a child
 * process. Certificates: the test CA and its leaf in `fixtures/` (valid for localhost and
 * 127.0.0.1; raw clients dial 127.0.0.1, the address `--allow-net` covers).
 */
import { Cancellation, type ServerTlsRequest } from "@sockets/core";
import { connect, listen, SocketError, type Listener, type Socket } from "../src/index.js";
import { serverStartTls } from "../src/_server-tls.js";
import { equal, ok, rejection, text, utf8, within } from "./_assert.js";
import { caPem } from "./_servers.js";

const fixture = (name: string): string => Deno.readTextFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const cert = fixture("leaf.pem");
const key = fixture("leaf-key.pem");
const tls = { cert, key, alpn: ["x-test"] };

const port = (address: string): number => Number(address.slice(address.lastIndexOf(":") + 1));
const clientPort = (conn: Deno.Conn): number => (conn.localAddr as Deno.NetAddr).port;

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.byteLength) written += await conn.write(bytes.subarray(written));
}

async function readBytes(conn: Deno.Conn, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = await conn.read(out.subarray(got));
    if (n === null) break;
    got += n;
  }
  return out.subarray(0, got);
}

/** Echoes until the peer's FIN; resolves with the failure, if any (never rejects). */
function echo(socket: Socket): Promise<unknown> {
  return socket.opened
    .then(() => socket.readable.pipeTo(socket.writable))
    .then(
      () => undefined,
      (error: unknown) => error,
    );
}

/** The next accepted socket (handled at once: a test that fails first leaves no stray rejection). */
function nextSocket(server: Listener, ms = 5000): Promise<Socket> {
  const next = readOne(server, ms);
  next.catch(() => {});
  return next;
}

async function readOne(server: Listener, ms: number): Promise<Socket> {
  const reader = server.readable.getReader();
  try {
    const { value, done } = await within(reader.read(), ms, "accept");
    ok(!done && value !== undefined, "a socket");
    return value;
  } finally {
    reader.releaseLock();
  }
}

/** Reads (and drops) until the server ends the connection: its FIN or a reset. */
async function readToEnd(conn: Deno.Conn): Promise<"closed"> {
  const buffer = new Uint8Array(1024);
  try {
    while ((await conn.read(buffer)) !== null);
  } catch (error) {
    if (!(error instanceof Deno.errors.ConnectionReset)) throw error;
  }
  return "closed";
}

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: still false after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A raw TLS client round trip: write, read the echo, half-close, see the server's end. */
async function rawEcho(client: Deno.TlsConn, message: string): Promise<void> {
  await writeAll(client, utf8(message));
  equal(text(await within(readBytes(client, message.length), 5000, "echo")), message, "echo over TLS");
  await client.closeWrite();
  equal(await within(client.read(new Uint8Array(8)), 5000, "end"), null, "the server ends after our close_notify + FIN");
}

Deno.test("TLS listener: a raw Deno.connectTls client gets the certificate, ALPN and an echo", async () => {
  const server = listen("127.0.0.1:0", { secureTransport: "on", tls, allowHalfOpen: true });
  try {
    const { localAddress } = await within(server.opened, 5000, "opened");
    const client = await Deno.connectTls({
      hostname: "127.0.0.1",
      port: port(localAddress),
      caCerts: [caPem],
      alpnProtocols: ["other", "x-test"],
    });
    try {
      const accepting = nextSocket(server);
      equal((await within(client.handshake(), 5000, "client handshake")).alpnProtocol, "x-test", "the client sees x-test");
      const socket = await accepting;
      const info = await within(socket.opened, 5000, "socket opened");
      equal(info.alpn, "x-test", "the server socket's alpn");
      equal(info.remoteAddress, `127.0.0.1:${clientPort(client)}`, "remoteAddress is the client's");
      equal(info.localAddress, localAddress, "localAddress");
      const echoing = echo(socket);
      await rawEcho(client, "over tls");
      equal(await within(echoing, 5000, "echo done"), undefined, "the echo ended cleanly");
    } finally {
      client.close();
    }
  } finally {
    await within(server.close(), 5000, "close");
  }
});

Deno.test("TLS listener: our connect() with the CA, SNI and ALPN", async () => {
  await using server = listen("127.0.0.1:0", { secureTransport: "on", tls, allowHalfOpen: true });
  const { localAddress } = await server.opened;
  const client = connect(localAddress, { secureTransport: "on", caCerts: [caPem], sni: "localhost", alpn: ["x-test"] });
  const accepted = await nextSocket(server);
  const echoing = echo(accepted);
  equal((await within(client.opened, 5000, "client opened")).alpn, "x-test", "client alpn");
  const writer = client.writable.getWriter();
  const reader = client.readable.getReader({ mode: "byob" });
  await writer.write(utf8("ours"));
  equal(text((await within(reader.read(new Uint8Array(16)), 5000, "echo")).value), "ours", "echo");
  await writer.close();
  equal((await within(reader.read(new Uint8Array(16)), 5000, "end")).done, true, "end");
  equal(await within(echoing, 5000, "echo done"), undefined, "the echo ended cleanly");
  await within(client.close(), 5000, "client close");
});

Deno.test("TLS listener: a failed handshake is counted and never delivered", async () => {
  await using server = listen("127.0.0.1:0", { secureTransport: "on", tls });
  const { localAddress } = await server.opened;
  const accepting = nextSocket(server);
  // No CA: this client refuses the server's certificate, so the handshake fails on both sides.
  const untrusting = await Deno.connectTls({ hostname: "127.0.0.1", port: port(localAddress) });
  try {
    const error = await within(rejection(untrusting.handshake(), "untrusting handshake"), 5000, "untrusting handshake");
    ok(error instanceof Deno.errors.InvalidData, `the client refused the certificate: ${String(error)}`);
    await until(() => server.stats.failed === 1, 5000, "stats.failed");
  } finally {
    untrusting.close();
  }
  const good = await Deno.connectTls({ hostname: "127.0.0.1", port: port(localAddress), caCerts: [caPem] });
  try {
    await within(good.handshake(), 5000, "good handshake");
    const socket = await accepting;
    equal((await socket.opened).remoteAddress, `127.0.0.1:${clientPort(good)}`, "the first socket is the good client's");
    equal(server.stats.accepted, 1, "stats.accepted");
    equal(server.stats.failed, 1, "stats.failed");
    await socket.close();
  } finally {
    good.close();
  }
});

Deno.test("TLS listener: a client that never sends blocks no accept, and fails after handshakeTimeout", async () => {
  await using server = listen("127.0.0.1:0", { secureTransport: "on", tls, handshakeTimeout: 300 });
  const { localAddress } = await server.opened;
  const accepting = nextSocket(server);
  const silent = await Deno.connect({ hostname: "127.0.0.1", port: port(localAddress) });
  try {
    await new Promise((resolve) => setTimeout(resolve, 50)); // the silent one is accepted first
    const good = await Deno.connectTls({ hostname: "127.0.0.1", port: port(localAddress), caCerts: [caPem] });
    try {
      await within(good.handshake(), 2000, "the good client's handshake, with a silent client before it");
      const socket = await within(accepting, 2000, "accept");
      equal((await socket.opened).remoteAddress, `127.0.0.1:${clientPort(good)}`, "the socket is the good client's");
      await socket.close();
    } finally {
      good.close();
    }
    // The silent client fails once handshakeTimeout passes, and is counted.
    await until(() => server.stats.failed === 1, 2000, "stats.failed");
    equal(server.stats.accepted, 1, "stats.accepted");
    // Deno keeps the TCP socket of a TlsConn closed mid-handshake until the handshake ends
    // (denoland/deno#14547): the first bytes the client sends end it.
    await writeAll(silent, utf8("not a ClientHello"));
    equal(await within(readToEnd(silent), 2000, "the silent client is closed"), "closed", "the server closed it");
  } finally {
    silent.close();
  }
});

Deno.test("TLS listener: close() with a handshake pending ends the pending read; nothing is handed out", async () => {
  const server = listen("127.0.0.1:0", { secureTransport: "on", tls });
  const { localAddress } = await server.opened;
  const reading = server.readable.getReader().read();
  const silent = await Deno.connect({ hostname: "127.0.0.1", port: port(localAddress) });
  try {
    await new Promise((resolve) => setTimeout(resolve, 50));
    await within(server.close(), 2000, "close");
    equal((await within(reading, 2000, "pending read")).done, true, "the pending read ends");
    equal(server.stats.accepted, 0, "nothing was handed out");
    // The TCP socket lingers until the client acts (denoland/deno#14547); its FIN ends it.
    await silent.closeWrite();
    equal(await within(readToEnd(silent), 2000, "the client is closed"), "closed", "the server closed it");
  } finally {
    silent.close();
  }
});

/** The server side of the STARTTLS tests: "STARTTLS\n" → "OK\n" → server handshake → echo. */
async function starttlsServer(socket: Socket, readPending: boolean): Promise<{ secure: Socket; oldRead: unknown }> {
  const reader = socket.readable.getReader({ mode: "byob" });
  equal(text((await within(reader.read(new Uint8Array(9)), 5000, "command")).value), "STARTTLS\n", "the command");
  const writer = socket.writable.getWriter();
  await writer.write(utf8("OK\n"));
  writer.releaseLock();
  // With `readPending`, a read is outstanding at the upgrade: its bytes (the ClientHello)
  // must reach the TLS layer, through the relay.
  const old = readPending ? reader.read(new Uint8Array(64)) : null;
  if (!readPending) reader.releaseLock();
  const secure = socket.startTls();
  await within(secure.opened, 5000, "secure opened");
  return { secure, oldRead: old === null ? null : (await within(old, 5000, "old read")).done };
}

for (const readPending of [false, true]) {
  Deno.test(
    `server STARTTLS (${readPending ? "a read pending" : "no read pending"}): a raw Deno.connect + Deno.startTls client`,
    async () => {
      await using server = listen("127.0.0.1:0", { secureTransport: "starttls", tls, allowHalfOpen: true });
      const { localAddress } = await server.opened;
      const plain = await Deno.connect({ hostname: "127.0.0.1", port: port(localAddress) });
      let client: Deno.TlsConn | null = null;
      try {
        const socket = await nextSocket(server);
        equal((await socket.opened).alpn, null, "no ALPN before the upgrade");
        const serving = starttlsServer(socket, readPending);
        await writeAll(plain, utf8("STARTTLS\n"));
        equal(text(await within(readBytes(plain, 3), 5000, "reply")), "OK\n", "plain-text reply");
        client = await Deno.startTls(plain, { hostname: "localhost", caCerts: [caPem], alpnProtocols: ["x-test"] });
        equal((await within(client.handshake(), 5000, "client handshake")).alpnProtocol, "x-test", "the client sees x-test");
        const { secure, oldRead } = await serving;
        if (readPending) equal(oldRead, true, "the read pending at the upgrade ends");
        const info = await secure.opened;
        equal(info.alpn, "x-test", "the server socket's alpn");
        equal(info.remoteAddress, `127.0.0.1:${clientPort(plain)}`, "remoteAddress is the client's, not the relay's");
        equal(info.localAddress, localAddress, "localAddress is the listener's, not the relay's");
        const echoing = echo(secure);
        await rawEcho(client, "secret");
        equal(await within(echoing, 5000, "echo done"), undefined, "the echo ended cleanly");
        await within(secure.closed, 5000, "secure closed");
      } finally {
        if (client !== null) client.close();
        else plain.close();
      }
    },
  );
}

Deno.test("server STARTTLS: our connect() with secureTransport starttls on both ends", async () => {
  await using server = listen("127.0.0.1:0", { secureTransport: "starttls", tls });
  const { localAddress } = await server.opened;
  const client = connect(localAddress, { secureTransport: "starttls", caCerts: [caPem], sni: "localhost", alpn: ["x-test"] });
  const accepted = await nextSocket(server);
  await Promise.all([client.opened, accepted.opened]);
  const [clientSecure, serverSecure] = [client.startTls(), accepted.startTls()];
  const [clientInfo, serverInfo] = await within(Promise.all([clientSecure.opened, serverSecure.opened]), 5000, "both handshakes");
  equal(clientInfo.alpn, "x-test", "client alpn");
  equal(serverInfo.alpn, "x-test", "server alpn");
  const writer = clientSecure.writable.getWriter();
  await writer.write(utf8("both ours"));
  const { value } = await within(serverSecure.readable.getReader({ mode: "byob" }).read(new Uint8Array(32)), 5000, "server read");
  equal(text(value), "both ours", "bytes through TLS");
  await within(Promise.all([clientSecure.close(), serverSecure.close()]), 5000, "close");
});

Deno.test("tls.requestCert is a synchronous EINVAL (Deno.listenTls cannot ask for client certificates)", () => {
  let thrown: unknown;
  try {
    listen("127.0.0.1:0", { secureTransport: "on", tls: { ...tls, requestCert: true, caCerts: [caPem] } });
  } catch (error) {
    thrown = error;
  }
  ok(thrown instanceof SocketError, `a SocketError, got ${String(thrown)}`);
  equal((thrown as SocketError).code, "EINVAL", "code");
  ok(/requestCert/.test((thrown as SocketError).message), `names the option: ${(thrown as SocketError).message}`);
});

/** A fresh P-256 key in PKCS #8 PEM: a valid key that does not match the fixture certificate. */
async function unrelatedKey(): Promise<string> {
  const { privateKey } = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const der = new Uint8Array(await crypto.subtle.exportKey("pkcs8", privateKey));
  const base64 = btoa(String.fromCharCode(...der));
  return `-----BEGIN PRIVATE KEY-----\n${base64.replace(/.{64}/g, "$&\n")}\n-----END PRIVATE KEY-----\n`;
}

for (const secureTransport of ["on", "starttls"] as const) {
  Deno.test(`secureTransport "${secureTransport}": a certificate and key Deno cannot use are a synchronous EINVAL naming tls`, async () => {
    const cases = {
      "a key that does not match the certificate": { cert, key: await unrelatedKey() },
      "a certificate PEM with a garbage body": { cert: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", key },
      "a key PEM with a garbage body": { cert, key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" },
      "a certificate PEM with no end line": { cert: "-----BEGIN CERTIFICATE-----\n", key },
    };
    for (const [what, pair] of Object.entries(cases)) {
      let thrown: unknown;
      let server: Listener | undefined;
      try {
        server = listen("127.0.0.1:0", { secureTransport, tls: pair });
      } catch (error) {
        thrown = error;
      }
      if (server !== undefined) await server.close().catch(() => {});
      ok(thrown instanceof SocketError, `${what}: a SocketError from listen(), got ${String(thrown)}`);
      equal((thrown as SocketError).code, "EINVAL", `${what}: code`);
      ok(/Invalid option tls\b/.test((thrown as SocketError).message), `${what}: names the option: ${(thrown as SocketError).message}`);
      ok(!(thrown as SocketError).message.includes(pair.key.split("\n")[1]!), `${what}: the key is not quoted`);
      ok((thrown as SocketError).cause instanceof Error, `${what}: Deno's error is the cause`);
    }
  });
}

/**
 * A Node TLS client in a child process (an independent client): connects, starts a TLS
 * handshake at once, and reports whether the server closed the connection within 5 s.
 */
async function nodeTlsClient(host: string, serverPort: number): Promise<string> {
  const script = `
    const net = require("node:net"), tls = require("node:tls");
    const started = Date.now();
    const raw = net.connect(Number(process.argv[2]), process.argv[1], () => {
      const secure = tls.connect({ socket: raw, servername: "localhost", rejectUnauthorized: false });
      secure.on("secureConnect", () => console.log("secure"));
      secure.on("error", () => {});
    });
    raw.on("error", () => {});
    raw.on("close", () => { console.log("closed after " + (Date.now() - started) + " ms"); process.exit(0); });
    setTimeout(() => { console.log("still open after 5000 ms"); process.exit(0); }, 5000);
  `;
  const { stdout } = await new Deno.Command("node", {
    args: ["-e", script, host, String(serverPort)],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  return text(stdout).trim();
}

Deno.test({
  name: "server STARTTLS: a startTls() that fails before the handshake (no --allow-net for 127.0.0.1) closes the client's connection",
  // Without 127.0.0.1 the private TLS listener is refused (`listen()` skips its trial of the pair).
  permissions: { net: ["[::1]"], read: ["."], run: ["node"] },
  async fn() {
    await using server = listen("[::1]:0", { secureTransport: "starttls", tls });
    const { localAddress } = await within(server.opened, 5000, "opened");
    const client = nodeTlsClient("::1", port(localAddress));
    const socket = await nextSocket(server);
    await socket.opened;
    const secure = socket.startTls();
    const error = await within(rejection(secure.opened, "secure opened"), 5000, "secure opened");
    ok(error instanceof SocketError, `a SocketError, got ${String(error)}`);
    equal((error as SocketError).code, "EACCES", "code");
    ok((error as SocketError).cause instanceof Deno.errors.NotCapable, "Deno's refusal is the cause");
    await within(socket.closed, 5000, "the plain socket's closed");
    const report = await within(client, 10_000, "the node client");
    ok(report.startsWith("closed after"), `the client sees the connection closed: ${report}`);
  },
});

Deno.test("server STARTTLS: a key that fails the private TLS listener rejects with ETLS and closes the client's connection", async () => {
  // listen() refuses such a key; serverStartTls is the upgrade itself, given one anyway.
  const plain = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const client = nodeTlsClient("127.0.0.1", plain.addr.port);
    const outer = await within(plain.accept(), 5000, "accept");
    const request: ServerTlsRequest = {
      role: "server",
      cert,
      key: await unrelatedKey(),
      alpn: [],
      requestCert: false,
      caCerts: [],
      handshakeTimeout: 5000,
    };
    const error = await within(
      rejection(serverStartTls(outer, null, request, new Cancellation()), "serverStartTls"),
      5000,
      "serverStartTls",
    );
    ok(error instanceof SocketError, `a SocketError, got ${String(error)}`);
    equal((error as SocketError).code, "ETLS", "code");
    ok((error as SocketError).cause instanceof Error, "Deno's error is the cause");
    const report = await within(client, 10_000, "the node client");
    ok(report.startsWith("closed after"), `the client sees the connection closed: ${report}`);
  } finally {
    plain.close();
  }
});
