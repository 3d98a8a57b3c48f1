/**
 * The scenarios against Deno's own socket API (`Deno.connect`, `Deno.connectTls`), written
 * the way a careful Deno programmer would. This is the floor `@sockets/deno` is measured
 * against.
 *
 * - Every read is raw `conn.read()` into a buffer the caller owns and reuses (download,
 *   BYOB download, ping-pong, churn, idle): Deno's fastest read path. `conn.readable`
 *   (Deno's own byte stream) allocates a fresh 64 KiB chunk per read, so a pending read on
 *   an idle connection holds 64 KiB; an idle connection here keeps a 4 KiB buffer of its
 *   own for its pending read (a buffer cannot be shared by reads that are in flight together).
 * - Writes loop over partial `conn.write()` results; half-close is `closeWrite()`.
 * - TLS connects by IP and verifies against the certificate's IP SAN; the test CA is
 *   trusted through `DENO_CERT` (set by `main.mjs`).
 *
 * @module
 */
/* global Deno */

async function dial(ctx, port, secure) {
  if (secure) {
    const conn = await Deno.connectTls({ hostname: ctx.host, port });
    await conn.handshake();
    return conn;
  }
  const conn = await Deno.connect({ hostname: ctx.host, port });
  conn.setNoDelay(true);
  return conn;
}

async function writeAll(conn, bytes) {
  let offset = 0;
  while (offset < bytes.byteLength) {
    offset += await conn.write(offset === 0 ? bytes : bytes.subarray(offset));
  }
}

async function readText(conn) {
  const buffer = new Uint8Array(64);
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) return text;
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
}

async function upload(ctx, port, secure) {
  const conn = await dial(ctx, port, secure);
  const chunk = new Uint8Array(ctx.chunk).fill(0x62);
  const total = ctx.bytes;
  for (let sent = 0; sent < total; sent += chunk.byteLength) await writeAll(conn, chunk);
  await conn.closeWrite();
  const reply = await readText(conn);
  conn.close();
  if (Number(reply) !== total) throw new Error(`Sink counted ${JSON.stringify(reply)}, sent ${total}`);
  return total;
}

async function download(ctx, port, secure) {
  const conn = await dial(ctx, port, secure);
  await writeAll(conn, new TextEncoder().encode(`${ctx.bytes}\n`));
  let received = 0;
  const buffer = new Uint8Array(ctx.chunk);
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) break;
    received += n;
  }
  conn.close();
  if (received !== ctx.bytes) throw new Error(`Received ${received} bytes, expected ${ctx.bytes}`);
  return received;
}

async function pingPong(ctx) {
  const conn = await dial(ctx, ctx.ports.echo, false);
  const message = new Uint8Array(ctx.message).fill(0x63);
  const size = message.byteLength;
  const buffer = new Uint8Array(Math.max(size, 4096));
  for (let round = 0; round < ctx.rounds; round++) {
    await writeAll(conn, message);
    let got = 0;
    while (got < size) {
      const n = await conn.read(buffer);
      if (n === null) throw new Error(`Echo ended after ${round} rounds`);
      got += n;
    }
  }
  conn.close();
  return ctx.rounds * size;
}

async function churn(ctx) {
  const one = new Uint8Array([0x64]);
  const buffer = new Uint8Array(16);
  for (let i = 0; i < ctx.connections; i++) {
    const conn = await dial(ctx, ctx.ports.echo, false);
    await writeAll(conn, one);
    const n = await conn.read(buffer);
    if (n !== 1 || buffer[0] !== 0x64) throw new Error(`Echo returned ${n} bytes on connection ${i}`);
    conn.close();
  }
  return ctx.connections;
}

async function idle(ctx) {
  const open = [];
  const pending = [];
  const one = async () => {
    const conn = await dial(ctx, ctx.ports.idle, false);
    const buffer = new Uint8Array(4096);
    const n = await conn.read(buffer);
    if (n !== 1) throw new Error(`Idle peer sent ${n} bytes`);
    pending.push(conn.read(buffer).catch(() => {}));
    open.push(conn);
  };
  for (let i = 0; i < ctx.connections; i += ctx.batch) {
    const batch = [];
    for (let j = i; j < Math.min(ctx.connections, i + ctx.batch); j++) batch.push(one());
    await Promise.all(batch);
  }
  return {
    count: open.length,
    close: async () => {
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      await Promise.all(pending);
    },
  };
}

/** The scenario table for native Deno. */
export const scenarios = {
  upload: (ctx) => upload(ctx, ctx.ports.sink, false),
  download: (ctx) => download(ctx, ctx.ports.source, false),
  downloadByob: (ctx) => download(ctx, ctx.ports.source, false),
  pingPong,
  churn,
  idle,
  tlsUpload: (ctx) => upload(ctx, ctx.ports.tlsSink, true),
  tlsDownload: (ctx) => download(ctx, ctx.ports.tlsSource, true),
};
