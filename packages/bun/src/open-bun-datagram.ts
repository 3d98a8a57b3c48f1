/**
 * `udp()` on Bun: `Bun.udpSocket`, pushed into core's bounded queue.
 *
 * How `Bun.udpSocket` differs from what core needs (checked on Bun 1.4.5), and what this
 * file does about it:
 * - **Push**: the `data` handler fires for every datagram, whole (Bun receives into a
 *   64 KiB buffer; its `flags.truncated` stays false up to 65 507 bytes), as a fresh
 *   `Uint8Array` with `binaryType: "uint8array"`; core keeps at most `highWaterMark`.
 * - **`send()` takes IP literals only** (a hostname throws `ERR_INVALID_ARG_TYPE`
 *   "Invalid address"): core resolves bound-mode hostnames first; `resolve` here is
 *   `Bun.dns.lookup`, whose failure code (`DNS_ENOTFOUND`) becomes `ENOTFOUND`.
 * - **`send()` is synchronous**: it throws for an oversized datagram (`EMSGSIZE`), which
 *   rejects that write only; it returns `false` when the socket's send buffer is full and
 *   the datagram was *not* sent: the send then waits for the `drain` handler and tries
 *   again, so a write never resolves for a datagram that did not leave.
 * - **ICMP errors** (Bun turns on `IP_RECVERR`; oven-sh/bun#18029, PR #28827): a port
 *   unreachable is reported to the `error` handler as `ECONNREFUSED` (with the socket as
 *   `this`, not as the first argument its typings say), on connected *and* unconnected
 *   sockets, and the socket stays open (older Bun closed it: #18029). On a
 *   connected socket it rejects the next send, once, as on Node; on a bound socket it is
 *   dropped, as Linux and Node do (it cannot be tied to a write). Bun also re-delivers an
 *   `EMSGSIZE` it already threw from `send()` through the `error` handler: ignored here.
 *   Without an `error` handler Bun would turn these into uncaught exceptions.
 * - **Connected mode needs a bind address of the peer's family** (`connect` to `::1` from
 *   the default `0.0.0.0` is `EAFNOSUPPORT`): `"::"` for an IPv6 peer.
 * - **Options**: `Bun.udpSocket` accepts and silently ignores `reuseAddr`, `ipv6Only`,
 *   `recvBufferSize` and `sendBufferSize` (a second bind with `reuseAddr` is still
 *   `EADDRINUSE`; an `ipv6Only` socket on `"::"` still receives from IPv4; `ss` shows
 *   the default buffer sizes), so `reuseAddress`, `ipv6Only`, `receiveBufferSize` and
 *   `sendBufferSize` are a synchronous `SocketError` `EINVAL`, never ignored.
 * - `close()` is synchronous and frees the port at once.
 *
 * @module
 */
import {
  isIpLiteral,
  SocketError,
  toSocketError,
  type DatagramEvents,
  type DatagramRequest,
  type DatagramTransport,
  type OpenDatagram,
} from "@sockets/core";

/** Error-handler codes that report an earlier datagram's fate, not a broken socket. */
const ICMP_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN"]);

type BunUdp = Bun.udp.Socket<"uint8array"> | Bun.udp.ConnectedSocket<"uint8array">;

function unsupported(option: string): SocketError {
  return new SocketError(`Invalid option ${option}: Bun ${Bun.version}'s Bun.udpSocket accepts it but ignores it; expected it unset`, {
    code: "EINVAL",
  });
}

async function resolve(hostname: string, family?: 4 | 6): Promise<string> {
  if (isIpLiteral(hostname)) return hostname;
  try {
    const [first] = await Bun.dns.lookup(hostname, family === undefined ? {} : { family });
    if (first === undefined) throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    return first.address;
  } catch (error) {
    throw toSocketError(error, { code: "ENOTFOUND" });
  }
}

/** An open `Bun.udpSocket` as core's datagram transport. */
class BunDatagram implements DatagramTransport {
  localAddress = "";
  localPort = 0;
  remoteAddress: string | null = null;
  remotePort: number | null = null;
  socket: BunUdp | null = null;
  readonly #connected: boolean;
  readonly #events: DatagramEvents;
  /** An ICMP error from the `error` handler: rejects the next send (connected mode). */
  #icmp: Error | null = null;
  /** A send waiting for `drain` (the send buffer was full). */
  #drained: (() => void) | null = null;
  #closed = false;

  constructor(events: DatagramEvents, connected: boolean) {
    this.#events = events;
    this.#connected = connected;
  }

  opened(socket: BunUdp): void {
    this.socket = socket;
    this.localAddress = socket.address.address;
    this.localPort = socket.address.port;
    if (this.#connected) {
      const remote = (socket as Bun.udp.ConnectedSocket<"uint8array">).remoteAddress;
      this.remoteAddress = remote.address;
      this.remotePort = remote.port;
    }
  }

  onData(data: Uint8Array, port: number, address: string): void {
    if (!this.#closed) this.#events.message(data, address, port);
  }

  onError(error: Error): void {
    if (this.#closed) return;
    const code = (error as { code?: unknown }).code;
    if (code === "EMSGSIZE") return; // already thrown by the send() it belongs to
    if (typeof code === "string" && ICMP_CODES.has(code)) {
      if (this.#connected) this.#icmp = error;
      return;
    }
    this.#events.error(error);
  }

  onDrain(): void {
    const drained = this.#drained;
    this.#drained = null;
    drained?.();
  }

  pull(): void {}

  send(data: Uint8Array, address: string | null, port: number | null): void | Promise<void> {
    const icmp = this.#icmp;
    if (icmp !== null) {
      this.#icmp = null;
      throw icmp;
    }
    if (this.#trySend(data, address, port)) return;
    return this.#sendAfterDrain(data, address, port);
  }

  /** `true` once sent; `false` when the send buffer was full (nothing sent). Throws what Bun throws. */
  #trySend(data: Uint8Array, address: string | null, port: number | null): boolean {
    const socket = this.socket!;
    if (address === null || port === null) return (socket as Bun.udp.ConnectedSocket<"uint8array">).send(data);
    return (socket as Bun.udp.Socket<"uint8array">).send(data, port, address);
  }

  async #sendAfterDrain(data: Uint8Array, address: string | null, port: number | null): Promise<void> {
    do {
      await new Promise<void>((resolve) => (this.#drained = resolve));
      if (this.#closed) throw new SocketError("The UDP socket was closed", { code: "ECLOSED" });
    } while (!this.#trySend(data, address, port));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket?.close();
    this.onDrain();
  }
}

async function open(request: DatagramRequest, events: DatagramEvents): Promise<DatagramTransport> {
  const remote = request.remote === null ? null : { hostname: await resolve(request.remote.hostname), port: request.remote.port };
  const local = request.local === null ? null : { hostname: await resolve(request.local.hostname), port: request.local.port };
  const transport = new BunDatagram(events, remote !== null);
  const handlers = {
    data: (_socket: unknown, data: Uint8Array, port: number, address: string) => transport.onData(data, port, address),
    // Bun 1.4.5 calls it with the socket as `this` and the error first (its typings say
    // `(socket, error)`): take whichever argument is the error.
    error: (first: unknown, second: unknown) => transport.onError((first instanceof Error ? first : second) as Error),
    drain: () => transport.onDrain(),
  };
  const socket =
    remote !== null
      ? await Bun.udpSocket({
          hostname: remote.hostname.includes(":") ? "::" : "0.0.0.0",
          binaryType: "uint8array",
          connect: remote,
          socket: handlers as unknown as Bun.udp.ConnectedSocketHandler<"uint8array">,
        })
      : await Bun.udpSocket({
          hostname: local!.hostname,
          port: local!.port,
          binaryType: "uint8array",
          socket: handlers as unknown as Bun.udp.SocketHandler<"uint8array">,
        });
  transport.opened(socket);
  return transport;
}

/**
 * The Bun `OpenDatagram`: `Bun.udpSocket`, bound or connected; `resolve` is
 * `Bun.dns.lookup`. Options Bun ignores are refused synchronously.
 *
 * @example
 * ```ts
 * import { createUdp } from "@sockets/core";
 * import { openBunDatagram } from "@sockets/bun";
 * const udp = createUdp(openBunDatagram);
 * const socket = udp({ localAddress: "127.0.0.1", localPort: 0 });
 * console.log((await socket.opened).localPort);
 * await socket.close();
 * ```
 */
export const openBunDatagram: OpenDatagram = Object.assign(
  (request: DatagramRequest, events: DatagramEvents): Promise<DatagramTransport> => {
    if (request.reuseAddress) throw unsupported("reuseAddress");
    if (request.ipv6Only) throw unsupported("ipv6Only");
    if (request.receiveBufferSize !== undefined) throw unsupported("receiveBufferSize");
    if (request.sendBufferSize !== undefined) throw unsupported("sendBufferSize");
    return open(request, events);
  },
  { resolve },
);
