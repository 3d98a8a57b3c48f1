/**
 * The synchronous preconditions of `startTls()`, shared by every `Socket` implementation in
 * this project (core's own and `@sockets/connect`'s workerd wrapper), so the errors are the
 * same everywhere.
 *
 * @module
 */
import { SocketError } from "./socket-error.js";
import type { SecureTransportKind } from "./types.js";

/**
 * Throws the `SocketError` `startTls()` must throw synchronously: `EINVAL` unless the
 * socket was opened with `secureTransport: "starttls"` or when it was already upgraded,
 * `ECLOSED` when it is closed or failed.
 *
 * @example
 * ```ts
 * import { assertCanStartTls } from "@sockets/core";
 * assertCanStartTls({ secureTransport: "starttls", upgraded: false, closed: false }); // fine
 * assertCanStartTls({ secureTransport: "off", upgraded: false, closed: false }); // throws EINVAL
 * ```
 */
export function assertCanStartTls(state: {
  readonly secureTransport: SecureTransportKind;
  readonly upgraded: boolean;
  readonly closed: boolean;
}): void {
  if (state.secureTransport !== "starttls") {
    throw new SocketError(`startTls() needs a socket opened with secureTransport "starttls"; this one has "${state.secureTransport}"`, {
      code: "EINVAL",
    });
  }
  if (state.upgraded) throw new SocketError("startTls() was already called on this socket", { code: "EINVAL" });
  if (state.closed) throw new SocketError("startTls() was called on a closed socket", { code: "ECLOSED" });
}
