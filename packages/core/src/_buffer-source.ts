/**
 * The bytes of a `BufferSource` (an `ArrayBuffer`, a `SharedArrayBuffer` or any
 * `ArrayBufferView`) as a `Uint8Array` over the same memory, for the TCP writable and for
 * UDP datagrams alike. A detached buffer (its memory transferred, e.g. by `postMessage`
 * or a BYOB read) reads as zero bytes; writing it would send nothing and resolve, so it is
 * refused here with a `SocketError` `EINVAL` instead.
 *
 * @module
 */
import { SocketError } from "./socket-error.js";

/** `ArrayBuffer.prototype.detached` where it exists (Node 22+, Deno, Bun); else a view over it throws. */
function isDetached(buffer: ArrayBufferLike): boolean {
  const detached = (buffer as { detached?: unknown }).detached;
  if (typeof detached === "boolean") return detached;
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

function detachedError(what: string): SocketError {
  return new SocketError(
    `Invalid ${what}: its ArrayBuffer is detached (its memory was transferred); expected bytes that are still readable`,
    {
      code: "EINVAL",
    },
  );
}

/**
 * A `Uint8Array` over the bytes of `value`, no copy; `null` when `value` is not a
 * `BufferSource`. Throws a `SocketError` `EINVAL` naming `what` for a detached buffer
 * (checked only when the length reads as zero: a hot path pays nothing).
 */
export function bufferSourceBytes(value: unknown, what: string): Uint8Array | null {
  if (value instanceof Uint8Array) {
    if (value.byteLength === 0 && isDetached(value.buffer)) throw detachedError(what);
    return value;
  }
  if (ArrayBuffer.isView(value)) {
    if (value.byteLength === 0 && isDetached(value.buffer)) throw detachedError(what);
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (value instanceof ArrayBuffer) {
    if (value.byteLength === 0 && isDetached(value)) throw detachedError(what);
    return new Uint8Array(value);
  }
  if (typeof SharedArrayBuffer === "function" && value instanceof SharedArrayBuffer) return new Uint8Array(value);
  return null;
}
