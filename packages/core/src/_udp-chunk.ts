/**
 * What a write to a `UDPSocket`'s writable may be, checked before anything is sent: a
 * `UDPMessageInit` (`{ data, remoteAddress?, remotePort? }`) or, in connected mode, a bare
 * `BufferSource`. Connected mode: a write must not name a peer. Bound mode: it must name
 * one (`remoteAddress` + `remotePort`). A bad chunk is a `SocketError` `EINVAL`.
 *
 * @module
 */
import { bufferSourceBytes } from "./_buffer-source.js";
import { describe } from "./address.js";
import { SocketError } from "./socket-error.js";
import { udpHost } from "./udp-options.js";

/** One datagram to send: `host` is an IP literal or a hostname still to resolve (bound mode), or `null` (connected mode). */
export interface _Datagram {
  readonly data: Uint8Array;
  readonly host: string | null;
  readonly port: number | null;
}

const BAD_CHUNK = "a { data, remoteAddress, remotePort } message or (connected mode) an ArrayBuffer or ArrayBufferView";

function invalid(message: string): SocketError {
  return new SocketError(message, { code: "EINVAL" });
}

/**
 * Reads one chunk. `last` memoises the previous bound-mode peer so a server replying to
 * the same few peers validates each address once, not on every write.
 */
export function datagramOf(chunk: unknown, connected: boolean, last: { address: unknown; host: string }): _Datagram {
  const bare = bufferSourceBytes(chunk, "write");
  if (bare !== null) {
    if (connected) return { data: bare, host: null, port: null };
    throw invalid(
      "Invalid write: a bare ArrayBuffer/ArrayBufferView names no peer; in bound mode write { data, remoteAddress, remotePort }",
    );
  }
  if (typeof chunk !== "object" || chunk === null) throw invalid(`Invalid write ${describe(chunk)}: expected ${BAD_CHUNK}`);
  const message = chunk as { data?: unknown; remoteAddress?: unknown; remotePort?: unknown };
  const data = bufferSourceBytes(message.data, "write: data");
  if (data === null) {
    throw invalid(`Invalid write: data ${describe(message.data)} is not an ArrayBuffer or ArrayBufferView; expected ${BAD_CHUNK}`);
  }
  const { remoteAddress, remotePort } = message;
  if (connected) {
    if (remoteAddress !== undefined || remotePort !== undefined) {
      throw invalid(
        `Invalid write: remoteAddress ${describe(remoteAddress)} / remotePort ${describe(remotePort)} in connected mode; expected a message without a peer (the socket has one)`,
      );
    }
    return { data, host: null, port: null };
  }
  if (typeof remotePort !== "number" || !Number.isInteger(remotePort) || remotePort < 1 || remotePort > 65535) {
    throw invalid(
      `Invalid write: remotePort ${describe(remotePort)}; expected an integer from 1 to 65535 (bound mode names the peer of each write)`,
    );
  }
  let host: string;
  if (remoteAddress === last.address) {
    host = last.host;
  } else {
    try {
      host = udpHost("remoteAddress", remoteAddress);
    } catch (error) {
      throw invalid(
        `Invalid write: ${(error as Error).message.replace(/^SocketError: Invalid option /, "")} (bound mode names the peer of each write)`,
      );
    }
    last.address = remoteAddress;
    last.host = host;
  }
  return { data, host, port: remotePort };
}
