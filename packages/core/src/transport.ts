/**
 * The seam between `@sockets/core` and a runtime: the Transport.
 *
 * Core owns everything the spec defines (validation, the Socket object, `opened`/
 * `closed`, `close()`, `startTls()`, `allowHalfOpen`, the two web streams, error
 * normalisation). A runtime package only supplies an {@link OpenTransport} function that
 * dials (plain or TLS) and returns a {@link Transport}: a few hundred lines of mapping.
 *
 * Contract, in the words core relies on:
 *
 * - **Opening.** `open(request, events)` resolves once the connection is usable: after the
 *   TCP connect for plain sockets, after a *verified* TLS handshake for `request.tls`.
 *   It rejects with the native error (core normalises it; pass `code: "ETLS"` through
 *   `toSocketError` for handshake failures the native error does not mark). When core
 *   gives up (`request.cancel`: the socket was closed, its `signal` fired), the attempt
 *   should be stopped natively where the runtime can; core rejects `opened` at once either
 *   way and calls `abort()` on a late transport.
 * - **Reading.** Core calls `pull(view)` when the reader
 *   wants bytes. A push runtime (Node, Bun) calls `events.data(chunk)` for each chunk as it
 *   arrives, from the moment `open` resolves, until core calls `pause()` (which core does
 *   as soon as a chunk arrives that nobody asked for, so at most about one chunk is read
 *   ahead); `pull()` resumes it, and it ignores `view`. Not pausing up front saves a
 *   pause/resume pair of native calls per connection. A pull runtime (Deno) reads once —
 *   into `view` when one is given (a BYOB read: zero copy), otherwise into memory of its
 *   own — calls `events.data` with the filled bytes (a view over `view`'s buffer when it
 *   read into `view`) or `events.end()`, and returns a promise that settles after that.
 *   Chunks handed to `events.data` belong to core from then on: core may transfer their
 *   `ArrayBuffer`, so never hand out memory that is reused or shared.
 * - **Peer FIN** is `events.end()`, exactly once. The transport stays writable after it
 *   (the half-open policy is core's, not the runtime's).
 * - **Fatal errors** (reset, TLS alert, …) are `events.error(nativeError)`, at most once;
 *   no event fires after it. Bytes that arrived before the failure are handed over with
 *   `events.data` first, even while paused: core lets the reader have them before the
 *   error. A peer's RST is never reported as `events.end()`.
 * - **Writing.** `write(bytes)` is called one chunk at a time, never concurrently, and
 *   only after `open` resolved. It returns (or resolves) once the bytes have been handed to
 *   the operating system or copied, so the caller may reuse the memory; it waits while
 *   the runtime's buffer is full (that is the backpressure `writer.ready` reports).
 * - **`shutdown()`** half-closes: sends FIN after the written bytes; reading goes on.
 * - **`close()`** is the graceful full close after everything written was flushed;
 *   **`abort()`** tears down at once (RST where the runtime can). Both are idempotent; no
 *   event fires after either. Core does not `pause()` a push transport before its
 *   `close()`: what arrives meanwhile still reaches `events.data` and is dropped by core
 *   (bytes left unread in the kernel would turn the FIN into a RST).
 * - **`startTls(tls, events, cancel)`** consumes this transport: the old transport's events
 *   stop, and the returned promise resolves with the new transport after a verified
 *   handshake. When core cancels first, tear the connection down and reject.
 *   Core calls it only with no write in flight. On an accepted connection `tls` is the
 *   listener's `ServerTlsRequest` (`isServerTls(tls)`): the server handshake. Bytes that had arrived but were not yet
 *   delivered are discarded (never fed to the reader as if they came over TLS).
 *
 * @module
 */
import type { Cancellation } from "./cancellation.js";
import type { ServerTlsRequest } from "./listener-transport.js";
import type { SocketInfo } from "./types.js";

/**
 * What a TLS handshake needs. Core derives it from the options once.
 *
 * @example
 * ```ts
 * import type { TlsRequest } from "@sockets/core";
 * const tls: TlsRequest = { verifyName: "db.internal", serverName: "db.internal", alpn: [], caCerts: [] };
 * ```
 */
export interface TlsRequest {
  /** The name the server certificate must be valid for: the `sni` option, else the hostname. */
  readonly verifyName: string;
  /** The SNI to send: the `sni` option, else the hostname; `null` for IP literals (RFC 6066). */
  readonly serverName: string | null;
  /** ALPN protocols to offer; empty for none. */
  readonly alpn: readonly string[];
  /** Extra trusted roots (PEM), in addition to the system roots. */
  readonly caCerts: readonly string[];
}

/**
 * What to dial.
 *
 * @example
 * ```ts
 * import { Cancellation, type OpenRequest } from "@sockets/core";
 * const request: OpenRequest = { hostname: "::1", port: 5432, tls: null, starttls: true, cancel: new Cancellation() };
 * ```
 */
export interface OpenRequest {
  /** IPv6 literals come without brackets. */
  readonly hostname: string;
  readonly port: number;
  /** TLS from the start (`secureTransport: "on"`), or `null` for plain TCP. */
  readonly tls: TlsRequest | null;
  /** `true` when `startTls()` may follow (`secureTransport: "starttls"`). */
  readonly starttls: boolean;
  /** Core gave up on this attempt (closed, the `signal` extension, a failure): stop dialling. */
  readonly cancel: Cancellation;
}

/**
 * How a transport reports to core. See the module documentation for the rules.
 *
 * @example
 * ```ts
 * import type { TransportEvents } from "@sockets/core";
 * const events: TransportEvents = { data: (chunk) => console.log(chunk.byteLength), end() {}, error() {} };
 * ```
 */
export interface TransportEvents {
  data(chunk: Uint8Array): void;
  end(): void;
  error(error: unknown): void;
}

/**
 * An open connection on one runtime. See the module documentation for the rules.
 *
 * @example
 * ```ts
 * import type { Transport } from "@sockets/core";
 * async function echoOnce(transport: Transport): Promise<void> {
 *   await transport.write(new TextEncoder().encode("hi"));
 *   await transport.shutdown();
 * }
 * ```
 */
export interface Transport {
  /**
   * Addresses and negotiated ALPN; read after `open`/`startTls` resolved. Core hands this
   * object to `opened`, and it may be read long after: it must already hold the addresses
   * (Bun forgets them at close, and `getpeername()` fails after a reset), never fetch
   * them from the native socket on first access.
   */
  readonly info: SocketInfo;
  pull(view: Uint8Array | null): void | Promise<void>;
  pause(): void;
  write(bytes: Uint8Array): void | Promise<void>;
  shutdown(): void | Promise<void>;
  close(): void | Promise<void>;
  abort(): void;
  /**
   * `cancel` stops the handshake in flight (the new socket was closed, its signal fired).
   * A dialled transport gets a client {@link TlsRequest}; an accepted one (see
   * `listener-transport.ts`) the listener's {@link ServerTlsRequest}: it performs the
   * server handshake.
   */
  startTls(tls: TlsRequest | ServerTlsRequest, events: TransportEvents, cancel: Cancellation): Promise<Transport>;
}

/**
 * A runtime's dialler: the one thing a runtime package implements.
 *
 * @example
 * ```ts
 * import { createConnect, type OpenTransport } from "@sockets/core";
 * declare const openMyTransport: OpenTransport;
 * export const connect = createConnect(openMyTransport);
 * ```
 */
export type OpenTransport = (request: OpenRequest, events: TransportEvents) => Promise<Transport>;
