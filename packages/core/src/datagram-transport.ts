/**
 * The UDP side of the seam: a runtime supplies an {@link OpenDatagram} that binds (and, in
 * connected mode, connects) a datagram socket; core builds the `UDPSocket` (validation,
 * the two streams, the bounded receive queue, `opened`/`closed`/`close()`) over it.
 *
 * Contract, in the words core relies on:
 *
 * - **Opening.** Core calls `open(request, events)` synchronously inside `udp()`, so an
 *   option the runtime cannot honour is a *synchronous* throw of a `SocketError` `EINVAL`
 *   naming the option and the runtime, out of `udp()` itself; so is a missing permission
 *   or flag (Deno without `--unstable-net`: name the flag). The request's addresses are IP
 *   literals or hostnames (core already mapped `localhost` to `127.0.0.1`): the transport
 *   resolves a hostname with its own `resolve` (use `isIpLiteral`) before it binds. The
 *   promise resolves once the socket is bound (and connected in connected mode) with its
 *   addresses on the transport (`remoteAddress`/`remotePort`: the resolved peer in
 *   connected mode). It rejects with the native error (core normalises `EADDRINUSE`,
 *   `EACCES`, …).
 * - **Receiving.** Each datagram is `events.message(data, address, port)`, whole: never
 *   merged, split or truncated (a pull runtime reads into a buffer large enough for the
 *   largest datagram, 65 535 bytes). `data` belongs to core from then on. A push runtime
 *   (Node, Bun) delivers as datagrams arrive (core keeps at most `highWaterMark` and drops,
 *   counting, the rest, as the kernel does); a pull runtime (Deno) receives once per
 *   `pull()` and returns a promise that settles after it delivered (or discarded) one; core
 *   pulls again while a read waits. In connected mode only the peer's datagrams are
 *   delivered (filter if the runtime does not).
 * - **Sending.** `send(data, address, port)` sends one datagram: `address`/`port` are
 *   `null` in connected mode; in bound mode `address` is an IP literal (core resolves
 *   hostnames first with `resolve`). It returns (or resolves) once the datagram was handed
 *   to the OS. A failure of that one datagram (`EMSGSIZE`, an ICMP error reported as
 *   `ECONNREFUSED`) rejects it and leaves the socket usable: the transport does not
 *   report it through `events.error`. An ICMP error the runtime reports outside a send
 *   (on a connected socket: Node's `'error'` from `recvmsg`, Bun's `error` handler, a
 *   failed receive on Deno) is not fatal either: the transport keeps it and rejects the
 *   next send with it, once, as the kernel does for a socket nobody is reading.
 * - **Fatal errors** (the socket itself broke) are `events.error(error)`, at most once.
 * - **`close()`** releases the socket; idempotent; no event after it.
 *
 * @module
 */

/**
 * What to open. Addresses are IP literals or hostnames (the transport resolves those), IPv6
 * without brackets.
 *
 * @example
 * ```ts
 * import type { DatagramRequest } from "@sockets/core";
 * const request: DatagramRequest = {
 *   remote: { hostname: "127.0.0.1", port: 53 }, local: null,
 *   ipv6Only: false, reuseAddress: false, sendBufferSize: undefined, receiveBufferSize: undefined,
 * };
 * ```
 */
export interface DatagramRequest {
  /** Connected mode: the one peer. `null` in bound mode. */
  readonly remote: { readonly hostname: string; readonly port: number } | null;
  /** Where to bind (`port` 0: any); `null` lets the system choose (connected mode). */
  readonly local: { readonly hostname: string; readonly port: number } | null;
  readonly ipv6Only: boolean;
  readonly reuseAddress: boolean;
  readonly sendBufferSize: number | undefined;
  readonly receiveBufferSize: number | undefined;
}

/**
 * How a datagram transport reports to core.
 *
 * @example
 * ```ts
 * import type { DatagramEvents } from "@sockets/core";
 * const events: DatagramEvents = { message: (data, address, port) => console.log(data.byteLength, address, port), error() {} };
 * ```
 */
export interface DatagramEvents {
  message(data: Uint8Array, address: string, port: number): void;
  error(error: unknown): void;
}

/**
 * An open datagram socket on one runtime.
 *
 * @example
 * ```ts
 * import type { DatagramTransport } from "@sockets/core";
 * declare const transport: DatagramTransport;
 * await transport.send(new Uint8Array([1]), "127.0.0.1", 9999);
 * ```
 */
export interface DatagramTransport {
  readonly localAddress: string;
  readonly localPort: number;
  /** Connected mode: the peer's IP address (resolved); `null` in bound mode. */
  readonly remoteAddress: string | null;
  /** Connected mode: the peer's port; `null` in bound mode. */
  readonly remotePort: number | null;
  /** Pull runtimes: receive one datagram. Push runtimes: nothing to do. */
  pull(): void | Promise<void>;
  send(data: Uint8Array, address: string | null, port: number | null): void | Promise<void>;
  close(): void | Promise<void>;
}

/**
 * A runtime's datagram opener, plus its resolver for hostnames in bound-mode writes.
 *
 * @example
 * ```ts
 * import type { OpenDatagram } from "@sockets/core";
 * declare const openMyDatagram: OpenDatagram;
 * const address = await openMyDatagram.resolve("localhost"); // e.g. "127.0.0.1"
 * ```
 */
export interface OpenDatagram {
  (request: DatagramRequest, events: DatagramEvents): Promise<DatagramTransport>;
  /**
   * Resolves a hostname to one IP literal (IPv6 without brackets); `family` asks for an
   * IPv4 (4) or IPv6 (6) address, as the socket it is for can only send to that family.
   * A name that does not resolve rejects (core reports `ENOTFOUND`).
   */
  resolve(hostname: string, family?: 4 | 6): Promise<string>;
}
