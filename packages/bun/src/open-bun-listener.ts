/**
 * `listen()` on Bun: native `Bun.listen`, its accepted sockets as core Transports.
 *
 * How Bun's server API differs from what core needs, and what this file does about it:
 * - **Push, and handlers are not awaited**: each accepted socket is paused until a reader
 *   claims it, a TLS one once its handshake succeeded (`_bun-accepted.ts`); core keeps at
 *   most `highWaterMark` of them and aborts the rest.
 * - **`Bun.listen` throws `EADDRINUSE` (and `EACCES`) synchronously**: that becomes a
 *   rejected open, so `opened` and `closed` reject as on the other runtimes.
 * - **A name that does not resolve** makes it throw "Failed to listen at <name>", with no
 *   code: the name is looked up then (`Bun.dns.lookup`), and if it does not resolve the
 *   open rejects with `ENOTFOUND` (Bun's error as `cause`), as on Node and Deno.
 * - **`hostname` echoes the name given** (`localhost`, not the address bound): the
 *   address is read with the listener's `getsockname(out)`, which Bun's types omit (its
 *   `node:net` `Server.address()` is built on it).
 * - **A server key that does not match its certificate** is a synchronous `SocketError`
 *   `EINVAL`, checked before binding (`_tls-options.ts`), for `"starttls"` too.
 * - **One handler table** for every socket (`_bun-socket.ts`): the listener is the `data`
 *   every accepted socket starts with, and its `open` gives the socket its own owner.
 * - **ALPN** must be wire format (`_tls-options.ts`). Server-side `upgradeTLS` (for
 *   `startTls()` on an accepted socket) works on 1.4.5 with `isServer: true`
 *   (`_bun-opening.ts`).
 * - **`stop(false)`** stops listening and keeps the accepted connections, as core wants;
 *   TLS handshakes still in progress are aborted (nobody would receive them).
 * - **Options**: `reusePort` and `ipv6Only` are `Bun.listen`'s own (both honoured on 1.4.5,
 *   though its types list them only for `Bun.connect`); it has no `backlog`, so that is a
 *   synchronous `SocketError` `EINVAL`, never ignored. Accepted sockets get
 *   `allowHalfOpen: true` (the spec's policy is core's) and `setNoDelay(true)`.
 *
 * @module
 */
import {
  formatAddress,
  isIpLiteral,
  SocketError,
  type ListenerEvents,
  type ListenerTransport,
  type ListenRequest,
  type OpenListener,
} from "@sockets/core";
import { BunAccepted, type AcceptingListener } from "./_bun-accepted.js";
import { serverHandshake, type HandshakeRule } from "./_bun-opening.js";
import { bunHandlers, type BunOwner, type BunSocket } from "./_bun-socket.js";
import { bunServerTlsOptions, checkServerTls } from "./_tls-options.js";

function unsupported(option: string, why: string): SocketError {
  return new SocketError(`Invalid option ${option}: ${why} on Bun ${Bun.version}`, { code: "EINVAL" });
}

/**
 * Why `Bun.listen` failed: `ENOTFOUND` when `hostname` is a name that does not resolve
 * (Bun says only "Failed to listen at …"), else its own error.
 */
async function listenFailed(error: unknown, hostname: string): Promise<never> {
  if (isIpLiteral(hostname)) throw error;
  try {
    await Bun.dns.lookup(hostname);
  } catch {
    throw new SocketError(`getaddrinfo ENOTFOUND ${hostname}`, { code: "ENOTFOUND", cause: error });
  }
  throw error;
}

/** The address a listener is bound to (`getsockname`, missing from Bun's types), or `null`. */
function boundAddress(native: Bun.TCPSocketListener<BunOwner | undefined>): string | null {
  const getsockname = (native as { getsockname?: (out: { address?: unknown }) => unknown }).getsockname;
  if (typeof getsockname !== "function") return null;
  const out: { address?: unknown } = {};
  try {
    getsockname.call(native, out);
  } catch {
    return null;
  }
  return typeof out.address === "string" ? out.address : null;
}

/**
 * The Bun `OpenListener`.
 *
 * @example
 * ```ts
 * import { createListen } from "@sockets/core";
 * import { openBunListener } from "@sockets/bun";
 * const listen = createListen(openBunListener);
 * const server = listen("127.0.0.1:0");
 * console.log((await server.opened).localAddress);
 * await server.close();
 * ```
 */
export const openBunListener: OpenListener = (request, events) => {
  if (request.backlog !== undefined) throw unsupported(`backlog ${request.backlog}`, "Bun.listen has no backlog option");
  const tls = request.tls ?? request.starttls;
  if (tls !== null) checkServerTls(tls);
  const listener = new BunListener(request, events);
  try {
    listener.start();
  } catch (error) {
    return listenFailed(error, request.hostname);
  }
  return Promise.resolve(listener);
};

/** The listener, and the `data` each accepted socket starts with (its `open` lands here). */
class BunListener implements ListenerTransport, AcceptingListener, BunOwner {
  closed = false;
  readonly handshakes = new Set<BunAccepted>();
  readonly events: ListenerEvents;
  #native: Bun.TCPSocketListener<BunOwner | undefined> | null = null;
  readonly #request: ListenRequest;
  /** `null`: plain TCP (also for `"starttls"`, whose handshake is the accepted socket's `startTls()`). */
  readonly #rule: HandshakeRule | null;

  constructor(request: ListenRequest, events: ListenerEvents) {
    this.#request = request;
    this.events = events;
    this.#rule = request.tls === null ? null : serverHandshake(request.tls);
  }

  start(): void {
    const { hostname, port, tls, reusePort, ipv6Only } = this.#request;
    this.#native = Bun.listen<BunOwner | undefined>({
      hostname,
      port,
      allowHalfOpen: true,
      ...(reusePort ? { reusePort: true } : {}),
      ...(ipv6Only ? { ipv6Only: true } : {}),
      ...(tls === null ? {} : { tls: bunServerTlsOptions(tls) }),
      data: this,
      socket: bunHandlers,
    } as Bun.TCPSocketListenOptions<BunOwner | undefined>);
  }

  get localAddress(): string {
    const native = this.#native!;
    return formatAddress(boundAddress(native) ?? native.hostname, native.port) ?? `${this.#request.hostname}:${native.port}`;
  }

  pull(): void {
    // Push: connections arrive through `onOpen` (and, for TLS, their handshake).
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#native?.stop(false); // keeps the connections already accepted
    for (const accepted of this.handshakes) accepted.abort();
  }

  // A new socket's events, until `onOpen` gives it its own owner.

  onOpen(socket: BunSocket): void {
    if (this.closed) socket.terminate();
    else new BunAccepted(socket, this, this.#rule);
  }

  onHandshake(): void {}
  onData(): void {}
  onEnd(): void {}
  onDrain(): void {}
  onClose(): void {}
  onError(): void {}
}
