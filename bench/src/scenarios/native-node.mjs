/**
 * The scenarios against Node's own socket API (`node:net`, `node:tls`), written the way a
 * careful Node programmer who wants speed would: `write()` + `'drain'`, callbacks rather
 * than a promise per message. This is the baseline `@sockets/node` is measured against.
 *
 * - Plain TCP reads use `net.connect({ onread })` (download, BYOB download, ping-pong,
 *   churn, idle): libuv reads straight into one caller-supplied buffer and the callback
 *   runs synchronously, so one buffer serves every connection, with no `Buffer` and no
 *   `'data'` event per read. That is Node's fastest read path (measured: see README).
 * - TLS download keeps `'data'` events (the decrypted bytes come from the TLS layer).
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

/** One read buffer for every plain connection: `onread` callbacks run synchronously. */
const SHARED = Buffer.alloc(64 * 1024);

async function download(ctx, port, secure) {
  let received = 0;
  const extra = secure ? undefined : { onread: { buffer: SHARED, callback: (n) => void (received += n) } };
  const socket = await dial(ctx, port, secure, extra);
  const done = closed(socket);
  if (secure) socket.on("data", (chunk) => (received += chunk.length));
  socket.write(`${ctx.bytes}\n`);
  await done;
  if (received !== ctx.bytes) throw new Error(`Received ${received} bytes, expected ${ctx.bytes}`);
  return received;
}

async function pingPong(ctx) {
  const message = Buffer.alloc(ctx.message, 0x63);
  const size = message.length;
  const rounds = ctx.rounds;
  let round = 0;
  let got = 0;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  const onread = {
    buffer: SHARED,
    callback: (n) => {
      got += n;
      if (got < size) return;
      got -= size;
      if (++round === rounds) finish();
      else socket.write(message);
    },
  };
  const socket = await dial(ctx, ctx.ports.echo, false, { onread });
  const failed = new Promise((_resolve, reject) => socket.once("error", reject));
  socket.write(message);
  await Promise.race([finished, failed]);
  const done = closed(socket);
  socket.end();
  await done;
  return rounds * size;
}

async function churn(ctx) {
  const one = Buffer.from([0x64]);
  for (let i = 0; i < ctx.connections; i++) {
    const onread = {
      buffer: SHARED,
      callback: (n, buffer) => {
        if (n !== 1 || buffer[0] !== 0x64) socket.destroy(new Error(`Echo returned ${n} bytes on connection ${i}`));
        else socket.end();
      },
    };
    const socket = await dial(ctx, ctx.ports.echo, false, { onread });
    const done = closed(socket);
    socket.write(one);
    await done;
  }
  return ctx.connections;
}

async function idle(ctx) {
  const open = [];
  const one = () =>
    new Promise((resolve, reject) => {
      let greeted = false;
      const onread = {
        buffer: SHARED,
        callback: (n) => {
          if (greeted) return;
          greeted = true;
          if (n !== 1) return reject(new Error(`Idle peer sent ${n} bytes`));
          open.push(socket);
          resolve();
        },
      };
      const socket = net.connect({ host: ctx.host, port: ctx.ports.idle, noDelay: true, onread });
      socket.once("error", reject);
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
  download: (ctx) => download(ctx, ctx.ports.source, false),
  downloadByob: (ctx) => download(ctx, ctx.ports.source, false),
  pingPong,
  churn,
  idle,
  tlsUpload: (ctx) => upload(ctx, ctx.ports.tlsSink, true),
  tlsDownload: (ctx) => download(ctx, ctx.ports.tlsSource, true),
};
