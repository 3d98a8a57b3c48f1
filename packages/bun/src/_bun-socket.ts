/**
 * The one handler table every native Bun socket of this package uses, and what it calls.
 *
 * Bun fixes a socket's handlers when it is dialled, accepted or upgraded (changing them
 * later is a native `reload()`), while the object that must hear its events changes with
 * its phase: the dial or handshake until it is usable (`_bun-opening.ts`), the listener's
 * accepted connection while it waits to be claimed (`_bun-accepted.ts`), then the open
 * {@link BunTransport}. So `socket.data` holds the current {@link BunOwner} and the shared
 * table calls it: a connection allocates no closures, and handing a socket to its next
 * owner is one assignment.
 *
 * @module
 */
import { formatAddress } from "@sockets/core";

/** A native Bun socket of this package: its `data` is its current owner. */
export type BunSocket = Bun.Socket<BunOwner | undefined>;

/**
 * Whoever owns a Bun socket now. The methods are the socket's events, called by
 * {@link bunHandlers} only.
 */
export interface BunOwner {
  onOpen(socket: BunSocket): void;
  onHandshake(socket: BunSocket, success: boolean, error: Error | null): void;
  onData(chunk: Uint8Array): void;
  onEnd(): void;
  onDrain(): void;
  onClose(error: Error | undefined): void;
  onError(error: Error): void;
}

/**
 * The handlers of every socket (dial with `data: owner`): each event goes to `socket.data`.
 *
 * @example
 * ```ts
 * import { bunHandlers, type BunOwner } from "./_bun-socket.js";
 * declare const owner: BunOwner;
 * await Bun.connect({ hostname: "127.0.0.1", port: 7, data: owner, socket: bunHandlers });
 * ```
 */
export const bunHandlers: Bun.SocketHandler<BunOwner | undefined> = {
  binaryType: "uint8array",
  open: (socket) => socket.data?.onOpen(socket),
  handshake: (socket, success, error) => socket.data?.onHandshake(socket, success, error),
  // binaryType "uint8array": `chunk` is a plain Uint8Array (the types assume "buffer").
  data: (socket, chunk: Uint8Array) => socket.data?.onData(chunk),
  end: (socket) => socket.data?.onEnd(),
  drain: (socket) => socket.data?.onDrain(),
  close: (socket, error) => socket.data?.onClose(error),
  error: (socket, error) => socket.data?.onError(error),
  connectError: (socket, error) => socket.data?.onError(error),
};

const noop = (): void => {};

/**
 * Handlers for a raw socket being upgraded: Bun keeps firing them with the TLS ciphertext
 * (a "raw tap", like oven-sh/bun#32239) and the raw close; they go nowhere.
 *
 * @example
 * ```ts
 * import { SILENT, type BunSocket } from "./_bun-socket.js";
 * declare const raw: BunSocket;
 * raw.reload({ socket: SILENT });
 * ```
 */
export const SILENT: Bun.SocketHandler<BunOwner | undefined> = { data: noop, drain: noop, end: noop, close: noop, error: noop };

/**
 * `chunk` if it owns its whole `ArrayBuffer` (core may transfer it), else a copy. With
 * `binaryType: "uint8array"` Bun gives every `data` event a fresh buffer of its own, so
 * nothing is copied on 1.4.5.
 *
 * @example
 * ```ts
 * import { ownedChunk } from "./_bun-socket.js";
 * ownedChunk(new Uint8Array(8).subarray(2)).byteOffset; // 0: a copy
 * ```
 */
export function ownedChunk(chunk: Uint8Array): Uint8Array {
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
}

/**
 * Where a connection goes: the dialled host and port (empty for an accepted socket),
 * whether it is TLS, and the addresses when they were read already.
 */
export interface BunPeer {
  readonly hostname: string;
  readonly port: number;
  readonly tls: boolean;
  /**
   * Read at accept (an accepted socket may close while it waits unclaimed), or carried
   * over by `startTls()`; a dialled socket reads its own when it opens (see {@link readAddresses}).
   */
  readonly addresses?: Addresses;
}

/**
 * What arrived while no transport owned the socket yet (opening, or waiting unclaimed in a
 * listener's queue): chunks, the peer's FIN, a close (with its error) that came meanwhile.
 */
export interface Waited {
  /** `null` when nothing came (most sockets: no array is made for them). */
  readonly queued: Uint8Array[] | null;
  readonly ended: boolean;
  readonly closed: { readonly error: Error | undefined } | null;
  /** The native socket is paused (an accepted socket): the first `pull()` resumes it. */
  readonly paused: boolean;
}

/** A connection's two addresses as `SocketInfo` spells them. */
export interface Addresses {
  readonly remoteAddress: string | null;
  readonly localAddress: string | null;
}

/**
 * Both addresses, read now. Bun forgets them once the socket closed: after a reset its
 * `close` handler already sees `undefined` for all four getters, so a `SocketInfo` first
 * read after the connection ended must not go to the socket (a lazy read gave
 * `localAddress: null` there; conformance `surface/socket-info-after-close`). Each getter
 * is one `getpeername`/`getsockname` (a few µs for the four). `hostname`/`port` (the
 * dialled ones) stand in for a remote address Bun does not report.
 *
 * @example
 * ```ts
 * import { readAddresses, type BunSocket } from "./_bun-socket.js";
 * declare const socket: BunSocket;
 * readAddresses(socket, "", 0).remoteAddress; // e.g. "127.0.0.1:51234"
 * ```
 */
export function readAddresses(socket: BunSocket, hostname: string, port: number): Addresses {
  return {
    remoteAddress: formatAddress(socket.remoteAddress, socket.remotePort || null) ?? formatAddress(hostname || null, port || null),
    localAddress: formatAddress(socket.localAddress, socket.localPort || null),
  };
}

/**
 * A native-style error with a code, for failures Bun reports without one.
 *
 * @example
 * ```ts
 * import { coded } from "./_bun-socket.js";
 * coded("The connection closed before it was established", "ECONNRESET");
 * ```
 */
export function coded(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}
