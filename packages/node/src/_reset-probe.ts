/**
 * Telling the peer's RST from its FIN when Node reports both as `'end'`.
 *
 * libuv (1.46.0 in Node 20.20) skips a read: when epoll reports POLLHUP together with
 * data and the read does not fill the buffer, it reports EOF at once instead of making
 * the next read, the one that would have failed with `ECONNRESET` (libuv/libuv#2319;
 * fixed upstream by libuv/libuv#4997, January 2026). A peer that sends data and then
 * resets while we are not reading — common, since our readable is pull-driven — is
 * therefore reported as a clean end, and a cut-off response looks complete. On Node 20
 * this is deterministic: data and an RST arriving while the socket is paused give `'end'`
 * every time (test/reset-probe.test.ts).
 *
 * The kernel still holds the pending error (`SO_ERROR`), and a write of zero bytes
 * returns it while sending nothing (Linux `tcp_sendmsg` checks `sk_err` first). After a
 * real FIN the same write succeeds. So at `'end'` we write zero bytes to the TCP socket
 * (under TLS: the `net.Socket` under the TLS layer, which puts nothing on the wire) and
 * report a reset when that write fails with `ECONNRESET`.
 *
 * After our own half-close the kernel answers `EPIPE` (or still `ECONNRESET` after a
 * reset), so the probe works then too, as long as Node lets us write: under TLS it
 * always does (the TLS layer shuts the TCP socket down beneath Node's stream), but on a
 * plain socket Node refuses any write after `end()` without asking the kernel. So after
 * our own half-close of a plain TCP socket, an RST that arrives together with the last
 * data still looks like a clean end on libuv 1.46 (reliability/findings, `reset-while-writing`).
 *
 * libuv 1.52 has the fix (Node 24.16+ and 26; Node 20 and 22 keep 1.46 and 1.51): it makes
 * the read that fails with `ECONNRESET` itself, so there the probe is not made at all
 * (test/reset-probe.test.ts shows both: the raw socket's `'end'` and our `ECONNRESET` with
 * the probe on old libuv, the raw socket's own `ECONNRESET` without it on new libuv).
 *
 * @module
 */
import type * as net from "node:net";

const EMPTY = new Uint8Array(0);

/**
 * Whether a libuv version (`process.versions.uv`) can report a reset as EOF: before 1.52.
 *
 * @example
 * ```ts
 * import { resetProbeNeeded } from "./_reset-probe.js";
 * resetProbeNeeded("1.51.0"); // true (Node 22)
 * resetProbeNeeded("1.52.1"); // false (Node 24.16+, 26)
 * ```
 */
export function resetProbeNeeded(uv: string): boolean {
  const [major = 0, minor = 0] = uv.split(".").map(Number);
  return major < 1 || (major === 1 && minor < 52);
}

/** This process's libuv needs the probe. */
const NEEDED = resetProbeNeeded(process.versions.uv ?? "0.0.0");

/**
 * Asks the kernel whether the connection under `raw` was reset. Calls `done` with the
 * reset error, or with `null` (a real FIN, or nothing to tell); returns `false`, without
 * calling `done`, when no probe is needed (libuv 1.52+ reports the reset itself) or none
 * can be made (the socket was shut down or destroyed).
 *
 * @example
 * ```ts
 * import * as net from "node:net";
 * import { probeReset } from "./_reset-probe.js";
 * const socket = net.connect({ host: "127.0.0.1", port: 7, allowHalfOpen: true });
 * socket.on("end", () => {
 *   const probing = probeReset(socket, (reset) => console.log(reset === null ? "FIN" : "RST"));
 *   if (!probing) console.log("FIN (cannot tell)");
 * });
 * ```
 */
export function probeReset(raw: net.Socket, done: (reset: Error | null) => void): boolean {
  if (!NEEDED || !raw.writable || raw.destroyed) return false;
  raw.write(EMPTY, (error?: Error | null) => {
    const code = (error as NodeJS.ErrnoException | null | undefined)?.code;
    done(code === "ECONNRESET" ? error! : null);
  });
  return true;
}
