/**
 * The scenarios against Node's own socket API (`node:net`, `node:tls`), written the way a
 * careful Node programmer would: `'data'` events, `write()` + `'drain'`, callbacks rather
 * than a promise per message. This is the floor `@sockets/node` is measured against.
 *
 * - BYOB download uses `net.connect({ onread })`: libuv reads straight into one
 *   caller-supplied buffer, Node's own zero-allocation read path.
 * - TLS connects by IP and verifies against the certificate's IP SAN; the test CA is
 *   trusted through `NODE_EXTRA_CA_CERTS` (set by `main.mjs`).
 *
 * @module
 */
import * as net from "node:net";
import * as tls from "node:tls";

function dial(ctx, port, secure, extra) {
  return new Promise((resolve, reject) => {
    const options = { host: ctx.host, port, noDelay: true, ...extra };
    const socket = secure ? tls.connect(options) : net.connect(options);
    socket.once(secure ? "secureConnect" : "connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** Resolves on `'close'`, rejects on `'error'`. */
function closed(socket) {
  return new Promise((resolve, reject) => {
    socket.once("close", resolve);
    socket.once("error", reject);
  });
}

async function upload(ctx, port, secure) {
  const socket = await dial(ctx, port, secure, { allowHalfOpen: true });
  const done = closed(socket);
  const chunk = Buffer.alloc(ctx.chunk, 0x62);
  const total = ctx.bytes;
  let reply = "";
  socket.setEncoding("latin1");
  socket.on("data", (text) => (reply += text));
  socket.on("end", () => socket.end());
  let sent = 0;
  const pump = () => {
    while (sent < total) {
      sent += chunk.length;
      if (sent >= total) {
        socket.end(chunk);
        return;
      }
      if (!socket.write(chunk)) {
        socket.once("drain", pump);
        return;
      }
    }
  };
  pump();
  await done;
  if (Number(reply) !== total) throw new Error(`Sink counted ${JSON.stringify(reply)}, sent ${total}`);
  return total;
}

async function download(ctx, port, secure, byob) {
  let received = 0;
  const extra = byob
    ? { onread: { buffer: Buffer.alloc(ctx.chunk), callback: (n) => void (received += n) } }
    : undefined;
  const socket = await dial(ctx, port, secure, extra);
  const done = closed(socket);
  if (!byob) socket.on("data", (chunk) => (received += chunk.length));
  socket.write(`${ctx.bytes}\n`);
  await done;
  if (received !== ctx.bytes) throw new Error(`Received ${received} bytes, expected ${ctx.bytes}`);
  return received;
}

async function pingPong(ctx) {
  const socket = await dial(ctx, ctx.ports.echo, false);
  const message = Buffer.alloc(ctx.message, 0x63);
  const size = message.length;
  const rounds = ctx.rounds;
  await new Promise((resolve, reject) => {
    let round = 0;
    let got = 0;
    socket.on("error", reject);
    socket.on("data", (chunk) => {
      got += chunk.length;
      if (got < size) return;
      got -= size;
      if (++round === rounds) resolve();
      else socket.write(message);
    });
    socket.write(message);
  });
  const done = closed(socket);
  socket.end();
  await done;
  return rounds * size;
}

async function churn(ctx) {
  const one = Buffer.from([0x64]);
  for (let i = 0; i < ctx.connections; i++) {
    const socket = await dial(ctx, ctx.ports.echo, false);
    const done = closed(socket);
    socket.once("data", (chunk) => {
      if (chunk[0] !== 0x64) socket.destroy(new Error(`Echo returned ${chunk} on connection ${i}`));
      else socket.end();
    });
    socket.write(one);
    await done;
  }
  return ctx.connections;
}

async function idle(ctx) {
  const open = [];
  const one = () =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ host: ctx.host, port: ctx.ports.idle, noDelay: true });
      socket.once("error", reject);
      socket.once("data", (chunk) => {
        if (chunk.length !== 1) return reject(new Error(`Idle peer sent ${chunk}`));
        socket.on("data", () => {});
        open.push(socket);
        resolve();
      });
    });
  for (let i = 0; i < ctx.connections; i += ctx.batch) {
    const batch = [];
    for (let j = i; j < Math.min(ctx.connections, i + ctx.batch); j++) batch.push(one());
    await Promise.all(batch);
  }
  return {
    count: open.length,
    close: async () => {
      await Promise.all(
        open.map((socket) => {
          const done = closed(socket).catch(() => {});
          socket.end();
          return done;
        }),
      );
    },
  };
}

/** The scenario table for native Node. */
export const scenarios = {
  upload: (ctx) => upload(ctx, ctx.ports.sink, false),
  download: (ctx) => download(ctx, ctx.ports.source, false, false),
  downloadByob: (ctx) => download(ctx, ctx.ports.source, false, true),
  pingPong,
  churn,
  idle,
  tlsUpload: (ctx) => upload(ctx, ctx.ports.tlsSink, true),
  tlsDownload: (ctx) => download(ctx, ctx.ports.tlsSource, true, false),
};
