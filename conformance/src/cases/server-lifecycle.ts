/**
 * `listen()` (tag `server`), the life of a connection before it is claimed and of the
 * listener itself: what `close()` does to connections nobody has read from the listener
 * yet, bytes and FIN that arrive before a socket is claimed, every address form,
 * `[Symbol.asyncDispose]`, and a TLS client that sends no SNI. The clients are the host's
 * `node:net`/`node:tls` clients (`hostClient`).
 *
 * SNI: a listener has one certificate and `SocketInfo` has no `sni`, so there is nothing
 * a server could select or report from it. What is checked instead is the client's side:
 * a client that sends SNI `localhost` (`server/tls-alpn-negotiated`) and one that dials by
 * IP and sends none (here) both verify the certificate they get.
 *
 * @module
 */
import type { AnySocketAddress } from "@sockets/core";
import { equal, ok } from "./assert.js";
import { bytes, readAll, sleep, text, withTimeout } from "./helpers.js";
import { b64, hostClient, unb64 } from "./host-client-protocol.js";
import { accept, withListener } from "./server.js";
import type { ConformanceCase } from "./types.js";

export const serverLifecycleCases: readonly ConformanceCase[] = [
  {
    id: "server/close-closes-unclaimed",
    title: "close() closes the connections nobody has claimed yet: their clients see the connection end at once",
    tags: ["server"],
    async run(ctx) {
      await withListener(ctx, {}, async (listener, address) => {
        // Nobody reads the listener: these connections wait unclaimed (in the listener's
        // queue, or in the kernel's backlog where accepting is pull-driven).
        const clients = [0, 1].map(() => hostClient(ctx, { op: "exchange", target: address, send: b64("anyone there?"), ms: 4_000 }));
        await sleep(300);
        await withTimeout(listener.close(), 5_000, "listener.close()");
        for (const seen of await Promise.all(clients)) {
          ok(seen.timedOut !== true, "a client waiting unclaimed was still connected 4 s after close()");
          ok(seen.error !== "ECONNREFUSED", "the client connected before close()");
          ok(seen.ended || seen.error !== undefined, `the client saw its connection end (${seen.error ?? "FIN"})`);
          equal(unb64(seen.received), "", "bytes an unclaimed client received");
        }
        equal(listener.stats.accepted, 0, "sockets handed out");
      });
    },
  },
  {
    id: "server/closed-means-port-released",
    title:
      "closed (and close()) settle only once the port is free: the same port listens again at once, with a read pending or after serving a client",
    tags: ["server", "decision"],
    async run(ctx) {
      let port = 0;
      for (const variant of ["a read pending", "a client served"] as const) {
        const listener = ctx.listen!(`127.0.0.1:${port}`);
        const { localAddress } = await withTimeout(listener.opened, 5_000, "listener.opened");
        port = Number(localAddress.slice(localAddress.lastIndexOf(":") + 1));
        const reader = listener.readable.getReader();
        const next = reader.read();
        next.catch(() => {});
        if (variant === "a client served") {
          const client = hostClient(ctx, { op: "exchange", target: localAddress, send: b64("hi"), halfClose: true });
          const { value: socket } = await withTimeout(next, 5_000, "accepting");
          await socket!.close();
          await client;
          reader.read().catch(() => {}); // the pull that waits when close() comes
        }
        await withTimeout(listener.close(), 5_000, `listener.close() with ${variant}`);
        const again = ctx.listen!(`127.0.0.1:${port}`);
        try {
          equal((await withTimeout(again.opened, 5_000, `listening again after ${variant}`)).localAddress, localAddress, "the same port");
        } finally {
          await again.close();
        }
      }
    },
  },
  {
    id: "server/unclaimed-keeps-bytes-and-fin",
    title: "bytes and a FIN that arrive before the socket is claimed are all read once it is, and the reply still reaches the client",
    tags: ["server"],
    async run(ctx) {
      for (const secure of [false, true]) {
        const options = secure ? { secureTransport: "on" as const, tls: ctx.serverTls, allowHalfOpen: true } : { allowHalfOpen: true };
        await withListener(ctx, options, async (listener, address) => {
          const client = hostClient(ctx, {
            op: "exchange",
            target: address,
            ...(secure ? { tls: { servername: "localhost" } } : {}),
            send: b64("sent early"),
            halfClose: true,
          });
          await sleep(300); // the bytes and the FIN arrive while the socket waits unclaimed
          const socket = await accept(listener);
          const what = secure ? "over TLS" : "in plain text";
          equal(
            text(await withTimeout(readAll(socket.readable), 5_000, `reading ${what}`)),
            "sent early",
            `bytes read after claiming, ${what}`,
          );
          const writer = socket.writable.getWriter();
          await writer.write(bytes("late reply"));
          await writer.close();
          await withTimeout(socket.closed, 5_000, `closed ${what}`);
          const seen = await client;
          equal(unb64(seen.received), "late reply", `the reply to a client that half-closed first, ${what}`);
          ok(seen.ended, `the client saw our FIN, ${what}`);
        });
      }
    },
  },
  {
    id: "server/address-forms",
    title: "listen() takes every address form connect() takes ({ hostname, port }, a URL, bracketed IPv6) and reports the bound address",
    tags: ["server"],
    async run(ctx) {
      const forms: Array<[string, AnySocketAddress, RegExp]> = [
        ["{ hostname, port }", { hostname: "127.0.0.1", port: 0 }, /^127\.0\.0\.1:[1-9]\d*$/],
        ["a URL", new URL("tcp://127.0.0.1:0"), /^127\.0\.0\.1:[1-9]\d*$/],
      ];
      if (ctx.peers.echo6 !== null) {
        forms.push(
          ["[::1]:0", "[::1]:0", /^\[::1\]:[1-9]\d*$/],
          ["{ hostname: '::1' }", { hostname: "::1", port: 0 }, /^\[::1\]:[1-9]\d*$/],
        );
      }
      for (const [form, address, expected] of forms) {
        const listener = ctx.listen!(address);
        try {
          const { localAddress } = await withTimeout(listener.opened, 5_000, `opened (${form})`);
          ok(expected.test(localAddress), `${form}: localAddress ${JSON.stringify(localAddress)} matches ${expected}`);
          const client = hostClient(ctx, { op: "exchange", target: localAddress, send: b64(form), halfClose: true });
          const socket = await accept(listener);
          equal(text(await readAll(socket.readable)), form, `bytes from a node:net client (${form})`);
          await socket.close();
          await client;
        } finally {
          await withTimeout(listener.close(), 5_000, `close() (${form})`);
        }
      }
    },
  },
  {
    id: "server/async-dispose",
    title: "[Symbol.asyncDispose]() closes the listener (for await using): closed resolves and the port refuses new clients",
    tags: ["server"],
    async run(ctx) {
      const listener = ctx.listen!("127.0.0.1:0");
      const { localAddress } = await withTimeout(listener.opened, 5_000, "listener.opened");
      ok(typeof Symbol.asyncDispose === "symbol", "the runtime has Symbol.asyncDispose");
      ok(typeof listener[Symbol.asyncDispose] === "function", "listener[Symbol.asyncDispose] is a function");
      await withTimeout(listener[Symbol.asyncDispose](), 5_000, "listener[Symbol.asyncDispose]()");
      await withTimeout(listener.closed, 5_000, "listener.closed");
      const refused = await hostClient(ctx, { op: "exchange", target: localAddress, ms: 3_000 });
      equal(refused.error, "ECONNREFUSED", "a client after dispose");
    },
  },
  {
    id: "server/tls-client-without-sni",
    title: "a node:tls client that dials by IP sends no SNI and still gets and verifies the certificate (its 127.0.0.1 name)",
    tags: ["server"],
    async run(ctx) {
      await withListener(ctx, { secureTransport: "on", tls: ctx.serverTls, allowHalfOpen: true }, async (listener, address) => {
        const client = hostClient(ctx, { op: "exchange", target: address, tls: {}, send: b64("no sni"), halfClose: true });
        const socket = await accept(listener);
        const received = await readAll(socket.readable);
        const writer = socket.writable.getWriter();
        await writer.write(received);
        await writer.close();
        const seen = await client;
        equal(seen.error, undefined, "the client's error");
        equal(seen.authorized, true, "the client verified our certificate for 127.0.0.1");
        equal(unb64(seen.received), "no sni", "echo over TLS without SNI");
      });
    },
  },
];
