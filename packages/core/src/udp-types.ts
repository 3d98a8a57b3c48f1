/// <reference lib="esnext.disposable" preserve="true" />
/**
 * UDP: one datagram socket in the shape of WICG Direct Sockets `UDPSocket` (messages of
 * `{ data, remoteAddress, remotePort }`, connected and bound modes), with the WinterTC
 * property style: `readable`, `writable`, `opened`, `closed` and `close()` live on the
 * socket, not inside `opened`. Not in the WinterTC spec (TCP only; its issue #27 asks to
 * align with Direct Sockets).
 *
 * Everything in this file is an `@extension` of the spec.
 *
 * @module
 */

/**
 * A datagram as read: one per datagram, never merged or split.
 *
 * @example
 * ```ts
 * import type { UDPMessage } from "@sockets/core";
 * const reply = (m: UDPMessage) => ({ data: m.data, remoteAddress: m.remoteAddress, remotePort: m.remotePort });
 * ```
 */
export interface UDPMessage {
  data: Uint8Array;
  /** The sender's IP address (IPv6 without brackets). */
  remoteAddress: string;
  remotePort: number;
}

/**
 * A datagram to write. In bound mode `remoteAddress` (an IP or a hostname, resolved for
 * you) and `remotePort` are required; in connected mode they must be absent.
 *
 * @example
 * ```ts
 * import type { UDPMessageInit } from "@sockets/core";
 * const hello: UDPMessageInit = { data: new TextEncoder().encode("hello world"), remoteAddress: "127.0.0.1", remotePort: 9999 };
 * ```
 */
export interface UDPMessageInit {
  data: ArrayBufferView | ArrayBuffer;
  remoteAddress?: string;
  remotePort?: number;
}

/**
 * Options for `udp()`: `remoteAddress` + `remotePort` for connected mode (one peer), or
 * `localAddress` (+ `localPort`, default 0) for bound mode (any peer).
 *
 * @example
 * ```ts
 * import type { UDPSocketOptions } from "@sockets/core";
 * const connected: UDPSocketOptions = { remoteAddress: "127.0.0.1", remotePort: 53 };
 * const bound: UDPSocketOptions = { localAddress: "0.0.0.0", localPort: 0 };
 * ```
 */
export interface UDPSocketOptions {
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
  /** Bound to `"::"`: IPv6 only. */
  ipv6Only?: boolean;
  /** `SO_REUSEADDR`, where the runtime has it (elsewhere a `SocketError` `EINVAL`). */
  reuseAddress?: boolean;
  /** `SO_SNDBUF` in bytes, where the runtime has it. */
  sendBufferSize?: number;
  /** `SO_RCVBUF` in bytes, where the runtime has it. */
  receiveBufferSize?: number;
  /** Closes the socket: `closed` rejects with `SocketError` `EABORTED`. */
  signal?: AbortSignal;
  /** Datagrams kept for a reader that is not reading (default 64); more are dropped and counted. */
  highWaterMark?: number;
}

/**
 * What `opened` resolves with.
 *
 * @example
 * ```ts
 * import type { UDPSocketInfo } from "@sockets/core";
 * const info: UDPSocketInfo = { localAddress: "127.0.0.1", localPort: 40000, remoteAddress: "127.0.0.1", remotePort: 53 };
 * ```
 */
export interface UDPSocketInfo {
  localAddress: string;
  localPort: number;
  /** Connected mode only. */
  remoteAddress?: string;
  remotePort?: number;
}

/**
 * Counters of a UDP socket.
 *
 * @example
 * ```ts
 * import type { UDPSocketStats } from "@sockets/core";
 * const lossy = (s: UDPSocketStats) => s.dropped > 0;
 * ```
 */
export interface UDPSocketStats {
  /** Datagrams handed to the readable. */
  readonly received: number;
  /** Datagrams dropped because `highWaterMark` were waiting for a reader. */
  readonly dropped: number;
}

/**
 * A UDP socket.
 *
 * @example
 * ```ts
 * import type { Udp } from "@sockets/core";
 * declare const udp: Udp; // from @sockets/node, @sockets/deno, @sockets/bun or @sockets/connect
 * const socket = udp({ remoteAddress: "127.0.0.1", remotePort: 9999 });
 * const writer = socket.writable.getWriter();
 * await writer.write({ data: new TextEncoder().encode("hello world") });
 * await socket.close();
 * ```
 */
export interface UDPSocket extends AsyncIterable<UDPMessage> {
  readonly readable: ReadableStream<UDPMessage>;
  /** One write is one datagram; it resolves once the datagram was handed to the OS. */
  readonly writable: WritableStream<UDPMessageInit | ArrayBufferView | ArrayBuffer>;
  readonly opened: Promise<UDPSocketInfo>;
  readonly closed: Promise<void>;
  readonly stats: UDPSocketStats;
  /** Closes the socket and returns `closed`; idempotent. */
  close(reason?: unknown): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The shape of a `udp()` function.
 *
 * @example
 * ```ts
 * import type { Udp, UDPSocket } from "@sockets/core";
 * function echoServer(udp: Udp): UDPSocket {
 *   return udp({ localAddress: "127.0.0.1", localPort: 0 });
 * }
 * ```
 */
export type Udp = (options: UDPSocketOptions) => UDPSocket;
