/**
 * The WinterTC Sockets API surface (WinterTC55/proposal-sockets-api, HEAD), plus the
 * extensions this project adds. Every extension is marked `@extension` and is not part
 * of the spec: code that wants to stay portable to other implementations of `connect()`
 * should not rely on it.
 *
 * @module
 */

/**
 * How the connection is secured. `"starttls"` starts in plain text and allows one later
 * {@link Socket.startTls} call.
 *
 * @example
 * ```ts
 * import type { SecureTransportKind } from "@sockets/core";
 * const kind: SecureTransportKind = "on";
 * ```
 */
export type SecureTransportKind = "off" | "on" | "starttls";

/**
 * The object form of an address. `hostname` may be a DNS name, an IPv4 literal, or an
 * IPv6 literal with or without brackets (`"::1"` and `"[::1]"` are both accepted).
 * `port` is an integer from 1 to 65535, or its canonical decimal string.
 *
 * @example
 * ```ts
 * import type { SocketAddress } from "@sockets/core";
 * const address: SocketAddress = { hostname: "db.internal", port: 5432 };
 * ```
 */
export interface SocketAddress {
  /** A host name, an IPv4 address, or an IPv6 address (bare or in brackets). */
  hostname: string;
  /** The port, 1–65535 (a string must be its canonical decimal form). */
  port: number | string;
}

/**
 * Anything `connect()` accepts as an address: `"host:port"`, `"[v6]:port"`, a
 * {@link SocketAddress}, or a `URL` (its `hostname` and `port` are used; the port must be
 * explicit).
 *
 * @example
 * ```ts
 * import type { AnySocketAddress } from "@sockets/core";
 * const a: AnySocketAddress = "[::1]:5432";
 * const b: AnySocketAddress = new URL("postgres://127.0.0.1:5432/db");
 * ```
 */
export type AnySocketAddress = string | SocketAddress | URL;

/**
 * Options for `connect()`.
 *
 * @example
 * ```ts
 * import type { SocketOptions } from "@sockets/core";
 * const options: SocketOptions = {
 *   secureTransport: "on",
 *   alpn: ["h2", "http/1.1"],
 *   signal: AbortSignal.timeout(5_000), // extension
 * };
 * ```
 */
export interface SocketOptions {
  /** `"off"` (default), `"on"` (TLS from the start) or `"starttls"`. */
  secureTransport?: SecureTransportKind;
  /**
   * When `false` (default), the writable side is closed once the peer's readable side
   * ends (after flushing what was already written). When `true`, it stays open.
   */
  allowHalfOpen?: boolean;
  /** The TLS server name to send and verify against. Defaults to the hostname; never sent for IP literals. */
  sni?: string;
  /** ALPN protocol names to offer, in order of preference. */
  alpn?: readonly string[];
  /**
   * Not in the spec (WinterTC55/proposal-sockets-api#34). Aborts a connect in flight, or
   * closes an open socket; everything then fails with a `SocketError` whose `code` is
   * `"EABORTED"` and whose `cause` is `signal.reason`.
   *
   * @extension
   */
  signal?: AbortSignal;
  /**
   * Not in the spec. Extra trusted root certificates (PEM), **added to** the system roots.
   * Used for `secureTransport: "on"` and for `startTls()`.
   *
   * @extension
   */
  caCerts?: readonly string[];
}

/**
 * What `opened` resolves with. Addresses are `"host:port"` (IPv6 as `"[::1]:port"`), or
 * `null` where the runtime cannot tell. `alpn` is the negotiated protocol, or `null`.
 *
 * @example
 * ```ts
 * import { connect } from "@sockets/node";
 * const socket = connect("127.0.0.1:5432");
 * const info = await socket.opened;
 * console.log(info.remoteAddress, info.localAddress, info.alpn);
 * await socket.close();
 * ```
 */
export interface SocketInfo {
  /** The peer's address, `"ip:port"` (`"[::1]:port"` for IPv6), or `null` where the runtime cannot tell. */
  remoteAddress: string | null;
  /** This end's address, `"ip:port"`, or `null` where the runtime cannot tell (workerd). */
  localAddress: string | null;
  /** The protocol negotiated with ALPN, or `null` (no TLS, or none agreed). */
  alpn: string | null;
}

/**
 * A TCP connection, as the spec defines it: two web streams and a few promises.
 *
 * @example
 * ```ts
 * import { connect } from "@sockets/node";
 * const socket = connect("127.0.0.1:7");
 * const writer = socket.writable.getWriter();
 * await writer.write(new TextEncoder().encode("ping"));
 * const { value } = await socket.readable.getReader().read();
 * await socket.close();
 * ```
 */
export interface Socket {
  /** Bytes from the peer. A byte stream: `getReader({ mode: "byob" })` works. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. Accepts any `ArrayBufferView`, `ArrayBuffer` or string (UTF-8). */
  readonly writable: WritableStream<ArrayBufferView | ArrayBuffer | string>;
  /** Resolves once connected (after the TLS handshake for TLS). Same object on every access. */
  readonly opened: Promise<SocketInfo>;
  /** Resolves when the connection is closed, rejects with a `SocketError` when it fails. */
  readonly closed: Promise<void>;
  /** `true` once `startTls()` has been called on this socket. */
  readonly upgraded: boolean;
  /**
   * Not in the spec (workerd has it): how this socket is secured.
   *
   * @extension
   */
  readonly secureTransport: SecureTransportKind;
  /**
   * Closes the socket and returns `closed`. Without a reason it is graceful: accepted
   * writes are flushed, a pending read resolves `{ done: true }`. With a reason it is an
   * abort: pending and later reads and writes reject with `reason`.
   */
  close(reason?: unknown): Promise<void>;
  /** Upgrades a `secureTransport: "starttls"` socket to TLS, returning the new socket. */
  startTls(): Socket;
}

/**
 * The shape of a `connect()` function: ours, `cloudflare:sockets`' or anyone's.
 *
 * @example
 * ```ts
 * import type { Connect } from "@sockets/core";
 * import { connect } from "@sockets/node";
 * const impl: Connect = connect;
 * ```
 */
export type Connect = (address: AnySocketAddress, options?: SocketOptions) => Socket;
