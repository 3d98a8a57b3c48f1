/**
 * Contract cases for the datagram seam (`datagram-transport.ts`): **Opening** (addresses
 * once bound), **Receiving** (whole datagrams, `pull()` on a pull runtime, only the peer's
 * in connected mode), **Sending** (a failed datagram leaves the socket usable), `close()`
 * and `resolve`. The UDP peers are Node's `node:dgram`, in the peers process.
 *
 * @module
 */
import type { DatagramEvents, DatagramRequest, DatagramTransport } from "@sockets/core";
import { ContractError, equal, ok, rejection, sleep, utf8 } from "./helpers.js";
import type { TransportCase } from "./types.js";

interface Message {
  readonly data: Uint8Array;
  readonly address: string;
  readonly port: number;
}

/** Records what a datagram transport reports; `next()` receives the way core does. */
class DatagramRecorder implements DatagramEvents {
  readonly messages: Message[] = [];
  readonly errors: unknown[] = [];
  #pending: Promise<void> | null = null;
  readonly message = (data: Uint8Array, address: string, port: number): void => void this.messages.push({ data, address, port });
  readonly error = (error: unknown): void => void this.errors.push(error);

  /** The next datagram: `pull()` one at a time (a pull runtime), or wait for the push. */
  async next(transport: DatagramTransport, what: string, ms = 5000): Promise<Message> {
    const deadline = Date.now() + ms;
    for (;;) {
      const message = this.messages.shift();
      if (message !== undefined) return message;
      if (Date.now() > deadline) throw new ContractError(`timed out waiting for ${what}`);
      if (this.#pending === null) {
        const pending = transport.pull();
        if (pending !== undefined) {
          const settled = (this.#pending = pending.then(() => void (this.#pending = null)));
          settled.catch(() => {});
        }
      }
      await Promise.race([this.#pending ?? sleep(5), sleep(50)]);
    }
  }
}

function bound(hostname = "127.0.0.1"): DatagramRequest {
  return {
    remote: null,
    local: { hostname, port: 0 },
    ipv6Only: false,
    reuseAddress: false,
    sendBufferSize: undefined,
    receiveBufferSize: undefined,
  };
}

function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

export const datagramCases: readonly TransportCase[] = [
  {
    id: "datagram/bound-send-receive",
    title: "a bound socket resolves with its address; a datagram sent to a peer comes back with the peer's address and port",
    async run(ctx) {
      const echo = await ctx.udp({ behaviour: "udp-echo" });
      const events = new DatagramRecorder();
      const socket = await ctx.openDatagram(bound(), events);
      equal(socket.localAddress, "127.0.0.1", "localAddress");
      ok(socket.localPort > 0, `localPort ${socket.localPort}`);
      equal(socket.remoteAddress, null, "remoteAddress in bound mode");
      await socket.send(utf8("ping"), "127.0.0.1", echo.port);
      const reply = await events.next(socket, "the echo");
      equal(text(reply.data), "ping", "data");
      equal(reply.address, "127.0.0.1", "address");
      equal(reply.port, echo.port, "port");
      const [seen] = (await echo.report()).datagrams;
      equal(seen?.port, socket.localPort, "the port the peer saw");
    },
  },
  {
    id: "datagram/whole",
    title: "datagrams are delivered whole, never merged or split (1, 1 000 and 60 000 bytes)",
    async run(ctx) {
      const echo = await ctx.udp({ behaviour: "udp-echo" });
      const events = new DatagramRecorder();
      const socket = await ctx.openDatagram(bound(), events);
      const sizes = [1, 1000, 60_000];
      for (const size of sizes)
        await socket.send(
          new Uint8Array(size).map((_, i) => i & 0xff),
          "127.0.0.1",
          echo.port,
        );
      const received: number[] = [];
      for (const _size of sizes) {
        const message = await events.next(socket, `datagram ${received.length + 1}`);
        ok(
          message.data.every((byte, i) => byte === (i & 0xff)),
          "bytes",
        );
        received.push(message.data.byteLength);
      }
      equal(received.sort((a, b) => a - b).join(), sizes.join(), "sizes received");
      equal((await echo.report()).datagrams.map((d) => d.bytes).join(), sizes.join(), "sizes the peer got");
    },
  },
  {
    id: "datagram/ipv6",
    title: "a socket bound on ::1 reports IPv6 addresses without brackets",
    async run(ctx) {
      const echo = await ctx.udp({ behaviour: "udp-echo", host: "::1" });
      const events = new DatagramRecorder();
      const socket = await ctx.openDatagram(bound("::1"), events);
      equal(socket.localAddress, "::1", "localAddress");
      await socket.send(utf8("six"), "::1", echo.port);
      const reply = await events.next(socket, "the echo");
      equal(reply.address, "::1", "address");
      equal(text(reply.data), "six", "data");
    },
  },
  {
    id: "datagram/connected-only-the-peer",
    title: "in connected mode sends need no address, and only the peer's datagrams are delivered",
    async run(ctx) {
      const echo = await ctx.udp({ behaviour: "udp-echo" });
      const events = new DatagramRecorder();
      const request: DatagramRequest = { ...bound(), local: null, remote: { hostname: "127.0.0.1", port: echo.port } };
      const socket = await ctx.openDatagram(request, events);
      equal(socket.remoteAddress, "127.0.0.1", "remoteAddress");
      equal(socket.remotePort, echo.port, "remotePort");
      await ctx.udp({ behaviour: "udp-send", port: socket.localPort, text: "stranger" });
      await sleep(100);
      await socket.send(utf8("peer"), null, null);
      const first = await events.next(socket, "the echo");
      equal(text(first.data), "peer", "the first datagram delivered");
      await sleep(100);
      equal(events.messages.length, 0, "datagrams from others");
    },
  },
  {
    id: "datagram/failed-send-not-fatal",
    title: "a datagram too large to send rejects that send only: no events.error, and the socket still works",
    async run(ctx) {
      const echo = await ctx.udp({ behaviour: "udp-echo" });
      const events = new DatagramRecorder();
      const socket = await ctx.openDatagram(bound(), events);
      await rejection(
        Promise.resolve().then(() => socket.send(new Uint8Array(70_000), "127.0.0.1", echo.port)),
        "an oversized send",
      );
      await socket.send(utf8("after"), "127.0.0.1", echo.port);
      equal(text((await events.next(socket, "the echo")).data), "after", "data");
      equal(events.errors.length, 0, "events.error calls");
    },
  },
  {
    id: "datagram/close",
    title: "close() releases the socket (its port can be bound again), is idempotent, and no event fires after it",
    async run(ctx) {
      const events = new DatagramRecorder();
      const socket = await ctx.openDatagram(bound(), events);
      const port = socket.localPort;
      await socket.close();
      await socket.close();
      await ctx.udp({ behaviour: "udp-send", port, text: "too late" });
      await sleep(100);
      equal(events.messages.length + events.errors.length, 0, "events after close()");
      const again = await ctx.openDatagram({ ...bound(), local: { hostname: "127.0.0.1", port } }, new DatagramRecorder());
      equal(again.localPort, port, "the port bound again");
    },
  },
  {
    id: "datagram/resolve",
    title: "resolve() maps a hostname to one IP literal of the family asked for, and rejects a name that does not resolve",
    async run({ openDatagram }) {
      equal(await openDatagram.resolve("localhost", 4), "127.0.0.1", "localhost, IPv4");
      await rejection(openDatagram.resolve("no-such-host.invalid"), "resolve of an invalid name");
    },
  },
];
