/**
 * The server scenarios on Deno's own server API (`Deno.listen`): one `accept()` after
 * another, each connection echoed by raw `conn.read()` into a buffer of its own (4 KiB
 * for churn, 64 KiB for echo throughput) and `conn.write()` loops, closed at EOF.
 *
 * @module
 */
/* global Deno */
import { drive, jobFor } from "./_drive.mjs";

async function echo(conn, size) {
  conn.setNoDelay(true);
  const buffer = new Uint8Array(size);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      let offset = await conn.write(n === size ? buffer : buffer.subarray(0, n));
      while (offset < n) offset += await conn.write(buffer.subarray(offset, n));
    }
  } finally {
    conn.close();
  }
}

async function serve(scenario, ctx) {
  const listener = Deno.listen({ hostname: ctx.host, port: 0 });
  const size = scenario === "acceptChurn" ? 4096 : ctx.chunk;
  const handled = new Set();
  let failure = null;
  const accepting = (async () => {
    for (;;) {
      let conn;
      try {
        conn = await listener.accept();
      } catch {
        return; // the listener was closed
      }
      const one = echo(conn, size).catch((error) => (failure ??= error));
      handled.add(one);
      one.then(() => handled.delete(one));
    }
  })();
  let moved;
  try {
    moved = await drive(ctx, jobFor(scenario, ctx, listener.addr.port));
  } finally {
    listener.close();
    await accepting;
    await Promise.all(handled);
  }
  if (failure !== null) throw failure;
  return moved;
}

/** The server scenario table for native Deno. */
export const serverScenarios = {
  acceptChurn: (ctx) => serve("acceptChurn", ctx),
  echoServer: (ctx) => serve("echoServer", ctx),
};
