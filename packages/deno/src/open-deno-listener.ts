/**
 * `listen()` on Deno: `Deno.listen` / `Deno.listenTls`, pull-based.
 *
 * How Deno's server API differs from what core needs, and what this file does about it:
 * - **Pull, not push**: nothing is accepted unless core asks (`pull()`, one per read of
 *   the listener's readable). A plain conn is delivered as soon as `accept()` returns it.
 * - **Binding is synchronous**: `Deno.listen` throws `AddrInUse` at once; that becomes a
 *   rejected open (`EADDRINUSE`), so `opened` and `closed` reject as on the other
 *   runtimes, never a synchronous throw out of `listen()`.
 * - **TLS handshakes are lazy** (`listenTls` conns shake hands on first use): each
 *   accepted conn's `handshake()` runs concurrently (`_server-tls.ts`) while `pull()` goes
 *   on accepting, so a client that never finishes its handshake blocks no other client;
 *   it is closed after `handshakeTimeout` and counted (`events.failed`). Handshakes that
 *   finish after the read they were accepted for was served go to core's bounded queue.
 *   Deno keeps the TCP socket of a `TlsConn` closed mid-handshake until the handshake ends
 *   (denoland/deno PR #14547): a silent client's descriptor is freed when it sends or
 *   hangs up, not at the timeout (the README's known gaps).
 * - **Options**, checked on Deno 2.9.6: `backlog` is `tcpBacklog`. `reusePort` is
 *   `Deno.listen`'s unstable option: without `--unstable-net` Deno *exits the process*
 *   when it is passed, and outside Linux it is silently ignored, so in both cases it is a
 *   synchronous `SocketError` `EINVAL` instead. Deno has no `IPV6_V6ONLY` (`"::"` is
 *   dual-stack, as the system sets it) and `listenTls` cannot request client certificates:
 *   `ipv6Only` and `tls.requestCert` are `EINVAL` too, never ignored. A certificate and
 *   key `Deno.listenTls` cannot use are `EINVAL` as well (for `"starttls"` a trial
 *   `Deno.listenTls` on 127.0.0.1:0 finds them: `_server-tls.ts`), not a rejected open or a
 *   failure of every `startTls()`.
 * - **No `setNoDelay` on a `TlsConn`** (denoland/deno#13617): plain accepted conns get
 *   `TCP_NODELAY`, TLS ones cannot, so Nagle's algorithm stays on for TLS listeners (a
 *   reply written in two pieces waits ~40 ms for the client's delayed ACK).
 * - Server-side `startTls()` is emulated (Deno has none): see `_server-tls.ts`.
 * - **`accept()` fails for a connection its client reset while it waited** in the kernel's
 *   queue (`NotConnected`: Deno reads the peer's address): counted (`events.failed`), and
 *   accepting goes on; any other `accept()` failure ends the listener.
 * - `close()`: `listener.close()`; a pending `accept()` then rejects (`BadResource`),
 *   which ends the pull, not the listener. Handshakes still running are closed (those
 *   connections were never handed out).
 *
 * @module
 */
import {
  formatAddress,
  SocketError,
  type AcceptedConnection,
  type ListenerEvents,
  type ListenerTransport,
  type ListenRequest,
  type OpenListener,
  type SocketInfo,
  type Transport,
  type TransportEvents,
} from "@sockets/core";
import { classCode, denoSocketError } from "./_errors.js";
import { closeQuietly } from "./_handshake.js";
import { connInfo } from "./_info.js";
import { checkServerTls, listenTlsError, serverHandshake } from "./_server-tls.js";
import { DenoTransport } from "./deno-transport.js";

function unsupported(option: string, why: string): SocketError {
  return new SocketError(`Invalid option ${option}: ${why} on Deno ${Deno.version.deno}`, { code: "EINVAL" });
}

/**
 * `accept()` fails for one connection when its client reset it while it waited in the
 * kernel's queue: Deno asks for the peer's address, which is then `NotConnected` (ENOTCONN).
 * The error mapping already reads that (and a reset or an abort) as `ECONNRESET`.
 */
function isConnectionGone(error: unknown): boolean {
  return classCode(error) === "ECONNRESET";
}

/** Throws `EINVAL` for what Deno cannot do (see the module documentation). */
function checkOptions(request: ListenRequest): void {
  if (request.ipv6Only) throw unsupported("ipv6Only true", "Deno.listen has no IPV6_V6ONLY option");
  const tls = request.tls ?? request.starttls;
  if (tls?.requestCert === true) throw unsupported("tls.requestCert true", "Deno.listenTls cannot request client certificates");
  if (!request.reusePort) return;
  if (Deno.build.os !== "linux") throw unsupported("reusePort true", `Deno ignores SO_REUSEPORT on ${Deno.build.os} (Linux only)`);
  // `listenDatagram` exists exactly when the unstable "net" APIs are enabled.
  if (typeof (Deno as { listenDatagram?: unknown }).listenDatagram !== "function") {
    throw unsupported("reusePort true", "Deno.listen's reusePort is unstable: run Deno with --unstable-net");
  }
}

/**
 * The Deno `OpenListener`.
 *
 * @example
 * ```ts
 * import { createListen } from "@sockets/core";
 * import { openDenoListener } from "@sockets/deno";
 * const listen = createListen(openDenoListener);
 * const server = listen("127.0.0.1:0");
 * console.log((await server.opened).localAddress);
 * await server.close();
 * ```
 */
export const openDenoListener: OpenListener = (request, events) => {
  checkOptions(request);
  if (request.starttls !== null) checkServerTls(request.starttls);
  let listener: Deno.Listener | Deno.TlsListener;
  try {
    const base = {
      hostname: request.hostname,
      port: request.port,
      transport: "tcp" as const,
      ...(request.backlog !== undefined ? { tcpBacklog: request.backlog } : {}),
      ...(request.reusePort ? { reusePort: true } : {}),
    };
    listener =
      request.tls === null
        ? Deno.listen(base)
        : Deno.listenTls({
            ...base,
            cert: request.tls.cert,
            key: request.tls.key,
            ...(request.tls.alpn.length > 0 ? { alpnProtocols: [...request.tls.alpn] } : {}),
          });
  } catch (error) {
    if (request.tls === null) return Promise.reject(denoSocketError(error, "connect"));
    const failure = listenTlsError(error);
    if (failure.code === "EINVAL") throw failure; // the certificate and key, as Node refuses them
    return Promise.reject(failure);
  }
  return Promise.resolve(new DenoListener(listener, request, events));
};

class DenoListener implements ListenerTransport {
  readonly localAddress: string;
  readonly #listener: Deno.Listener | Deno.TlsListener;
  readonly #request: ListenRequest;
  readonly #events: ListenerEvents;
  #closed = false;
  /** Resolves the `pull()` in progress: a connection was delivered or failed, or we closed. */
  #wake: (() => void) | null = null;
  #accepting = false;
  /** The accept loop while it runs: its pending `accept()` holds the port until it settles. */
  #acceptLoop: Promise<void> | null = null;
  /** Accepted TLS conns whose handshake is still running (closed with the listener). */
  readonly #handshaking = new Set<Deno.TlsConn>();

  constructor(listener: Deno.Listener | Deno.TlsListener, request: ListenRequest, events: ListenerEvents) {
    this.#listener = listener;
    this.#request = request;
    this.#events = events;
    const addr = listener.addr as Deno.NetAddr;
    this.localAddress = formatAddress(addr.hostname, addr.port) ?? `${request.hostname}:${request.port}`;
  }

  pull(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
      if (!this.#accepting) this.#acceptLoop = this.#acceptWhileWanted();
    });
  }

  /**
   * Resolves once the port is free: Deno releases it only when the `accept()` in flight
   * has rejected (`BadResource`), a few ms after `close()` (an immediate rebind failed with
   * `EADDRINUSE` before this waited for it).
   */
  close(): Promise<void> | undefined {
    if (this.#closed) return this.#acceptLoop ?? undefined;
    this.#closed = true;
    closeQuietly(this.#listener);
    for (const conn of this.#handshaking) closeQuietly(conn);
    this.#handshaking.clear();
    this.#settle();
    return this.#acceptLoop ?? undefined;
  }

  /** Accepts while a pull waits: a slow TLS handshake does not stop the next accept. */
  async #acceptWhileWanted(): Promise<void> {
    this.#accepting = true;
    try {
      while (this.#wake !== null && !this.#closed) {
        let conn: Deno.Conn;
        try {
          conn = await this.#listener.accept();
        } catch (error) {
          if (this.#closed) return;
          if (isConnectionGone(error)) {
            // That one connection, not the listener: counted, and the pull goes on.
            this.#events.failed(denoSocketError(error, "io"));
            continue;
          }
          // The listener itself failed (not a closed one): that ends it.
          this.#events.error(denoSocketError(error, "io"));
          this.close();
          return;
        }
        if (this.#closed) {
          closeQuietly(conn);
          return;
        }
        if (this.#request.tls === null)
          this.#deliver(new DenoAccepted(conn as Deno.TcpConn, connInfo(conn, null), this.#request.starttls !== null));
        else this.#handshake(conn as Deno.TlsConn);
      }
    } finally {
      this.#accepting = false;
      this.#acceptLoop = null;
    }
  }

  #handshake(conn: Deno.TlsConn): void {
    this.#handshaking.add(conn);
    serverHandshake(conn, this.#request.tls!, null).then(
      ({ alpn }) => {
        this.#handshaking.delete(conn);
        if (this.#closed) closeQuietly(conn);
        else this.#deliver(new DenoAccepted(conn, connInfo(conn, alpn), false));
      },
      (error: unknown) => {
        this.#handshaking.delete(conn);
        if (this.#closed) return;
        this.#events.failed(error);
        this.#settle();
      },
    );
  }

  #deliver(accepted: DenoAccepted): void {
    this.#events.connection(accepted);
    this.#settle();
  }

  #settle(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/** An accepted conn waiting for a socket to claim it (Deno reads only when asked: nothing to pause). */
class DenoAccepted implements AcceptedConnection {
  readonly info: SocketInfo;
  readonly #conn: Deno.TcpConn | Deno.TlsConn;
  readonly #plainStarttls: boolean;

  constructor(conn: Deno.TcpConn | Deno.TlsConn, info: SocketInfo, plainStarttls: boolean) {
    this.#conn = conn;
    this.info = info;
    this.#plainStarttls = plainStarttls;
    try {
      if ("setNoDelay" in conn) conn.setNoDelay(true);
    } catch {
      // A client that reset its connection while it waited in the accept queue: setsockopt
      // fails (ENOTCONN). The conn is still delivered; its first read reports the reset.
    }
  }

  attach(events: TransportEvents): Transport {
    return new DenoTransport(this.#conn, events, this.info, { plainStarttls: this.#plainStarttls });
  }

  abort(): void {
    // Deno cannot send RST (no SO_LINGER): a close.
    closeQuietly(this.#conn);
  }
}
