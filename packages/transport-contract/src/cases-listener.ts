/**
 * Contract cases for the listener seam (`listener-transport.ts`): **Opening**,
 * **Accepting** (open, unread until `attach`; pull runtimes accept only in `pull()`),
 * **connections that fail before hand-out**, **`close()`**, and **`attach`** (an error
 * that happened while unclaimed is reported after it; `startTls` performs the server
 * handshake). The clients are Node's, in the peers process.
 *
 * @module
 */
import {
  Cancellation,
  type AcceptedConnection,
  type ListenerEvents,
  type ListenerTransport,
  type ListenRequest,
  type ServerTlsRequest,
} from "@sockets/core";
import { code, ContractError, equal, ok, readToEnd, readUntil, Recorder, rejection, sleep, utf8 } from "./helpers.js";
import type { ContractContext, TransportCase } from "./types.js";

/** Records what a listener reports. */
class ListenerRecorder implements ListenerEvents {
  readonly accepted: AcceptedConnection[] = [];
  readonly failures: unknown[] = [];
  readonly errors: unknown[] = [];
  readonly connection = (accepted: AcceptedConnection): void => void this.accepted.push(accepted);
  readonly failed = (error: unknown): void => void this.failures.push(error);
  readonly error = (error: unknown): void => void this.errors.push(error);

  /**
   * The next connection, accepting the way core does: `pull()` and wait for it to settle
   * (a pull runtime), or wait for the push.
   */
  async next(listener: ListenerTransport, what: string, ms = 5000): Promise<AcceptedConnection> {
    const deadline = Date.now() + ms;
    for (;;) {
      const accepted = this.accepted.shift();
      if (accepted !== undefined) return accepted;
      if (Date.now() > deadline) throw new ContractError(`timed out waiting for ${what}`);
      const pending = listener.pull();
      if (pending !== undefined) await pending;
      else await sleep(5);
    }
  }
}

function listenRequest(overrides: Partial<ListenRequest> = {}): ListenRequest {
  return {
    hostname: "127.0.0.1",
    port: 0,
    tls: null,
    starttls: null,
    allowHalfOpen: false,
    backlog: undefined,
    ipv6Only: false,
    reusePort: false,
    ...overrides,
  };
}

function serverTls({ cert, key }: ContractContext, overrides: Partial<ServerTlsRequest> = {}): ServerTlsRequest {
  return { role: "server", cert, key, alpn: [], requestCert: false, caCerts: [], handshakeTimeout: 10_000, ...overrides };
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(":") + 1));
}

export const listenerCases: readonly TransportCase[] = [
  {
    id: "listener/open-local-address",
    title: "openListener resolves once accepting, with the bound address (port 0: one the system chose; IPv6 in brackets)",
    async run(ctx) {
      const v4 = await ctx.openListener(listenRequest(), new ListenerRecorder());
      ok(/^127\.0\.0\.1:\d+$/.test(v4.localAddress) && portOf(v4.localAddress) > 0, `localAddress ${v4.localAddress}`);
      const v6 = await ctx.openListener(listenRequest({ hostname: "::1" }), new ListenerRecorder());
      ok(/^\[::1\]:\d+$/.test(v6.localAddress) && portOf(v6.localAddress) > 0, `localAddress ${v6.localAddress}`);
    },
  },
  {
    id: "listener/address-in-use",
    title: "openListener rejects with an error core reads as EADDRINUSE when the port is taken",
    async run(ctx) {
      const first = await ctx.openListener(listenRequest(), new ListenerRecorder());
      const second = ctx.openListener(listenRequest({ port: portOf(first.localAddress) }), new ListenerRecorder());
      equal(code(await rejection(second, "the second openListener")), "EADDRINUSE", "code");
    },
  },
  {
    id: "listener/accept-then-attach",
    title: "an accepted connection names both ends, reads nothing until attach, then is a Transport like a dialled one",
    async run(ctx) {
      const events = new ListenerRecorder();
      const listener = await ctx.openListener(listenRequest(), events);
      const client = await ctx.client({ behaviour: "send", port: portOf(listener.localAddress), text: "hello" });
      const accepted = await events.next(listener, "the connection");
      equal(accepted.info.remoteAddress, `127.0.0.1:${client.port}`, "remoteAddress");
      equal(accepted.info.localAddress, listener.localAddress, "localAddress");
      equal(accepted.info.alpn, null, "alpn");
      const transportEvents = new Recorder();
      const transport = accepted.attach(transportEvents);
      await readUntil(transport, transportEvents, () => transportEvents.text() === "hello", '"hello"');
      await transport.write(utf8("back"));
      await transport.shutdown();
      await readToEnd(transport, transportEvents); // the client ends when we do
      const [conn] = (await client.report({ closed: true })).conns;
      equal(conn?.text, "back", "what the client got");
    },
  },
  {
    id: "listener/unclaimed-is-unread",
    title: "a connection nobody attached reads nothing: a client sending more than the kernel buffers stalls",
    timeout: 20_000,
    async run(ctx) {
      const events = new ListenerRecorder();
      const listener = await ctx.openListener(listenRequest(), events);
      const total = 64 * 1024 * 1024;
      const client = await ctx.client({ behaviour: "flood", port: portOf(listener.localAddress), bytes: total });
      const accepted = await events.next(listener, "the connection");
      let last = -1;
      for (let progress = await client.progress(); progress !== last; progress = await client.progress()) {
        last = progress;
        await sleep(150);
      }
      ok(last < total / 2, `the client stalled (${last} of ${total} bytes handed to its OS)`);
      const transportEvents = new Recorder();
      const transport = accepted.attach(transportEvents);
      await readUntil(transport, transportEvents, () => transportEvents.bytes >= total, "every byte", 15_000);
      equal(transportEvents.bytes, total, "bytes after attach");
    },
  },
  {
    id: "listener/fin-while-unclaimed",
    title: "bytes and a FIN that arrived while the connection waited unclaimed are delivered after attach, in order",
    async run(ctx) {
      const events = new ListenerRecorder();
      const listener = await ctx.openListener(listenRequest(), events);
      await ctx.client({ behaviour: "send-fin", port: portOf(listener.localAddress), text: "bye" });
      const accepted = await events.next(listener, "the connection");
      await sleep(100);
      const transportEvents = new Recorder();
      const transport = accepted.attach(transportEvents);
      await readToEnd(transport, transportEvents);
      equal(transportEvents.text(), "bye", "bytes");
      equal(transportEvents.shape(), "data end", "events");
    },
  },
  {
    id: "listener/reset-while-unclaimed",
    title: "a reset that happened while the connection waited unclaimed is reported (ECONNRESET) after attach; info still names both ends",
    async run(ctx) {
      const events = new ListenerRecorder();
      const listener = await ctx.openListener(listenRequest(), events);
      const client = await ctx.client({ behaviour: "reset", port: portOf(listener.localAddress) });
      const accepted = await events.next(listener, "the connection");
      await sleep(200);
      // First read after the reset: getpeername() fails then, so they must have been read at accept.
      equal(accepted.info.remoteAddress, `127.0.0.1:${client.port}`, "remoteAddress after the reset");
      equal(accepted.info.localAddress, listener.localAddress, "localAddress after the reset");
      const transportEvents = new Recorder();
      const transport = accepted.attach(transportEvents);
      await readToEnd(transport, transportEvents);
      equal(transportEvents.shape(), "error", "events");
      equal(code(transportEvents.errors[0]), "ECONNRESET", "code");
    },
  },
  {
    id: "listener/abort-unclaimed",
    title: "abort() of a connection not handed out resets it (RST where possible)",
    async run(ctx) {
      const events = new ListenerRecorder();
      const listener = await ctx.openListener(listenRequest(), events);
      const client = await ctx.client({ behaviour: "silent", port: portOf(listener.localAddress) });
      const accepted = await events.next(listener, "the connection");
      accepted.abort();
      const [conn] = (await client.report({ closed: true })).conns;
      equal(conn?.error, "ECONNRESET", "what the client saw");
    },
  },
  {
    id: "listener/close-keeps-delivered",
    title: "close() releases the port (it can be bound again) and leaves delivered connections open; idempotent",
    async run(ctx) {
      const events = new ListenerRecorder();
      const listener = await ctx.openListener(listenRequest(), events);
      const port = portOf(listener.localAddress);
      const client = await ctx.client({ behaviour: "send", port, text: "ping" });
      const accepted = await events.next(listener, "the connection");
      const transportEvents = new Recorder();
      const transport = accepted.attach(transportEvents);
      await listener.close();
      await listener.close();
      await ctx.openListener(listenRequest({ port }), new ListenerRecorder()); // the port is free
      await readUntil(transport, transportEvents, () => transportEvents.text() === "ping", '"ping"');
      await transport.write(utf8("pong"));
      await transport.shutdown();
      await readToEnd(transport, transportEvents);
      equal((await client.report({ closed: true })).conns[0]?.text, "pong", "what the client got");
      equal(events.errors.length, 0, "listener errors");
    },
  },
  {
    id: "listener/tls-delivered-after-handshake",
    title: "a TLS listener delivers a connection only after its handshake succeeded, with the negotiated ALPN; attach reads plaintext",
    async run(ctx) {
      const events = new ListenerRecorder();
      const listener = await ctx.openListener(listenRequest({ tls: serverTls(ctx, { alpn: ["x-test"] }) }), events);
      const client = await ctx.client({ behaviour: "tls", port: portOf(listener.localAddress), text: "secret", alpn: ["x-test"] });
      const accepted = await events.next(listener, "the connection");
      equal(accepted.info.alpn, "x-test", "alpn");
      const transportEvents = new Recorder();
      const transport = accepted.attach(transportEvents);
      await readUntil(transport, transportEvents, () => transportEvents.text() === "secret", '"secret"');
      await transport.write(utf8("over tls"));
      await transport.shutdown();
      await readToEnd(transport, transportEvents);
      const [conn] = (await client.report({ closed: true })).conns;
      equal(conn?.text, "over tls", "what the client got");
      equal(conn?.alpn, "x-test", "ALPN the client saw");
    },
  },
  {
    id: "listener/tls-failed-handshake",
    title: "a failed TLS handshake is events.failed, never a delivered connection; the next client is served",
    async run(ctx) {
      const events = new ListenerRecorder();
      const listener = await ctx.openListener(listenRequest({ tls: serverTls(ctx) }), events);
      const port = portOf(listener.localAddress);
      await ctx.client({ behaviour: "tls-untrusting", port });
      await ctx.client({ behaviour: "tls", port, text: "fine" });
      const accepted = await events.next(listener, "the good client");
      const transportEvents = new Recorder();
      const transport = accepted.attach(transportEvents);
      await readUntil(transport, transportEvents, () => transportEvents.text() === "fine", '"fine"');
      const deadline = Date.now() + 5000;
      while (events.failures.length === 0 && Date.now() < deadline) await sleep(10);
      equal(events.failures.length, 1, "failures counted");
      equal(events.accepted.length, 0, "connections delivered besides the good one");
    },
  },
  {
    id: "listener/tls-silent-client-blocks-nobody",
    title: "a client that never starts its handshake blocks no other accept, and fails after handshakeTimeout",
    async run(ctx) {
      const events = new ListenerRecorder();
      const listener = await ctx.openListener(listenRequest({ tls: serverTls(ctx, { handshakeTimeout: 1000 }) }), events);
      const port = portOf(listener.localAddress);
      await ctx.client({ behaviour: "silent", port });
      await sleep(50);
      await ctx.client({ behaviour: "tls", port, text: "next" });
      const started = Date.now();
      await events.next(listener, "the client after the silent one", 900);
      ok(Date.now() - started < 900, "delivered before the silent client's handshake timed out");
      const deadline = Date.now() + 5000;
      while (events.failures.length === 0 && Date.now() < deadline) {
        const pending = listener.pull(); // a pull runtime reports failures from an accept
        await Promise.race([pending ?? sleep(10), sleep(100)]);
      }
      equal(events.failures.length, 1, "the silent client's handshake failed");
    },
  },
  {
    id: "listener/server-starttls",
    title: "startTls on an accepted connection with the listener's ServerTlsRequest performs the server handshake",
    async run(ctx) {
      const events = new ListenerRecorder();
      const tls = serverTls(ctx);
      const listener = await ctx.openListener(listenRequest({ starttls: tls }), events);
      const client = await ctx.client({ behaviour: "starttls", port: portOf(listener.localAddress), text: "over tls" });
      const accepted = await events.next(listener, "the connection");
      const plainEvents = new Recorder();
      const transport = accepted.attach(plainEvents);
      await readUntil(transport, plainEvents, () => plainEvents.text() === "STARTTLS\n", '"STARTTLS"');
      await transport.write(utf8("OK\n"));
      const secureEvents = new Recorder();
      const secure = await transport.startTls(tls, secureEvents, new Cancellation());
      await readUntil(secure, secureEvents, () => secureEvents.text() === "over tls", '"over tls" over TLS');
      await secure.write(utf8("back"));
      await secure.shutdown();
      await readToEnd(secure, secureEvents);
      const report = await client.report({ closed: true });
      equal(report.conns.at(-1)?.text, "back", "what the client got over TLS");
    },
  },
];
