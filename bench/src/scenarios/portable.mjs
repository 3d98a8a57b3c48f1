/**
 * The benchmark scenarios written once against the WinterTC `connect()` API, with web
 * globals only: the same code measures `@sockets/*` and `@arrowood.dev/socket` on every
 * runtime. `native-*.mjs` are the same scenarios against each runtime's own socket API.
 *
 * Every scenario takes `(ctx)` (see `client.mjs`) and returns the number of bytes it
 * moved; it throws if the peer's answer is wrong, so a broken implementation never
 * produces a fast number.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const noop = () => {};

/**
 * Builds the scenario table for one `connect()` implementation.
 *
 * @param {(address: {hostname: string, port: number}, options?: object) => any} connect
 */
export function portableScenarios(connect) {
  const address = (ctx, port) => ({ hostname: ctx.host, port });
  // The spec's default, spelled out: @arrowood.dev/socket defaults to `true`, and then its
  // readable (Node's `Duplex.toWeb`) never reports the peer's end while our side is still
  // open (Readable.toWeb waits for both halves: nodejs/node#46149), so a download hangs.
  const plain = { allowHalfOpen: false };
  const secure = { secureTransport: "on", allowHalfOpen: false };

  /** Reads to the end and returns the text (small replies only). */
  async function readText(readable) {
    const reader = readable.getReader();
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    reader.releaseLock();
    return text;
  }

  async function upload(ctx, port, options) {
    const socket = connect(address(ctx, port), options);
    socket.closed.catch(noop);
    const writer = socket.writable.getWriter();
    const chunk = new Uint8Array(ctx.chunk).fill(0x62);
    const total = ctx.bytes;
    for (let sent = 0; sent < total; sent += chunk.byteLength) {
      await writer.ready;
      writer.write(chunk).catch(noop);
    }
    await writer.close();
    const reply = await readText(socket.readable);
    if (Number(reply) !== total) throw new Error(`Sink counted ${JSON.stringify(reply)}, sent ${total}`);
    await socket.close();
    return total;
  }

  async function download(ctx, port, options, byob) {
    const socket = connect(address(ctx, port), options);
    socket.closed.catch(noop);
    const writer = socket.writable.getWriter();
    await writer.write(encoder.encode(`${ctx.bytes}\n`));
    writer.releaseLock();
    let received = 0;
    if (byob) {
      const reader = socket.readable.getReader({ mode: "byob" });
      let buffer = new ArrayBuffer(ctx.chunk);
      for (;;) {
        const { value, done } = await reader.read(new Uint8Array(buffer));
        if (done) break;
        received += value.byteLength;
        buffer = value.buffer;
      }
    } else {
      const reader = socket.readable.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        received += value.byteLength;
      }
    }
    if (received !== ctx.bytes) throw new Error(`Received ${received} bytes, expected ${ctx.bytes}`);
    await socket.close();
    return received;
  }

  async function pingPong(ctx) {
    const socket = connect(address(ctx, ctx.ports.echo), plain);
    socket.closed.catch(noop);
    const writer = socket.writable.getWriter();
    const reader = socket.readable.getReader();
    const message = new Uint8Array(ctx.message).fill(0x63);
    const size = message.byteLength;
    for (let round = 0; round < ctx.rounds; round++) {
      writer.write(message).catch(noop);
      let got = 0;
      while (got < size) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`Echo ended after ${round} rounds`);
        got += value.byteLength;
      }
    }
    await socket.close();
    return ctx.rounds * size;
  }

  async function churn(ctx) {
    const one = new Uint8Array([0x64]);
    for (let i = 0; i < ctx.connections; i++) {
      const socket = connect(address(ctx, ctx.ports.echo), plain);
      socket.closed.catch(noop);
      const writer = socket.writable.getWriter();
      const reader = socket.readable.getReader();
      writer.write(one).catch(noop);
      const { value } = await reader.read();
      if (value?.[0] !== 0x64) throw new Error(`Echo returned ${value} on connection ${i}`);
      await socket.close();
    }
    return ctx.connections;
  }

  /** Opens `ctx.connections` connections, each with its greeting read and a read pending. */
  async function idle(ctx) {
    const open = [];
    const pending = [];
    const one = async () => {
      const socket = connect(address(ctx, ctx.ports.idle), plain);
      socket.closed.catch(noop);
      const reader = socket.readable.getReader();
      const { value } = await reader.read();
      if (value?.byteLength !== 1) throw new Error(`Idle peer sent ${value}`);
      pending.push(reader.read().catch(() => {}));
      open.push(socket);
    };
    for (let i = 0; i < ctx.connections; i += ctx.batch) {
      const batch = [];
      for (let j = i; j < Math.min(ctx.connections, i + ctx.batch); j++) batch.push(one());
      await Promise.all(batch);
    }
    return {
      count: open.length,
      close: async () => {
        await Promise.all(open.map((socket) => socket.close().catch(() => {})));
      },
    };
  }

  return {
    upload: (ctx) => upload(ctx, ctx.ports.sink, plain),
    download: (ctx) => download(ctx, ctx.ports.source, plain, false),
    downloadByob: (ctx) => download(ctx, ctx.ports.source, plain, true),
    pingPong,
    churn,
    idle,
    tlsUpload: (ctx) => upload(ctx, ctx.ports.tlsSink, secure),
    tlsDownload: (ctx) => download(ctx, ctx.ports.tlsSource, secure, false),
  };
}
