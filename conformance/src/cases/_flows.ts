/**
 * Small flows several case files share: an echo round trip, reading a peer's report.
 * Web globals only.
 *
 * @module
 */
import type { Connect, Socket } from "@sockets/core";
import { bytesEqual } from "./assert.js";
import { ByteReader, bytes, dispose, readAll } from "./helpers.js";

/**
 * Writes `payload` and reads the same number of bytes back; checks they are equal.
 *
 * @example
 * ```ts
 * import { echoRoundTrip } from "./_flows.js";
 * declare const socket: import("@sockets/core").Socket;
 * await echoRoundTrip(socket, new TextEncoder().encode("ping"));
 * ```
 */
export async function echoRoundTrip(socket: Socket, payload: Uint8Array, what = "echo"): Promise<void> {
  const writer = socket.writable.getWriter();
  const reader = new ByteReader(socket.readable);
  try {
    const [, back] = await Promise.all([writer.write(payload), reader.exactly(payload.byteLength)]);
    bytesEqual(back, payload, what);
  } finally {
    writer.releaseLock();
    reader.reader.releaseLock();
  }
}

/**
 * Asks the `reportQuery` peer for the bytes `record`/`greetReport` connection `id` received.
 *
 * @example
 * ```ts
 * import { fetchReport } from "./_flows.js";
 * declare const connect: import("@sockets/core").Connect;
 * const received = await fetchReport(connect, "127.0.0.1:9000", "1");
 * ```
 */
export async function fetchReport(connect: Connect, reportQuery: string, id: string): Promise<Uint8Array> {
  const socket = connect(reportQuery);
  try {
    const writer = socket.writable.getWriter();
    await writer.write(bytes(`${id}\n`));
    writer.releaseLock();
    return await readAll(socket.readable);
  } finally {
    await dispose(socket);
  }
}
