/// <reference lib="esnext.disposable" preserve="true" />
/**
 * The server side: `listen()` and the `Listener` it returns. Not in the WinterTC spec
 * (which has no server side yet); the shape follows WICG Direct Sockets `TCPServerSocket`
 * (a pull `ReadableStream` of sockets) in the WinterTC property style (`readable`,
 * `opened`, `closed`, `close()` on the object), with TLS, which Direct Sockets lacks.
 * Every accepted connection is the very `Socket` a client gets from `connect()`.
 *
 * Everything in this file is an `@extension` of the spec.
 *
 * @module
 */
import type { AnySocketAddress, SecureTransportKind, Socket } from "./types.js";

/**
 * The listener's certificate and what it negotiates (PEM strings).
 *
 * @example
 * ```ts
 * import type { ListenTlsOptions } from "@sockets/core";
 * declare const cert: string, key: string;
 * const tls: ListenTlsOptions = { cert, key, alpn: ["smtp"] };
 * ```
 */
export interface ListenTlsOptions {
  /** The certificate chain (PEM), leaf first. */
  cert: string;
  /** Its private key (PEM). */
  key: string;
  /** ALPN protocols the server accepts, in order of preference; none negotiated when empty. */
  alpn?: readonly string[];
  /** Ask every client for a certificate and refuse the handshake unless it chains to `caCerts`. */
  requestCert?: boolean;
  /** Roots (PEM) client certificates must chain to; required with `requestCert`. */
  caCerts?: readonly string[];
}

/**
 * Options for `listen()`.
 *
 * @example
 * ```ts
 * import type { ListenOptions } from "@sockets/core";
 * declare const cert: string, key: string;
 * const options: ListenOptions = { secureTransport: "starttls", tls: { cert, key }, highWaterMark: 16 };
 * ```
 */
export interface ListenOptions {
  /**
   * `"off"` (default): plain TCP. `"on"`: a TLS listener; a socket is handed out only once
   * its handshake succeeded. `"starttls"`: plain TCP; `socket.startTls()` on an accepted
   * socket performs the *server* handshake with `tls`.
   */
  secureTransport?: SecureTransportKind;
  /** Required with `"on"` and `"starttls"`; an error with `"off"`. */
  tls?: ListenTlsOptions;
  /** For accepted sockets, as `connect()`'s option (default `false`). */
  allowHalfOpen?: boolean;
  /** The kernel's accept backlog (a positive integer; the runtime's default otherwise). */
  backlog?: number;
  /** With `"::"`: accept IPv6 only (default: IPv4 too, where the system allows it). */
  ipv6Only?: boolean;
  /** `SO_REUSEPORT`, where the runtime has it (elsewhere a `SocketError` `EINVAL`). */
  reusePort?: boolean;
  /** Closes the listener: `opened` (if pending) and `closed` reject with `SocketError` `EABORTED`. */
  signal?: AbortSignal;
  /**
   * How many accepted sockets may wait, unclaimed, for a reader (default 8). On runtimes
   * that push connections (Node, Bun) a connection beyond that is closed at once and
   * counted in `stats.dropped`; on Deno nothing is accepted until a reader asks.
   */
  highWaterMark?: number;
  /** Milliseconds a TLS client has to finish its handshake (default 10 000); counted in `stats.failed`. */
  handshakeTimeout?: number;
}

/**
 * What `listener.opened` resolves with.
 *
 * @example
 * ```ts
 * import type { ListenerInfo } from "@sockets/core";
 * const info: ListenerInfo = { localAddress: "127.0.0.1:43123" };
 * ```
 */
export interface ListenerInfo {
  /** The bound address as `"host:port"` (the real port when 0 was asked; IPv6 in brackets). */
  localAddress: string;
}

/**
 * Counters of a listener (read at any time).
 *
 * @example
 * ```ts
 * import type { ListenerStats } from "@sockets/core";
 * const quiet = (s: ListenerStats) => s.dropped === 0 && s.failed === 0;
 * ```
 */
export interface ListenerStats {
  /** Sockets handed to the readable. */
  readonly accepted: number;
  /** Connections closed at once because `highWaterMark` unclaimed sockets were waiting. */
  readonly dropped: number;
  /** Connections that failed before they could be handed out (a TLS handshake failed or timed out, a reset). */
  readonly failed: number;
}

/**
 * A listening socket.
 *
 * @example
 * ```ts
 * import { listen } from "@sockets/node";
 * await using server = listen("127.0.0.1:0");
 * console.log((await server.opened).localAddress);
 * for await (const socket of server) {
 *   void socket.readable.pipeTo(socket.writable); // echo
 * }
 * ```
 */
export interface Listener extends AsyncIterable<Socket> {
  /** Accepted sockets, pull-driven. Cancelling it closes the listener. */
  readonly readable: ReadableStream<Socket>;
  /** Resolves once bound; rejects with `SocketError` (`EADDRINUSE`, `EACCES`, …). */
  readonly opened: Promise<ListenerInfo>;
  /** Resolves once the listener stopped accepting; rejects when it failed. */
  readonly closed: Promise<void>;
  /** Counters: sockets handed out, dropped (queue full), failed before hand-out. */
  readonly stats: ListenerStats;
  /**
   * Stops accepting, closes the accepted sockets nobody has claimed yet, and returns
   * `closed`. Sockets already handed out stay open. Idempotent. With a `reason`, a pending
   * read of `readable` rejects with it; without, the readable ends (`for await` loops end).
   */
  close(reason?: unknown): Promise<void>;
  /** `close()`: for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The shape of a `listen()` function.
 *
 * @example
 * ```ts
 * import type { Listen } from "@sockets/core";
 * import { listen } from "@sockets/node";
 * const impl: Listen = listen;
 * ```
 */
export type Listen = (address: AnySocketAddress, options?: ListenOptions) => Listener;
