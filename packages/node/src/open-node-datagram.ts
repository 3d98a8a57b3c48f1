/**
 * `udp()` on Node: `node:dgram`, pushed into core's bounded queue.
 *
 * How `dgram` differs from what core needs, and what this file does about it:
 * - **Push**: `'message'` fires for every datagram as it arrives, whole (libuv receives
 *   into a 64 KiB buffer, so nothing is truncated) and in a `Buffer` of its own; core keeps
 *   at most `highWaterMark` of them and drops the rest, counting.
 * - **Binding and connecting report failures as `'error'` events** (`EADDRINUSE`,
 *   `EACCES`): the open rejects on an `'error'` before `'listening'`; `connect()` reports
 *   through its callback.
 * - **One family per socket** (`udp4` or `udp6`), chosen before binding: hostnames are
 *   resolved first (`dns.lookup`, the system resolver, as `dgram` itself would). A
 *   dual-stack `"::"` socket sends to an IPv4 peer through its mapped address
 *   (`::ffff:a.b.c.d`), which `dgram` does not do by itself.
 * - **ICMP "port unreachable" on a connected socket arrives as an `'error'` event from
 *   `recvmsg`** (`ECONNREFUSED`), not on the send that caused it, and the socket stays
 *   usable. It is kept and rejects the next send, once (the kernel's own behaviour for a
 *   socket nobody reads); it never fails the socket. Node never reports ICMP errors on an
 *   unconnected socket (libuv leaves `IP_RECVERR` off).
 * - **A failed send** (`EMSGSIZE`: larger than 65 507 bytes over IPv4) is the send's
 *   callback error: that write only.
 * - Options: `reuseAddress` → `reuseAddr`, `ipv6Only`, `receiveBufferSize` →
 *   `recvBufferSize`, `sendBufferSize`: all of `dgram.createSocket`.
 *
 * @module
 */
import * as dgram from "node:dgram";
import { lookup } from "node:dns/promises";
import { isIpLiteral, type DatagramEvents, type DatagramRequest, type DatagramTransport, type OpenDatagram } from "@sockets/core";

/** `recvmsg` errors that are an ICMP report about an earlier datagram, not a broken socket. */
const ICMP_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN", "EMSGSIZE"]);

async function resolve(hostname: string, family?: 4 | 6): Promise<string> {
  if (isIpLiteral(hostname)) return hostname;
  const { address } = await lookup(hostname, { family: family ?? 0 });
  return address;
}

/** An open `dgram` socket as core's datagram transport. */
class NodeDatagram implements DatagramTransport {
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  readonly #socket: dgram.Socket;
  readonly #v6: boolean;
  /** An ICMP error reported by `recvmsg`: rejects the next send. */
  #icmp: Error | null = null;
  #closed = false;

  constructor(socket: dgram.Socket, events: DatagramEvents, connected: boolean, v6: boolean) {
    this.#socket = socket;
    this.#v6 = v6;
    const local = socket.address();
    this.localAddress = local.address;
    this.localPort = local.port;
    const remote = connected ? socket.remoteAddress() : null;
    this.remoteAddress = remote?.address ?? null;
    this.remotePort = remote?.port ?? null;
    socket.removeAllListeners("error");
    socket.on("message", (message: Buffer, from: dgram.RemoteInfo) => {
      events.message(new Uint8Array(message.buffer, message.byteOffset, message.byteLength), from.address, from.port);
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.syscall === "recvmsg" && ICMP_CODES.has(error.code ?? "")) {
        if (connected) this.#icmp = error;
        return;
      }
      events.error(error);
    });
  }

  pull(): void {}

  send(data: Uint8Array, address: string | null, port: number | null): Promise<void> {
    const icmp = this.#icmp;
    if (icmp !== null) {
      this.#icmp = null;
      return Promise.reject(icmp);
    }
    return new Promise((resolve, reject) => {
      const done = (error: Error | null): void => (error === null ? resolve() : reject(error));
      if (address === null || port === null) {
        this.#socket.send(data, done);
      } else {
        const to = this.#v6 && !address.includes(":") ? `::ffff:${address}` : address;
        this.#socket.send(data, port, to, done);
      }
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#socket.removeAllListeners("message");
    // The handle (and the port) is released at once; 'close' follows on the next tick.
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

async function open(request: DatagramRequest, events: DatagramEvents): Promise<DatagramTransport> {
  const remote = request.remote === null ? null : { hostname: await resolve(request.remote.hostname), port: request.remote.port };
  const local = request.local === null ? null : { hostname: await resolve(request.local.hostname), port: request.local.port };
  const v6 = (local ?? remote)!.hostname.includes(":");
  const socket = dgram.createSocket({
    type: v6 ? "udp6" : "udp4",
    reuseAddr: request.reuseAddress,
    ipv6Only: request.ipv6Only,
    ...(request.receiveBufferSize === undefined ? {} : { recvBufferSize: request.receiveBufferSize }),
    ...(request.sendBufferSize === undefined ? {} : { sendBufferSize: request.sendBufferSize }),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      if (remote !== null) {
        socket.connect(remote.port, remote.hostname, (error?: Error) =>
          error === undefined || error === null ? resolve() : reject(error),
        );
      } else {
        socket.bind({ address: local!.hostname, port: local!.port, exclusive: true }, () => resolve());
      }
    });
  } catch (error) {
    try {
      socket.close();
    } catch {
      // Never bound.
    }
    throw error;
  }
  return new NodeDatagram(socket, events, remote !== null, v6);
}

/**
 * The Node `OpenDatagram`: binds (and in connected mode connects) a `node:dgram` socket;
 * `resolve` is `dns.lookup`.
 *
 * @example
 * ```ts
 * import { createUdp } from "@sockets/core";
 * import { openNodeDatagram } from "@sockets/node";
 * const udp = createUdp(openNodeDatagram);
 * const socket = udp({ localAddress: "127.0.0.1", localPort: 0 });
 * console.log((await socket.opened).localPort);
 * await socket.close();
 * ```
 */
export const openNodeDatagram: OpenDatagram = Object.assign(open, { resolve });
