/**
 * The Socket Worker the `socket-worker` cases hand their handlers to. Portable: the same
 * hub runs behind the module's `serve()` (Node, Deno, Bun) and behind workerd's own
 * inbound socket (the runner worker's `connect` handler). The hub follows workerd's
 * contract on both: the handler's promise is the connection's life, and a handler that
 * throws fails its connection (the error is rethrown to the platform after it is noted).
 *
 * @module
 */
import type { Socket } from "@sockets/core";
import type { InboundRecord, InboundServer } from "../cases/types.js";

type Handler = (socket: Socket, note: (value: unknown) => void) => Promise<void> | void;

/**
 * Routes inbound connections to the handler the running case set.
 *
 * @example
 * ```ts
 * import { InboundHub } from "./inbound.js";
 * const hub = new InboundHub();
 * hub.address = "127.0.0.1:8025";
 * export default { connect: (socket: import("@sockets/core").Socket) => hub.connect(socket) };
 * ```
 */
export class InboundHub implements InboundServer {
  address = "";
  #handler: Handler | null = null;
  #record: InboundRecord | null = null;

  handle(handler: Handler): InboundRecord {
    const record: InboundRecord = { calls: 0, settled: 0, notes: [], errors: [] };
    this.#handler = handler;
    this.#record = record;
    return record;
  }

  /** A `connect(socket)` handler: the current case's handler, or an immediate close. */
  async connect(socket: Socket): Promise<void> {
    const handler = this.#handler;
    const record = this.#record;
    if (handler === null || record === null) {
      await socket.close();
      return;
    }
    record.calls++;
    try {
      await handler(socket, (value) => void record.notes.push(value));
    } catch (error) {
      const e = error as { name?: unknown; message?: unknown; code?: unknown };
      record.errors.push({
        name: String(e?.name ?? typeof error),
        message: String(e?.message ?? error),
        ...(typeof e?.code === "string" ? { code: e.code } : {}),
      });
      throw error;
    } finally {
      record.settled++;
    }
  }
}
