/**
 * `connect()` on workerd, over the platform's own `cloudflare:sockets`. What differs from
 * our other runtimes before a socket exists, and what is done about it:
 *
 * - A port of `0`, a fractional port or a `tcp://` string fails asynchronously, or with a
 *   plain `TypeError` → arguments are validated first by `@sockets/core`'s
 *   `parseAddress`/`resolveOptions`, which throw the same synchronous `SocketError`s as on
 *   Node, Deno and Bun.
 * - A bare IPv6 hostname (`{ hostname: "::1" }`) fails, because workerd joins
 *   `hostname + ":" + port` → the address is passed as `"[::1]:port"`.
 * - No `sni` option, and one message ("proxy request failed") for a refused connection
 *   and a failed handshake alike → `secureTransport: "on"` is opened as `"starttls"` and
 *   upgraded at once, with `sni` as `startTls()`'s `expectedServerHostname`: the handshake
 *   sends and verifies `sni`, and a failure after the plain socket opened is known to be
 *   the handshake's (`ETLS`). With `"starttls"`, `sni` goes to the later `startTls()`.
 * - No `alpn` option and no negotiated protocol in `SocketInfo` → not offered; `alpn` is
 *   `null`. No `caCerts` option → trust comes from the network service's
 *   `tlsOptions.trustedCertificates` in the workerd config; the option is accepted and
 *   not used. No `signal` option → emulated by the wrapper (an already aborted signal
 *   never dials).
 *
 * @module
 */
import { connect as cfConnect, type CloudflareSocket } from "cloudflare:sockets";
import {
  describe,
  parseAddress,
  resolveOptions,
  signalAborted,
  SocketError,
  type AnySocketAddress,
  type Connect,
  type SecureTransportKind,
  type Socket,
  type SocketOptions,
} from "@sockets/core";
import { WorkerdSocket, type WorkerdSocketInit } from "./_workerd-socket.js";
import { failedSocket } from "./_failed-socket.js";

const noop = (): void => {};

/**
 * The spec's `connect()` on workerd; see the module documentation for what it adds to
 * `cloudflare:sockets`.
 *
 * @example
 * ```ts
 * import { connect } from "./_workerd-connect.js";
 * const socket = connect({ hostname: "::1", port: 6379 });
 * const info = await socket.opened; // { remoteAddress: "[::1]:6379", localAddress: null, alpn: null }
 * await socket.close();
 * ```
 */
export const connect: Connect = function connect(address: AnySocketAddress, options?: SocketOptions): Socket {
  const parsed = parseAddress(address);
  const resolved = resolveOptions(options);
  const secureTransport: SecureTransportKind = resolved.secureTransport;
  const init: WorkerdSocketInit = { secureTransport, authority: parsed.authority, sni: resolved.sni, signal: resolved.signal };
  if (resolved.signal?.aborted === true) return failedSocket(signalAborted(resolved.signal), secureTransport);

  let native: CloudflareSocket;
  try {
    native = cfConnect(parsed.authority, {
      secureTransport: secureTransport === "on" ? "starttls" : secureTransport,
      allowHalfOpen: resolved.allowHalfOpen,
    });
    if (secureTransport === "on") {
      const plain = native;
      native = plain.startTls(resolved.sni === null ? undefined : { expectedServerHostname: resolved.sni });
      // The plain socket's fate is the TLS socket's; its promises are only watched.
      plain.opened.catch(noop);
      plain.closed.catch(noop);
      return new WorkerdSocket(native, { ...init, plainOpened: plain.opened });
    }
  } catch (error) {
    // workerd refused synchronously what our validation accepted (a name it considers
    // malformed): still a synchronous SocketError, as the spec's connect() allows.
    throw new SocketError(`Invalid address ${describe(parsed.authority)}: ${error instanceof Error ? error.message : String(error)}`, {
      code: "EINVAL",
      cause: error,
    });
  }
  return new WorkerdSocket(native, init);
};
