/**
 * End to end through `connect()`: STARTTLS with and without a read pending at the upgrade
 * (the loopback-relay path), refused connections, DNS failures, and the error mapping.
 */
import { connect, SocketError } from "../src/index.js";
import { denoSocketError } from "../src/_errors.js";
import { equal, ok, rejection, text, utf8, within } from "./_assert.js";
import { caPem, freePort, startStarttls } from "./_servers.js";

async function upgradeAndEcho(pendingRead: boolean): Promise<void> {
  const peer = startStarttls();
  try {
    const plain = connect(`127.0.0.1:${peer.port}`, { secureTransport: "starttls", alpn: ["x-test"], caCerts: [caPem], sni: "localhost" });
    const writer = plain.writable.getWriter();
    const reader = plain.readable.getReader();
    await writer.write(utf8("STARTTLS\n"));
    equal(text((await within(reader.read(), 5000, "reply")).value?.subarray(0, 3)), "OK\n", "plain-text reply");
    // With `pendingRead`, a read is still outstanding when startTls() is called: Deno
    // cannot upgrade a conn with a read in flight, so this goes through the relay.
    const old = pendingRead ? reader.read() : null;
    if (!pendingRead) reader.releaseLock();
    writer.releaseLock();
    const secure = plain.startTls();
    const info = await within(secure.opened, 5000, "opened");
    equal(info.alpn, "x-test", "alpn");
    equal(info.remoteAddress, `127.0.0.1:${peer.port}`, "remoteAddress is the peer's, not the relay's");
    if (old !== null) equal((await within(old, 5000, "old read")).done, true, "the old pending read ends");
    const w = secure.writable.getWriter();
    const r = secure.readable.getReader({ mode: "byob" });
    await w.write(utf8("over tls"));
    equal(text((await within(r.read(new Uint8Array(64)), 5000, "echo")).value), "over tls", "echo");
    await w.close(); // half-close through TLS: the peer answers with its own end
    equal((await within(r.read(new Uint8Array(64)), 5000, "end")).done, true, "peer end after our FIN");
    await within(secure.close(), 5000, "close");
    await within(plain.closed, 5000, "old closed");
  } finally {
    peer.stop();
  }
}

Deno.test("startTls() with no read pending upgrades the conn itself", () => upgradeAndEcho(false));

Deno.test("startTls() with a read pending upgrades through the relay", () => upgradeAndEcho(true));

Deno.test("a refused connection rejects opened and closed with ECONNREFUSED", async () => {
  const socket = connect({ hostname: "127.0.0.1", port: freePort() });
  const error = await within(rejection(socket.opened, "opened"), 5000, "opened");
  ok(error instanceof SocketError, "a SocketError");
  equal((error as SocketError).code, "ECONNREFUSED", "code");
  equal(await rejection(socket.closed, "closed"), error, "the same error rejects closed");
});

Deno.test("Deno errors map to the normalised codes by class", () => {
  const E = Deno.errors;
  const cases: [unknown, "connect" | "handshake" | "io", string][] = [
    [new E.ConnectionRefused("x"), "connect", "ECONNREFUSED"],
    [new E.ConnectionReset("x"), "io", "ECONNRESET"],
    [new E.ConnectionAborted("x"), "io", "ECONNRESET"],
    [new E.BrokenPipe("x"), "io", "EPIPE"],
    [new E.TimedOut("x"), "connect", "ETIMEDOUT"],
    [new E.NetworkUnreachable("x"), "connect", "ENETUNREACH"],
    [new E.Interrupted("operation canceled"), "io", "ECLOSED"],
    [new E.BadResource("Bad resource ID"), "io", "ECLOSED"],
    [new E.InvalidData("invalid peer certificate: UnknownIssuer"), "handshake", "ETLS"],
    [new E.UnexpectedEof("tls handshake eof"), "handshake", "ETLS"],
    [new Error("failed to lookup address information: Name or service not known"), "connect", "ENOTFOUND"],
    [new DOMException("aborted", "AbortError"), "connect", "EABORTED"],
    [new Error("something else"), "handshake", "ETLS"],
    [new Error("something else"), "io", "EUNKNOWN"],
  ];
  for (const [error, phase, code] of cases) {
    const mapped = denoSocketError(error, phase);
    equal(mapped.code, code, `${String(error)} during ${phase}`);
    equal(mapped.cause, error, "cause");
  }
});

Deno.test("an unresolvable name fails with ENOTFOUND", async () => {
  // RFC 6761: ".invalid" never resolves. Deno reports it as a plain Error with no code.
  const socket = connect("no-such-host.invalid:80");
  const error = await within(rejection(socket.opened, "opened"), 8000, "opened");
  equal((error as SocketError).code, "ENOTFOUND", "code");
});
