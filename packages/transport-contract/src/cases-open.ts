/**
 * Contract cases for **Opening** (`transport.ts`): `open` resolves once the connection is
 * usable (TCP connected, or a *verified* TLS handshake), rejects with the native error
 * (ETLS for handshake failures), and stops when core cancels.
 *
 * @module
 */
import { Cancellation, SocketError } from "@sockets/core";
import { code, equal, ok, plain, readUntil, Recorder, rejection, tlsRequest, utf8 } from "./helpers.js";
import type { TransportCase } from "./types.js";

export const openCases: readonly TransportCase[] = [
  {
    id: "open/plain-info",
    title: "open resolves after the TCP connect with host:port addresses and no ALPN",
    async run({ open, peer }) {
      const echo = await peer({ behaviour: "echo" });
      const transport = await open(plain("127.0.0.1", echo.port), new Recorder());
      equal(transport.info.remoteAddress, `127.0.0.1:${echo.port}`, "remoteAddress");
      ok(/^127\.0\.0\.1:\d+$/.test(transport.info.localAddress ?? ""), `localAddress ${transport.info.localAddress} is 127.0.0.1:<port>`);
      equal(transport.info.alpn, null, "alpn");
    },
  },
  {
    id: "open/ipv6-info",
    title: "IPv6 addresses are reported in brackets",
    async run({ open, peer }) {
      const echo = await peer({ behaviour: "echo", host: "::1" });
      const transport = await open(plain("::1", echo.port), new Recorder());
      equal(transport.info.remoteAddress, `[::1]:${echo.port}`, "remoteAddress");
      ok(/^\[::1\]:\d+$/.test(transport.info.localAddress ?? ""), `localAddress ${transport.info.localAddress} is [::1]:<port>`);
    },
  },
  {
    id: "open/refused",
    title: "open rejects with an error core reads as ECONNREFUSED when nothing listens",
    async run({ open, peer }) {
      const refused = await peer({ behaviour: "refused" });
      const error = await rejection(open(plain("127.0.0.1", refused.port), new Recorder()), "open");
      equal(code(error), "ECONNREFUSED", "code");
    },
  },
  {
    id: "open/cancelled-before",
    title: "an attempt core already gave up on rejects with EABORTED, the reason as cause",
    async run({ open, peer }) {
      const echo = await peer({ behaviour: "echo" });
      const cancel = new Cancellation();
      const reason = new Error("stop");
      cancel.cancel(reason);
      const error = await rejection(open(plain("127.0.0.1", echo.port, cancel), new Recorder()), "open");
      ok(error instanceof SocketError, "a SocketError");
      equal(error.code, "EABORTED", "code");
      equal(error.cause, reason, "cause");
    },
  },
  {
    id: "open/cancelled-in-flight",
    title: "core's cancel during the connect rejects with EABORTED, and a connection the runtime made anyway is closed",
    async run({ open, peer }) {
      const echo = await peer({ behaviour: "echo" });
      const cancel = new Cancellation();
      const opening = open(plain("127.0.0.1", echo.port, cancel), new Recorder());
      cancel.cancel(new Error("stop"));
      const error = await rejection(opening, "open");
      equal(code(error), "EABORTED", "code");
      const report = await echo.report({ closed: true });
      ok(
        report.conns.every((conn) => conn.closed),
        "every connection the peer accepted is closed again",
      );
    },
  },
  {
    id: "open/cancel-reason-kept",
    title: "a cancel whose reason is a SocketError (closed, signal) rejects with that very error",
    async run({ open, peer }) {
      const echo = await peer({ behaviour: "echo" });
      const cancel = new Cancellation();
      const opening = open(plain("127.0.0.1", echo.port, cancel), new Recorder());
      const reason = new SocketError("The socket was closed", { code: "ECLOSED" });
      cancel.cancel(reason);
      equal(await rejection(opening, "open"), reason, "rejection");
    },
  },
  {
    id: "open/tls-verified",
    title: "TLS: open resolves after a verified handshake (caCerts trusted), with SNI sent and ALPN negotiated",
    async run({ open, peer, ca }) {
      const tls = await peer({ behaviour: "tls-echo" });
      const events = new Recorder();
      const transport = await open(
        {
          hostname: "127.0.0.1",
          port: tls.port,
          tls: tlsRequest({ caCerts: [ca], alpn: ["h2", "x-test"] }),
          starttls: false,
          cancel: new Cancellation(),
        },
        events,
      );
      equal(transport.info.alpn, "x-test", "alpn");
      equal(transport.info.remoteAddress, `127.0.0.1:${tls.port}`, "remoteAddress");
      await transport.write(utf8("secret"));
      await readUntil(transport, events, () => events.text() === "secret", "the echo");
      await transport.shutdown();
      const report = await tls.report({ closed: true });
      equal(report.conns[0]?.sni, "localhost", "SNI the peer saw");
      equal(report.conns[0]?.text, "secret", "bytes the peer got");
    },
  },
  {
    id: "open/tls-no-sni-for-ip",
    title: "TLS: no SNI when serverName is null (an IP literal), verified against the IP SAN; no ALPN offered, none reported",
    async run({ open, peer, ca }) {
      const tls = await peer({ behaviour: "tls-echo" });
      const request = tlsRequest({ caCerts: [ca], verifyName: "127.0.0.1", serverName: null });
      const transport = await open(
        { hostname: "127.0.0.1", port: tls.port, tls: request, starttls: false, cancel: new Cancellation() },
        new Recorder(),
      );
      equal(transport.info.alpn, null, "alpn");
      await transport.shutdown();
      const report = await tls.report({ closed: true });
      equal(report.conns[0]?.sni, null, "SNI the peer saw");
    },
  },
  {
    id: "open/tls-untrusted",
    title: "TLS: a certificate from a CA that is neither a system root nor in caCerts rejects with ETLS",
    async run({ open, peer }) {
      const tls = await peer({ behaviour: "tls-echo" });
      const opening = open(
        { hostname: "127.0.0.1", port: tls.port, tls: tlsRequest({ caCerts: [] }), starttls: false, cancel: new Cancellation() },
        new Recorder(),
      );
      equal(code(await rejection(opening, "open")), "ETLS", "code");
    },
  },
  {
    id: "open/tls-wrong-name",
    title: "TLS: a certificate not valid for verifyName rejects with ETLS",
    async run({ open, peer, ca }) {
      const tls = await peer({ behaviour: "tls-echo" });
      const request = tlsRequest({ caCerts: [ca], verifyName: "wrong.example" });
      const opening = open(
        { hostname: "127.0.0.1", port: tls.port, tls: request, starttls: false, cancel: new Cancellation() },
        new Recorder(),
      );
      equal(code(await rejection(opening, "open")), "ETLS", "code");
    },
  },
  {
    id: "open/tls-peer-not-tls",
    title: "TLS: a peer that answers in plain text rejects with ETLS",
    async run({ open, peer, ca }) {
      const plainPeer = await peer({ behaviour: "greet-fin", text: "220 plain text\r\n" });
      const opening = open(
        { hostname: "127.0.0.1", port: plainPeer.port, tls: tlsRequest({ caCerts: [ca] }), starttls: false, cancel: new Cancellation() },
        new Recorder(),
      );
      equal(code(await rejection(opening, "open")), "ETLS", "code");
    },
  },
  {
    id: "open/tls-cancelled-handshake",
    title: "TLS: core's cancel stops a handshake the peer never answers, with EABORTED",
    async run({ open, peer, ca }) {
      const silent = await peer({ behaviour: "silent" });
      const cancel = new Cancellation();
      const opening = open(
        { hostname: "127.0.0.1", port: silent.port, tls: tlsRequest({ caCerts: [ca] }), starttls: false, cancel },
        new Recorder(),
      );
      setTimeout(() => cancel.cancel(new Error("give up")), 50);
      equal(code(await rejection(opening, "open")), "EABORTED", "code");
    },
  },
  {
    id: "open/tls-cancelled-handshake-closes",
    title: "TLS: the connection of a cancelled handshake is closed (the peer sees it go)",
    async run({ open, peer, ca }) {
      const silent = await peer({ behaviour: "silent" });
      const cancel = new Cancellation();
      const opening = open(
        { hostname: "127.0.0.1", port: silent.port, tls: tlsRequest({ caCerts: [ca] }), starttls: false, cancel },
        new Recorder(),
      );
      setTimeout(() => cancel.cancel(new Error("give up")), 50);
      await rejection(opening, "open");
      const report = await silent.report({ closed: true });
      ok(report.connections === 1 && report.conns[0]!.closed, `the peer saw its one connection close: ${JSON.stringify(report.conns)}`);
    },
  },
];
