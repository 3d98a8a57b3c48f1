/**
 * A socket that failed before it was dialled (its `signal` was already aborted): the same
 * shape core returns in that case, so the workerd branch never touches the network for it.
 * `opened` and `closed` reject with the one error, both streams are errored with it.
 *
 * @module
 */
import { assertCanStartTls, type SocketError, type SecureTransportKind, type Socket, type SocketInfo } from "@sockets/core";

const noop = (): void => {};

/**
 * A `Socket` that has already failed with `error`.
 *
 * @example
 * ```ts
 * import { SocketError } from "@sockets/core";
 * import { failedSocket } from "./_failed-socket.js";
 * const socket = failedSocket(new SocketError("aborted", { code: "EABORTED" }), "off");
 * await socket.opened.catch((error: unknown) => console.log(error));
 * ```
 */
export function failedSocket(error: SocketError, secureTransport: SecureTransportKind): Socket {
  const opened = Promise.reject<SocketInfo>(error);
  const closed = Promise.reject<void>(error);
  opened.catch(noop);
  closed.catch(noop);
  return {
    readable: new ReadableStream<Uint8Array>({ type: "bytes", start: (controller) => controller.error(error) }),
    writable: new WritableStream({ start: (controller) => controller.error(error) }),
    opened,
    closed,
    upgraded: false,
    secureTransport,
    close: () => closed,
    startTls(): Socket {
      // `closed: true`: the guard always throws here (EINVAL unless "starttls", else ECLOSED).
      assertCanStartTls({ secureTransport, upgraded: false, closed: true });
      throw error;
    },
  };
}
