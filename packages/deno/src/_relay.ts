/**
 * STARTTLS while a read is pending: Deno's one real obstacle, and the workaround.
 *
 * `Deno.startTls(conn)` needs sole ownership of the TCP resource. A raw `conn.read()` in
 * flight holds it, so the upgrade fails with `Busy` "TCP stream is currently in use" and
 * leaves the conn unusable (denoland/deno PR #16242 made this an error instead of a hang).
 * Releasing a `conn.readable` reader or aborting a `pipeTo` does not free it either on
 * 2.9.6 (verified), and there is no way to cancel a read without closing the conn. This
 * happens whenever the application still has a `read()` outstanding when it calls
 * `startTls()` — a normal pattern (pg-cloudflare's read loop, for instance) — and the
 * peer will not send a byte before our ClientHello, so waiting for the read would hang.
 *
 * So in that case TLS runs over a loopback pair: `Deno.listen` on 127.0.0.1:0, connect to
 * it, `Deno.startTls` the connecting end, and pump bytes between the accepted end and the
 * original conn — starting with the very read that was pending. Costs: one loopback hop
 * per chunk for the rest of the connection, `--allow-net` must cover 127.0.0.1, and a
 * reset by the peer reaches the TLS conn as an unexpected EOF. The direct path (no read
 * in flight) is used whenever possible.
 *
 * @module
 */
import type { Cancellation, TlsRequest } from "@sockets/core";
import { SocketError } from "@sockets/core";
import { closeQuietly, secureConn, type Secured } from "./_handshake.js";

/** The read that was in flight on the plain conn, and the memory it reads into. */
export interface PendingRead {
  readonly result: Promise<number | null>;
  readonly buffer: Uint8Array;
}

/** Ends a relay: `close()` once what the TLS conn wrote has been forwarded, `abort()` at once. */
export interface RelayHandle {
  close(): void;
  abort(): void;
}

/** A TLS conn over the relay. */
export interface Relayed extends Secured {
  readonly relay: RelayHandle;
}

const CHUNK = 64 * 1024;

async function loopbackPair(): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, transport: "tcp" });
  try {
    const inner = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    // Only our own connection may become the relay end (another local process could race us).
    for (;;) {
      const accepted = await listener.accept();
      if (accepted.remoteAddr.port === inner.localAddr.port) return [inner, accepted];
      closeQuietly(accepted);
    }
  } finally {
    listener.close();
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.byteLength) written += await conn.write(written === 0 ? bytes : bytes.subarray(written));
}

/**
 * Pumps bytes between `outer` (the connection to the peer, with `pending` in flight, or
 * `null`) and `end` (our side of a loopback pair), both ways, until both directions ended
 * or one failed. `dropEarly`: a pending read's bytes that arrive before anything was sent
 * up are plain text from before the upgrade and are dropped (the client side, which speaks
 * first in TLS); the server side forwards them (they are the client's `ClientHello`).
 *
 * @example
 * ```ts
 * import { pump } from "./_relay.js";
 * declare const outer: Deno.TcpConn, end: Deno.TcpConn;
 * const relay = pump(outer, null, end, false);
 * relay.close(); // once what `end` wrote has been forwarded
 * ```
 */
export function pump(outer: Deno.TcpConn, pending: PendingRead | null, end: Deno.Conn, dropEarly: boolean): RelayHandle {
  let done = false;
  const abort = (): void => {
    if (done) return;
    done = true;
    closeQuietly(end);
    closeQuietly(outer);
  };
  let sent = false;
  // Up: TLS records from our end to the peer.
  const up = (async () => {
    const buffer = new Uint8Array(CHUNK);
    for (let n = await end.read(buffer); n !== null; n = await end.read(buffer)) {
      sent = true;
      await writeAll(outer, buffer.subarray(0, n));
    }
    await outer.closeWrite();
  })();
  // Down: the peer's bytes to our end, starting with the read that was pending.
  const down = (async () => {
    let n: number | null = 0;
    if (pending !== null) {
      n = await pending.result;
      if (n !== null && (sent || !dropEarly)) await writeAll(end, pending.buffer.subarray(0, n));
    }
    const buffer = new Uint8Array(CHUNK);
    while (n !== null) {
      n = await outer.read(buffer);
      if (n !== null) await writeAll(end, buffer.subarray(0, n));
    }
    await end.closeWrite();
  })();
  // When either direction fails, or both have ended, the relay is done.
  Promise.all([up, down]).then(abort, abort);
  // A graceful close waits until our end's last bytes (and close_notify) went out.
  return { close: () => void up.then(abort, abort), abort };
}

/**
 * Upgrades `outer` (which has `pending` in flight) through a loopback relay.
 *
 * @example
 * ```ts
 * import { Cancellation } from "@sockets/core";
 * import { relayedSecure } from "./_relay.js";
 * const tcp = await Deno.connect({ hostname: "127.0.0.1", port: 5432 });
 * const buffer = new Uint8Array(1024);
 * const pending = { result: tcp.read(buffer), buffer };
 * const { conn, relay } = await relayedSecure(tcp, pending, { verifyName: "localhost", serverName: "localhost", alpn: [], caCerts: [] }, new Cancellation());
 * conn.close();
 * relay.close();
 * ```
 */
export async function relayedSecure(outer: Deno.TcpConn, pending: PendingRead, tls: TlsRequest, cancel: Cancellation): Promise<Relayed> {
  let pair: [Deno.TcpConn, Deno.TcpConn];
  try {
    pair = await loopbackPair();
  } catch (error) {
    closeQuietly(outer);
    throw new SocketError(
      "startTls() was called while a read was pending, and Deno cannot upgrade a connection with a read in flight; " +
        "the loopback relay that works around it needs --allow-net for 127.0.0.1",
      { code: "EINVAL", cause: error },
    );
  }
  const [inner, end] = pair;
  inner.setNoDelay(true);
  end.setNoDelay(true);
  const relay = pump(outer, pending, end, true);
  try {
    const secured = await secureConn(inner, tls, cancel);
    return { ...secured, relay };
  } catch (error) {
    relay.abort();
    throw error;
  }
}
