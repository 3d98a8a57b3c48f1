/**
 * The server side of the seam: a runtime's listener hands core connections that are
 * already open, and core wraps each in the same `Socket` `connect()` returns.
 *
 * Contract, in the words core relies on:
 *
 * - **Opening.** `openListener(request, events)` binds and resolves once the listener
 *   accepts (Node: after `'listening'`), with its `localAddress`. It rejects with the native
 *   error (core normalises `EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`). An option the runtime
 *   cannot honour (`reusePort` where there is none) is a *synchronous* throw of a
 *   `SocketError` `EINVAL` naming the option and the runtime: never silently ignored.
 * - **Accepting.** Each accepted connection is `events.connection(accepted)`: an
 *   {@link AcceptedConnection} that is open (for a TLS listener: its handshake succeeded)
 *   and **reads nothing yet**. A push runtime (Node, Bun) calls it as connections arrive;
 *   core keeps at most `highWaterMark` unclaimed and calls `abort()` on the rest. A pull
 *   runtime (Deno) accepts only in `pull()`: it returns a promise that settles after it
 *   delivered one connection (or failed one, or the listener closed); push runtimes
 *   return nothing from `pull()`.
 * - **Connections that fail before hand-out** (a TLS handshake failed or timed out, a
 *   reset while the handshake ran) are `events.failed(error)`: counted, never delivered.
 *   A slow handshake never blocks other accepts.
 * - **A listener failure** after it opened is `events.error(error)`, at most once.
 * - **`close()`** stops accepting and releases the port; connections already delivered
 *   stay open. It resolves once the port is released (Node's `server.close()` callback
 *   waits for every connection: do not wait for that). Idempotent; no event after it.
 * - **`AcceptedConnection.attach(events)`** makes the core `Transport` (the same contract
 *   as a dialled one, `startTls` performing the *server* handshake with a
 *   {@link ServerTlsRequest}); reading starts then. An error that happened while it waited
 *   unclaimed is reported through `events` right after `attach` returns.
 *
 * @module
 */
import type { SocketInfo } from "./types.js";
import type { Transport, TransportEvents } from "./transport.js";

/**
 * The server's half of a TLS handshake. Core derives it from `ListenOptions.tls` once.
 *
 * @example
 * ```ts
 * import type { ServerTlsRequest } from "@sockets/core";
 * declare const cert: string, key: string;
 * const tls: ServerTlsRequest = { role: "server", cert, key, alpn: [], requestCert: false, caCerts: [], handshakeTimeout: 10_000 };
 * ```
 */
export interface ServerTlsRequest {
  readonly role: "server";
  readonly cert: string;
  readonly key: string;
  readonly alpn: readonly string[];
  /** Request a client certificate and refuse clients without a valid one. */
  readonly requestCert: boolean;
  /** Roots client certificates must chain to (with `requestCert`). */
  readonly caCerts: readonly string[];
  /** Milliseconds the client has to finish the handshake. */
  readonly handshakeTimeout: number;
}

/**
 * What to listen on.
 *
 * @example
 * ```ts
 * import type { ListenRequest } from "@sockets/core";
 * const request: ListenRequest = { hostname: "::1", port: 0, tls: null, starttls: null, allowHalfOpen: false, backlog: undefined, ipv6Only: false, reusePort: false };
 * ```
 */
export interface ListenRequest {
  /** IPv6 literals come without brackets. */
  readonly hostname: string;
  /** 0: the system picks a free port. */
  readonly port: number;
  /** A TLS listener (`secureTransport: "on"`): only connections whose handshake succeeded are delivered. */
  readonly tls: ServerTlsRequest | null;
  /** `secureTransport: "starttls"`: accepted transports' `startTls` performs this server handshake. */
  readonly starttls: ServerTlsRequest | null;
  readonly allowHalfOpen: boolean;
  readonly backlog: number | undefined;
  readonly ipv6Only: boolean;
  readonly reusePort: boolean;
}

/**
 * A connection a listener accepted, not yet handed to a `Socket`.
 *
 * @example
 * ```ts
 * import type { AcceptedConnection, TransportEvents } from "@sockets/core";
 * declare const accepted: AcceptedConnection, events: TransportEvents;
 * console.log(accepted.info.remoteAddress);
 * const transport = accepted.attach(events); // reading starts
 * ```
 */
export interface AcceptedConnection {
  /**
   * The client's address as `remoteAddress`, ours as `localAddress`, the negotiated ALPN:
   * read at accept, since a client may reset the connection while it waits unclaimed
   * (`getpeername()` fails after that).
   */
  readonly info: SocketInfo;
  /** Hands the connection to a socket: reading starts, events go to `events`. Called at most once. */
  attach(events: TransportEvents): Transport;
  /** Closes it without handing it out (the queue is full, the listener closed). RST where possible. */
  abort(): void;
}

/**
 * How a listener reports to core.
 *
 * @example
 * ```ts
 * import type { ListenerEvents } from "@sockets/core";
 * const events: ListenerEvents = { connection: (c) => c.abort(), failed() {}, error() {} };
 * ```
 */
export interface ListenerEvents {
  connection(accepted: AcceptedConnection): void;
  failed(error: unknown): void;
  error(error: unknown): void;
}

/**
 * An open listener on one runtime.
 *
 * @example
 * ```ts
 * import type { ListenerTransport } from "@sockets/core";
 * declare const listener: ListenerTransport;
 * console.log(listener.localAddress);
 * await listener.close();
 * ```
 */
export interface ListenerTransport {
  /** `"host:port"` as bound (IPv6 in brackets). */
  readonly localAddress: string;
  /** Pull runtimes: accept one connection. Push runtimes: nothing to do. */
  pull(): void | Promise<void>;
  close(): void | Promise<void>;
}

/**
 * A runtime's listener: what a runtime package implements for `listen()`.
 *
 * @example
 * ```ts
 * import { createListen, type OpenListener } from "@sockets/core";
 * declare const openMyListener: OpenListener;
 * export const listen = createListen(openMyListener);
 * ```
 */
export type OpenListener = (request: ListenRequest, events: ListenerEvents) => Promise<ListenerTransport>;

/**
 * Whether a `startTls` request is the server's half (an accepted socket) or the client's.
 *
 * @example
 * ```ts
 * import { isServerTls, type ServerTlsRequest, type TlsRequest } from "@sockets/core";
 * declare const tls: TlsRequest | ServerTlsRequest;
 * if (isServerTls(tls)) console.log(tls.cert.length);
 * ```
 */
export function isServerTls(tls: object): tls is ServerTlsRequest {
  return (tls as { role?: unknown }).role === "server";
}
