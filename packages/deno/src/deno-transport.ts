/**
 * The Transport over a Deno conn (`Deno.TcpConn`, or the `Deno.TlsConn` after an upgrade).
 *
 * How Deno's conn differs from what core needs, and what this does about it:
 *
 * - **Reading to EOF through `conn.readable` closes the whole resource** (denoland/deno#22258,
 *   #27510): no writes after the peer's FIN. So `conn.readable` is never used; every read is a
 *   raw `conn.read(view)`, which leaves the conn writable after EOF (half-open works).
 * - **Pull, not push**: `pull(view)` does one `conn.read` into the reader's BYOB view (zero
 *   copy), or into a scratch buffer when there is no view; `pause()` has nothing to do.
 * - **Partial writes**: `conn.write` returns how much it took; `write()` loops until all of it
 *   is in the kernel (that wait is the backpressure core reports).
 * - **Half-close is `closeWrite()`** (FIN; close_notify + FIN on TLS). `conn.writable.close()`
 *   and `conn.readable.cancel()` would close both directions: never used.
 * - **`close()` is not idempotent** (a second call throws `BadResource`): guarded. A pending
 *   read then rejects with `Interrupted`, which is not reported (no event after close).
 * - **No RST**: Deno has no SO_LINGER/reset API, so `abort()` is the same `close()`.
 * - **`startTls` fails with `Busy` while a raw read is pending** (denoland/deno PR #16242; on
 *   2.9.6 releasing a `conn.readable` reader does not free the conn either, verified). A read
 *   cannot be cancelled without closing the conn, so when one is in flight the upgrade goes
 *   through a loopback relay that keeps using it (see `_relay.ts`).
 *
 * @module
 */
import {
  isServerTls,
  SocketError,
  type Cancellation,
  type ServerTlsRequest,
  type SocketInfo,
  type TlsRequest,
  type Transport,
  type TransportEvents,
} from "@sockets/core";
import { denoSocketError } from "./_errors.js";
import { closeQuietly, secureConn, type Secured } from "./_handshake.js";
import { connInfo } from "./_info.js";
import { relayedSecure, type PendingRead, type RelayHandle } from "./_relay.js";
import { serverStartTls } from "./_server-tls.js";

/**
 * Scratch memory for reads with no BYOB view starts at this size and grows (×4, up to
 * {@link MAX_SCRATCH_BYTES}) each time a read fills it. An idle connection keeps a read
 * pending into its scratch, so a fixed 64 KiB made every idle connection cost 64 KiB of
 * memory; request/response traffic rarely fills 4 KiB, bulk reads reach 64 KiB after two.
 */
const MIN_SCRATCH_BYTES = 4 * 1024;
const MAX_SCRATCH_BYTES = 64 * 1024;

/** Internal: one Deno conn as a core Transport. */
export class DenoTransport implements Transport {
  readonly info: SocketInfo;
  readonly #conn: Deno.TcpConn | Deno.TlsConn;
  /** `null` once closed, aborted, upgraded or failed: no event fires after that. */
  #events: TransportEvents | null;
  #released = false;
  #ended = false;
  /** Before a STARTTLS upgrade, reads go to our memory (see `pull`). */
  readonly #plainStarttls: boolean;
  #scratch: Uint8Array<ArrayBuffer> | null = null;
  #scratchBytes = MIN_SCRATCH_BYTES;
  /** The raw read in flight, if any (Deno cannot start TLS while it is pending). */
  #reading: PendingRead | null = null;
  /** The loopback relay under a TLS conn upgraded with a read pending (see `_relay.ts`). */
  readonly #relay: RelayHandle | null;

  constructor(
    conn: Deno.TcpConn | Deno.TlsConn,
    events: TransportEvents,
    info: SocketInfo,
    options: { readonly plainStarttls: boolean; readonly relay?: RelayHandle | undefined },
  ) {
    this.#conn = conn;
    this.#events = events;
    this.info = info;
    this.#plainStarttls = options.plainStarttls;
    this.#relay = options.relay ?? null;
  }

  pull(view: Uint8Array | null): Promise<void> | void {
    const events = this.#events;
    if (events === null || this.#ended || this.#reading !== null) return;
    // Before a STARTTLS upgrade a read may still be pending when the socket is handed
    // over; it must not write into a reader's buffer that core has given back, so the
    // (short, plain-text) pre-upgrade phase reads into our own memory and copies.
    const direct = view !== null && !this.#plainStarttls;
    const target = direct ? view : this.#scratchFor(view);
    const reading = this.#conn.read(target);
    this.#reading = { result: reading, buffer: target };
    return reading.then(
      (n) => {
        this.#reading = null;
        if (this.#events !== events) return;
        if (n === null) {
          this.#ended = true;
          events.end();
        } else if (direct) {
          events.data(view.subarray(0, n));
        } else if (view !== null) {
          view.set(target.subarray(0, n));
          events.data(view.subarray(0, n));
        } else {
          events.data(this.#takeScratch(n));
        }
      },
      (error: unknown) => {
        this.#reading = null;
        if (this.#events !== events) return;
        this.#events = null;
        events.error(denoSocketError(error, "io"));
      },
    );
  }

  pause(): void {
    // Pull mode: nothing is read unless core asks.
  }

  async write(bytes: Uint8Array): Promise<void> {
    const conn = this.#conn;
    const length = bytes.byteLength;
    try {
      let written = await conn.write(bytes);
      while (written < length) written += await conn.write(bytes.subarray(written));
    } catch (error) {
      throw denoSocketError(error, "io");
    }
  }

  async shutdown(): Promise<void> {
    try {
      await this.#conn.closeWrite();
    } catch (error) {
      throw denoSocketError(error, "io");
    }
  }

  close(): void {
    if (this.#release()) this.#relay?.close();
  }

  abort(): void {
    // Deno has no way to send RST (no SO_LINGER): an abort is a close.
    if (this.#release()) this.#relay?.abort();
  }

  async startTls(tls: TlsRequest | ServerTlsRequest, events: TransportEvents, cancel: Cancellation): Promise<Transport> {
    if (this.#released) throw new SocketError("The connection was closed before startTls()", { code: "ECLOSED" });
    const conn = this.#conn;
    if (!isTcp(conn)) throw new SocketError("startTls() needs a plain-text connection", { code: "EINVAL" });
    // The conn now belongs to the TLS layer: this transport goes quiet and never closes it.
    this.#events = null;
    this.#released = true;
    const pending = this.#reading;
    // An accepted socket performs the server's half, always through the loopback relay
    // (Deno has no server-side startTls: `_server-tls.ts`).
    const secured: Secured & { relay?: RelayHandle } = isServerTls(tls)
      ? await serverStartTls(conn, pending, tls, cancel)
      : pending === null
        ? await secureConn(conn, tls, cancel)
        : await relayedSecure(conn, pending, tls, cancel);
    // Addresses come from the original conn: a relayed TLS conn's own are the loopback's.
    const info = connInfo(conn, secured.alpn);
    return new DenoTransport(secured.conn, events, info, { plainStarttls: false, relay: secured.relay });
  }

  /** Closes the conn once; `true` the first time. */
  #release(): boolean {
    this.#events = null;
    if (this.#released) return false;
    this.#released = true;
    closeQuietly(this.#conn);
    return true;
  }

  #scratchFor(view: Uint8Array | null): Uint8Array<ArrayBuffer> {
    const scratch = (this.#scratch ??= new Uint8Array(this.#scratchBytes));
    return view !== null && view.byteLength < scratch.byteLength ? scratch.subarray(0, view.byteLength) : scratch;
  }

  /**
   * Reads up to half the scratch are copied out so the scratch is reused; larger ones take
   * it over (the next read gets a new one, larger if this read filled it).
   */
  #takeScratch(n: number): Uint8Array {
    const scratch = this.#scratch!;
    if (n <= scratch.byteLength / 2) return scratch.slice(0, n);
    this.#scratch = null;
    if (n === scratch.byteLength && n < MAX_SCRATCH_BYTES) this.#scratchBytes = Math.min(n * 4, MAX_SCRATCH_BYTES);
    return scratch.subarray(0, n);
  }
}

function isTcp(conn: Deno.TcpConn | Deno.TlsConn): conn is Deno.TcpConn {
  return typeof (conn as Deno.TcpConn).setNoDelay === "function";
}
