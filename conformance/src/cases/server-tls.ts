/**
 * TLS on the server side (tag `server`): a TLS listener (`secureTransport: "on"`) and
 * server-side `startTls()` (`"starttls"`), against the host's `node:tls` clients.
 *
 * @module
 */
import { assertSocketError, equal, ok, rejects, throwsSync } from "./assert.js";
import { ByteReader, bytes, pattern, readAll, sleep, text, withTimeout } from "./helpers.js";
import { b64, b64Bytes, hostClient, unb64, unb64Bytes } from "./host-client-protocol.js";
import { accept, withListener } from "./server.js";
import type { ConformanceCase } from "./types.js";

export const serverTlsCases: readonly ConformanceCase[] = [
  {
    id: "server/tls-alpn-negotiated",
    title: "a TLS listener hands out the socket after the handshake, with the negotiated ALPN in opened, and echoes over TLS",
    tags: ["server"],
    async run(ctx) {
      const tls = { ...ctx.serverTls, alpn: ["x-test", "x-other"] };
      await withListener(ctx, { secureTransport: "on", tls, allowHalfOpen: true }, async (listener, address) => {
        const client = hostClient(ctx, {
          op: "exchange",
          target: address,
          tls: { servername: "localhost", alpn: ["x-test"] },
          send: b64("over tls"),
          halfClose: true,
        });
        const socket = await accept(listener);
        equal(socket.secureTransport, "on", "secureTransport of an accepted TLS socket");
        equal((await socket.opened).alpn, "x-test", "opened.alpn");
        const received = await readAll(socket.readable);
        const writer = socket.writable.getWriter();
        await writer.write(received);
        await writer.close();
        const seen = await client;
        equal(seen.authorized, true, "the client verified our certificate");
        equal(seen.alpn, "x-test", "the client's negotiated ALPN");
        equal(unb64(seen.received), "over tls", "echo over TLS");
      });
    },
  },
  {
    id: "server/tls-pipe-echo-keeps-the-last-chunk",
    title:
      "allowHalfOpen false over TLS: a readable.pipeTo(writable) echo of 100,000 bytes then the client's close_notify + FIN returns every byte and resolves",
    tags: ["server", "decision"],
    async run(ctx) {
      await withListener(ctx, { secureTransport: "on", tls: ctx.serverTls }, async (listener, address) => {
        const payload = pattern(100_000, 7);
        const client = hostClient(ctx, {
          op: "exchange",
          target: address,
          tls: { servername: "localhost" },
          send: b64Bytes(payload),
          halfClose: true,
        });
        const socket = await accept(listener);
        // A TLS socket may hand over its last chunk and the FIN in one tick: the pipe's
        // last write comes after both and must still be accepted (not EPIPE).
        await withTimeout(socket.readable.pipeTo(socket.writable), 10_000, "readable.pipeTo(writable)");
        await withTimeout(socket.closed, 5_000, "closed after the client's FIN");
        const seen = await client;
        const echoed = unb64Bytes(seen.received);
        equal(echoed.byteLength, payload.byteLength, "bytes echoed");
        ok(
          echoed.every((byte, i) => byte === payload[i]),
          "the echo is the payload, byte for byte",
        );
        ok(seen.ended, "the client saw our FIN");
      });
    },
  },
  {
    id: "server/tls-failed-handshake-never-delivered",
    title: "a client that rejects our certificate never reaches the readable (counted in stats.failed); the next good client does",
    tags: ["server", "decision"],
    async run(ctx) {
      await withListener(ctx, { secureTransport: "on", tls: ctx.serverTls }, async (listener, address) => {
        const reader = listener.readable.getReader();
        const first = reader.read();
        const untrusting = await hostClient(ctx, {
          op: "exchange",
          target: address,
          tls: { servername: "localhost", trust: "none" },
          ms: 3_000,
        });
        ok(untrusting.error !== undefined, "the untrusting client's handshake failed");
        const good = hostClient(ctx, {
          op: "exchange",
          target: address,
          tls: { servername: "localhost" },
          send: b64("good"),
          halfClose: true,
        });
        const { value: socket } = await withTimeout(first, 5_000, "the first socket handed out");
        const data = await readAll(socket!.readable);
        equal(text(data), "good", "the first socket is the good client's");
        await socket!.close();
        await good;
        ok(listener.stats.failed >= 1, `stats.failed is ${listener.stats.failed}`);
        reader.releaseLock();
      });
    },
  },
  {
    id: "server/tls-silent-client-blocks-nobody",
    title: "a client that connects and never starts its TLS handshake does not stop the next client from being accepted",
    tags: ["server"],
    timeout: 15_000,
    async run(ctx) {
      await withListener(ctx, { secureTransport: "on", tls: ctx.serverTls, allowHalfOpen: true }, async (listener, address) => {
        await hostClient(ctx, { op: "hold", target: address, ms: 6_000 });
        const reader = listener.readable.getReader();
        const next = reader.read();
        const good = hostClient(ctx, {
          op: "exchange",
          target: address,
          tls: { servername: "localhost" },
          send: b64("me first"),
          halfClose: true,
        });
        const { value: socket } = await withTimeout(next, 4_000, "accepting the second client while the first is silent");
        equal(text(await readAll(socket!.readable)), "me first", "the second client's bytes");
        await socket!.close();
        await good;
        reader.releaseLock();
      });
    },
  },
  {
    id: "server/starttls-server-handshake",
    title: "startTls() on an accepted starttls socket performs the server handshake; a node:tls client upgrades and talks over TLS",
    tags: ["server"],
    async run(ctx) {
      await withListener(ctx, { secureTransport: "starttls", tls: ctx.serverTls, allowHalfOpen: true }, async (listener, address) => {
        const client = hostClient(ctx, {
          op: "starttls",
          target: address,
          starttls: { line: b64("STARTTLS\n"), expect: b64("OK\n"), servername: "localhost" },
          send: b64("secret"),
          halfClose: true,
        });
        const plain = await accept(listener);
        equal(plain.secureTransport, "starttls", "secureTransport before the upgrade");
        const lines = new ByteReader(plain.readable);
        equal(await lines.line(), "STARTTLS", "the plain-text command");
        lines.reader.releaseLock();
        const writer = plain.writable.getWriter();
        await writer.write(bytes("OK\n"));
        writer.releaseLock();
        const secure = plain.startTls();
        equal(plain.upgraded, true, "the plain socket's upgraded");
        await withTimeout(secure.opened, 5_000, "the server handshake");
        equal(secure.secureTransport, "on", "secureTransport after the upgrade");
        const received = await readAll(secure.readable);
        const tlsWriter = secure.writable.getWriter();
        await tlsWriter.write(bytes(`got ${text(received)}`));
        await tlsWriter.close();
        await plain.closed;
        const seen = await client;
        equal(seen.authorized, true, "the client verified our certificate");
        equal(unb64(seen.received), "got secret", "the reply over TLS");
        assertSocketError(
          throwsSync(() => plain.startTls(), "a second startTls()"),
          "a second startTls()",
        );
      });
    },
  },
  {
    id: "server/starttls-keeps-the-listener-serving",
    title: "after a server-side startTls() upgrade, the listener still accepts and serves the next connection",
    tags: ["server"],
    async run(ctx) {
      await withListener(ctx, { secureTransport: "starttls", tls: ctx.serverTls, allowHalfOpen: true }, async (listener, address) => {
        const first = hostClient(ctx, {
          op: "starttls",
          target: address,
          starttls: { line: b64("STARTTLS\n"), expect: b64("OK\n"), servername: "localhost" },
          send: b64("one"),
          halfClose: true,
        });
        const plain = await accept(listener);
        const lines = new ByteReader(plain.readable);
        equal(await lines.line(), "STARTTLS", "the first client's command");
        lines.reader.releaseLock();
        const writer = plain.writable.getWriter();
        await writer.write(bytes("OK\n"));
        writer.releaseLock();
        const secure = plain.startTls();
        await withTimeout(secure.opened, 5_000, "the first upgrade");
        equal(text(await readAll(secure.readable)), "one", "the first client's bytes over TLS");
        await secure.close();
        await first;
        const second = hostClient(ctx, { op: "exchange", target: address, send: b64("two"), halfClose: true });
        const next = await accept(listener);
        equal(text(await readAll(next.readable)), "two", "the second client's plain bytes");
        await next.close();
        await second;
      });
    },
  },
  {
    id: "server/starttls-client-gives-up",
    title:
      "a client that leaves before the server handshake: startTls() throws (failure already seen) or opened rejects with ETLS, never hangs",
    tags: ["server", "ext:codes"],
    async run(ctx) {
      await withListener(
        ctx,
        { secureTransport: "starttls", tls: { ...ctx.serverTls }, handshakeTimeout: 2_000 },
        async (listener, address) => {
          // Accepted first, then the reset (a reset while the connection still waits in the
          // accept queue is a failed connection that is never handed out).
          const [plain] = await Promise.all([
            accept(listener),
            hostClient(ctx, { op: "exchange", target: address, send: b64("STARTTLS\n"), reset: true, resetAfterMs: 200 }),
          ]);
          await sleep(50);
          let secure;
          try {
            secure = plain.startTls();
          } catch (error) {
            // The reset was already seen: the socket has failed, and startTls() says so at once.
            assertSocketError(error, "startTls() on a socket whose client reset it");
            return;
          }
          const error = await withTimeout(rejects(secure.opened, "opened of the new socket"), 5_000, "the failed handshake");
          assertSocketError(error, "opened of the new socket");
          ok(
            ["ETLS", "ECONNRESET"].includes((error as { code: string }).code),
            `code ${(error as { code: string }).code} is ETLS or ECONNRESET`,
          );
        },
      );
    },
  },
];
