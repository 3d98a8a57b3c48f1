/**
 * `udp()` on Deno: `Deno.listenDatagram({ transport: "udp" })`, pull-based.
 *
 * How Deno's datagram API differs from what core needs (checked on Deno 2.9.6), and what
 * this file does about it:
 * - **Unstable**: `Deno.listenDatagram` exists only with `--unstable-net` (without it the
 *   function is missing: `TypeError: Deno.listenDatagram is not a function`). `udp()` then
 *   throws a `SocketError` at once that names the flag.
 * - **Pull**: nothing is received unless `receive()` is called: one `receive()` per
 *   `pull()` of core, so datagrams nobody reads wait in the kernel's buffer (and are
 *   dropped there when it is full: not counted, Deno cannot tell).
 * - **`receive(buffer)` truncates silently** to the buffer it is given. Each receive uses
 *   one reused 65 535-byte buffer (the largest UDP payload), and the datagram is copied
 *   out at its own length, so nothing is ever cut and nothing big is kept per datagram.
 * - **No connected sockets**: connected mode is a bound socket (on the loopback address
 *   of the peer's family when the peer is on loopback, else `0.0.0.0`/`::`, so
 *   `--allow-net=127.0.0.1` is enough for local peers) that sends to the peer and drops
 *   datagrams from anyone else. So ICMP errors never reach it (Linux reports them to
 *   connected sockets only): writes to a closed port resolve, as on a bound socket, and
 *   `opened.localAddress` is the bound address, not the source address the kernel picks.
 * - **Hostnames**: `Deno.resolveDns` is a DNS client (it skips `/etc/hosts` and needs
 *   `--allow-net` for the nameserver), so `resolve` is `lookup` from Deno's `node:dns`,
 *   which is the system's `getaddrinfo` checked against `--allow-net` for the name itself,
 *   as `Deno.connect` is. It is imported only when a hostname must be resolved.
 * - **Errors**: an oversized send rejects with a plain `Error` whose `code` is
 *   `EMSGSIZE` (that write only); `close()` makes a pending `receive()` reject with
 *   `Interrupted`, which ends the pull, not the socket. The port is free only once that
 *   `receive()` has settled (it holds the socket): `close()` waits for it.
 * - **Options**: `reuseAddress` is Deno's own; Deno has no `IPV6_V6ONLY` (`"::"` is
 *   dual-stack, as the system sets it) and no buffer sizes: `ipv6Only`,
 *   `receiveBufferSize` and `sendBufferSize` are a synchronous `SocketError` `EINVAL`.
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
import { denoSocketError } from "./_errors.js";

/** The largest UDP payload (IPv6 65 527, IPv4 65 507; 65 535 leaves no doubt). */
const RECEIVE_BUFFER = 65_535;
/** A variable, so neither tsc nor a bundler follows it: loaded only when needed. */
const NODE_DNS = "node:dns/promises";

type Lookup = (hostname: string, options: { family: number }) => Promise<{ address: string }>;
let lookup: Promise<Lookup> | null = null;

async function resolve(hostname: string, family?: 4 | 6): Promise<string> {
  if (isIpLiteral(hostname)) return hostname;
  lookup ??= import(NODE_DNS).then((dns: { lookup: Lookup }) => dns.lookup);
  try {
    return (await (await lookup)(hostname, { family: family ?? 0 })).address;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw toSocketError(error, code === "EPERM" ? { code: "EACCES" } : { code: "ENOTFOUND" });
  }
}

function unsupported(option: string, why: string): SocketError {
  return new SocketError(`Invalid option ${option}: ${why} on Deno ${Deno.version.deno}`, { code: "EINVAL" });
}

/** An open `DatagramConn` as core's (pull) datagram transport. */
class DenoDatagram implements DatagramTransport {
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  readonly #conn: Deno.DatagramConn;
  readonly #events: DatagramEvents;
  readonly #buffer = new Uint8Array(RECEIVE_BUFFER);
  /** The `receive()` in flight: it holds the socket open until it settles. */
  #receiving: Promise<unknown> | null = null;
  #closed = false;

  constructor(conn: Deno.DatagramConn, events: DatagramEvents, remote: { hostname: string; port: number } | null) {
    this.#conn = conn;
    this.#events = events;
    const local = conn.addr as Deno.NetAddr;
    this.localAddress = local.hostname;
    this.localPort = local.port;
    this.remoteAddress = remote?.hostname ?? null;
    this.remotePort = remote?.port ?? null;
  }

  async pull(): Promise<void> {
    if (this.#closed) return;
    let received: [Uint8Array, Deno.Addr];
    const receiving = (this.#receiving = this.#conn.receive(this.#buffer));
    try {
      received = await receiving;
    } catch (error) {
      if (this.#closed) return; // Interrupted / BadResource: our own close()
      throw denoSocketError(error, "io");
    } finally {
      this.#receiving = null;
    }
    if (this.#closed) return;
    const [data, from] = received;
    const { hostname, port } = from as Deno.NetAddr;
    // Connected mode: only the peer's datagrams (core pulls again after one dropped here).
    if (this.remoteAddress !== null && (hostname !== this.remoteAddress || port !== this.remotePort)) return;
    this.#events.message(data.slice(), hostname, port);
  }

  async send(data: Uint8Array, address: string | null, port: number | null): Promise<void> {
    const hostname = address ?? this.remoteAddress!;
    try {
      await this.#conn.send(data, { transport: "udp", hostname, port: port ?? this.remotePort! });
    } catch (error) {
      throw denoSocketError(error, "io");
    }
  }

  /** Resolves once the port is free: after a `receive()` in flight let go of the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
    await this.#receiving?.catch(() => {});
  }
}

/** Where connected mode binds: the loopback of the peer's family for a loopback peer, else any address. */
function bindFor(remote: string): string {
  if (remote.includes(":")) return remote === "::1" ? "::1" : "::";
  return remote.startsWith("127.") ? "127.0.0.1" : "0.0.0.0";
}

async function open(request: DatagramRequest, events: DatagramEvents): Promise<DatagramTransport> {
  const remote = request.remote === null ? null : { hostname: await resolve(request.remote.hostname), port: request.remote.port };
  const local =
    request.local === null
      ? { hostname: bindFor(remote!.hostname), port: 0 }
      : { hostname: await resolve(request.local.hostname), port: request.local.port };
  let conn: Deno.DatagramConn;
  try {
    conn = Deno.listenDatagram({ transport: "udp", hostname: local.hostname, port: local.port, reuseAddress: request.reuseAddress });
  } catch (error) {
    throw denoSocketError(error, "connect");
  }
  return new DenoDatagram(conn, events, remote);
}

/**
 * The Deno `OpenDatagram`: `Deno.listenDatagram` (needs `--unstable-net`), connected mode
 * emulated by filtering; `resolve` is the system resolver.
 *
 * @example
 * ```ts
 * import { createUdp } from "@sockets/core";
 * import { openDenoDatagram } from "@sockets/deno";
 * const udp = createUdp(openDenoDatagram); // run with --unstable-net
 * const socket = udp({ localAddress: "127.0.0.1", localPort: 0 });
 * console.log((await socket.opened).localPort);
 * await socket.close();
 * ```
 */
export const openDenoDatagram: OpenDatagram = Object.assign(
  (request: DatagramRequest, events: DatagramEvents): Promise<DatagramTransport> => {
    if (typeof (Deno as { listenDatagram?: unknown }).listenDatagram !== "function") {
      throw new SocketError(
        `udp() needs Deno.listenDatagram, which Deno ${Deno.version.deno} has only with the --unstable-net flag: run deno with --unstable-net`,
        { code: "EINVAL" },
      );
    }
    if (request.ipv6Only) throw unsupported("ipv6Only", "Deno.listenDatagram has no IPV6_V6ONLY");
    if (request.receiveBufferSize !== undefined) throw unsupported("receiveBufferSize", "Deno.listenDatagram has no SO_RCVBUF");
    if (request.sendBufferSize !== undefined) throw unsupported("sendBufferSize", "Deno.listenDatagram has no SO_SNDBUF");
    return open(request, events);
  },
  { resolve },
);
