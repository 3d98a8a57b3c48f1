/**
 * The scenarios against Bun's own socket API (`Bun.connect` with handler callbacks),
 * written the way a careful Bun programmer would: handlers, partial `write()` results
 * retried on `drain`, `shutdown()` for the half-close. This is the floor `@sockets/bun` is
 * measured against.
 *
 * - Bun has no caller-supplied read buffer: every `data` event gets fresh memory. The
 *   BYOB download row therefore runs the same code as the default one on the native side.
 * - TLS connects by IP with `serverName: ""` (no IP literal as SNI) and verifies against
 *   the certificate's IP SAN; the test CA is trusted through `NODE_EXTRA_CA_CERTS`.
 *
 * @module
 */
/* global Bun */

/**
 * Connects with `handlers` (each gets `(socket, …args)`) and resolves with the socket once
 * it is usable (after the handshake for TLS). `close(socket, error)` also settles `done`.
 */
function dial(ctx, port, secure, handlers) {
  let resolveDone;
  let rejectDone;
  const done = new Promise((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const opened = new Promise((resolve, reject) => {
    const socket = {
      binaryType: "uint8array",
      data: handlers.data ?? (() => {}),
      drain: handlers.drain,
      end: handlers.end ?? ((s) => s.end()),
      close: (s, error) => (error ? rejectDone(error) : resolveDone()),
      error: (_s, error) => rejectDone(error),
      connectError: (_s, error) => reject(error),
    };
    if (secure) {
      socket.handshake = (s, success, error) => (success ? resolve(s) : reject(error));
    } else {
      socket.open = (s) => {
        s.setNoDelay(true);
        resolve(s);
      };
    }
    Bun.connect({
      hostname: ctx.host,
      port,
      socket,
      allowHalfOpen: true,
      tls: secure ? { serverName: "" } : undefined,
    }).catch(reject);
  });
  return { opened, done };
}

async function upload(ctx, port, secure) {
  const chunk = new Uint8Array(ctx.chunk).fill(0x62);
  const size = chunk.byteLength;
  const total = ctx.bytes;
  let sent = 0;
  let offset = 0;
  let reply = "";
  const decoder = new TextDecoder();
  const pump = (socket) => {
    while (sent < total) {
      const n = socket.write(chunk, offset, size - offset);
      if (n < 0) throw new Error("Write failed: the socket is closed");
      offset += n;
      if (offset < size) return; // full: wait for drain
      offset = 0;
      sent += size;
    }
    socket.shutdown();
  };
  const { opened, done } = dial(ctx, port, secure, {
    data: (_s, bytes) => (reply += decoder.decode(bytes, { stream: true })),
    drain: pump,
  });
  pump(await opened);
  await done;
  if (Number(reply) !== total) throw new Error(`Sink counted ${JSON.stringify(reply)}, sent ${total}`);
  return total;
}

async function download(ctx, port, secure) {
  let received = 0;
  const { opened, done } = dial(ctx, port, secure, {
    data: (_s, bytes) => void (received += bytes.byteLength),
  });
  const socket = await opened;
  socket.write(`${ctx.bytes}\n`);
  await done;
  if (received !== ctx.bytes) throw new Error(`Received ${received} bytes, expected ${ctx.bytes}`);
  return received;
}

async function pingPong(ctx) {
  const message = new Uint8Array(ctx.message).fill(0x63);
  const size = message.byteLength;
  const rounds = ctx.rounds;
  let round = 0;
  let got = 0;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  const { opened, done } = dial(ctx, ctx.ports.echo, false, {
    data: (socket, bytes) => {
      got += bytes.byteLength;
      if (got < size) return;
      got -= size;
      if (++round === rounds) finish();
      else socket.write(message);
    },
  });
  const socket = await opened;
  socket.write(message);
  await Promise.race([finished, done.then(() => Promise.reject(new Error(`Echo ended after ${round} rounds`)))]);
  socket.end();
  await done;
  return rounds * size;
}

async function churn(ctx) {
  const one = new Uint8Array([0x64]);
  for (let i = 0; i < ctx.connections; i++) {
    const { opened, done } = dial(ctx, ctx.ports.echo, false, {
      data: (socket, bytes) => {
        if (bytes[0] !== 0x64) throw new Error(`Echo returned ${bytes} on connection ${i}`);
        socket.end();
      },
    });
    const socket = await opened;
    socket.write(one);
    await done;
  }
  return ctx.connections;
}

async function idle(ctx) {
  const open = [];
  const greeted = new Set();
  const closes = [];
  const one = () =>
    new Promise((resolve, reject) => {
      const { opened, done } = dial(ctx, ctx.ports.idle, false, {
        data: (socket, bytes) => {
          if (greeted.has(socket)) return;
          if (bytes.byteLength !== 1) return reject(new Error(`Idle peer sent ${bytes}`));
          greeted.add(socket);
          open.push(socket);
          resolve();
        },
      });
      opened.catch(reject);
      closes.push(done.catch(() => {}));
    });
  for (let i = 0; i < ctx.connections; i += ctx.batch) {
    const batch = [];
    for (let j = i; j < Math.min(ctx.connections, i + ctx.batch); j++) batch.push(one());
    await Promise.all(batch);
  }
  return {
    count: open.length,
    close: async () => {
      for (const socket of open) socket.end();
      await Promise.all(closes);
    },
  };
}

/** The scenario table for native Bun. */
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
