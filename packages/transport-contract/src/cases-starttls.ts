/**
 * Contract cases for **`startTls(tls, events, cancel)`** (`transport.ts`) on a dialled
 * connection: it consumes the transport (the old events stop), resolves with the new one
 * after a verified handshake, and tears the connection down when core cancels first.
 *
 * @module
 */
import { Cancellation, type Transport } from "@sockets/core";
import { code, equal, ok, plain, readUntil, Recorder, rejection, sleep, tlsRequest, utf8 } from "./helpers.js";
import type { ContractContext, Peer, TransportCase } from "./types.js";

/** Dials a `starttls` peer, sends "STARTTLS\n" and reads "OK\n". */
async function negotiated(
  { open, peer }: ContractContext,
  text?: string,
): Promise<{ transport: Transport; events: Recorder; starttls: Peer }> {
  const starttls = await peer(text === undefined ? { behaviour: "starttls" } : { behaviour: "starttls", text });
  const events = new Recorder();
  const transport = await open(plain("127.0.0.1", starttls.port, new Cancellation(), true), events);
  await transport.write(utf8("STARTTLS\n"));
  await readUntil(transport, events, () => events.text() === "OK\n", '"OK\\n"');
  return { transport, events, starttls };
}

export const startTlsCases: readonly TransportCase[] = [
  {
    id: "starttls/upgrade",
    title: "startTls() resolves with a new transport after a verified handshake; data flows over TLS, the old events stop",
    async run(ctx) {
      const { transport, events, starttls } = await negotiated(ctx);
      const secureEvents = new Recorder();
      const secure = await transport.startTls(tlsRequest({ caCerts: [ctx.ca], alpn: ["x-test"] }), secureEvents, new Cancellation());
      equal(secure.info.alpn, "x-test", "alpn");
      equal(secure.info.remoteAddress, `127.0.0.1:${starttls.port}`, "remoteAddress");
      const before = events.log.length;
      await secure.write(utf8("over tls"));
      await readUntil(secure, secureEvents, () => secureEvents.text() === "over tls", "the echo");
      await secure.shutdown();
      await readUntil(secure, secureEvents, () => secureEvents.ends > 0, "the end");
      equal(events.log.length, before, "events on the old transport after startTls()");
      const [conn] = (await starttls.report({ closed: true })).conns;
      equal(conn?.sni, "localhost", "SNI the peer saw");
    },
  },
  {
    id: "starttls/with-a-read-pending",
    title: "startTls() while a read is in flight (core's reader waits) still upgrades, and nothing of the handshake reaches the old events",
    async run(ctx) {
      const { transport, events } = await negotiated(ctx);
      const before = events.log.length;
      const pending = transport.pull(new Uint8Array(64)); // the peer says nothing more in plain text
      const secureEvents = new Recorder();
      const secure = await transport.startTls(tlsRequest({ caCerts: [ctx.ca] }), secureEvents, new Cancellation());
      if (pending !== undefined) await pending;
      await secure.write(utf8("after"));
      await readUntil(secure, secureEvents, () => secureEvents.text() === "after", "the echo");
      equal(events.log.length, before, "events on the old transport");
    },
  },
  {
    id: "starttls/wrong-name",
    title: "startTls() rejects with ETLS when the certificate is not valid for verifyName",
    async run(ctx) {
      const { transport } = await negotiated(ctx);
      const upgrading = transport.startTls(
        tlsRequest({ caCerts: [ctx.ca], verifyName: "wrong.example" }),
        new Recorder(),
        new Cancellation(),
      );
      equal(code(await rejection(upgrading, "startTls")), "ETLS", "code");
    },
  },
  {
    id: "starttls/cancelled",
    title: "core's cancel during the handshake rejects startTls() and closes the connection",
    async run(ctx) {
      const { transport, starttls } = await negotiated(ctx, "silent");
      const cancel = new Cancellation();
      const upgrading = transport.startTls(tlsRequest({ caCerts: [ctx.ca] }), new Recorder(), cancel);
      await sleep(50);
      cancel.cancel(new Error("give up"));
      // The code is not part of the contract: core has already rejected the new socket's
      // `opened` with its own reason by then.
      await rejection(upgrading, "startTls");
      const report = await starttls.report({ closed: true });
      ok(report.conns[0]?.closed, "the peer saw the connection close");
    },
  },
];
