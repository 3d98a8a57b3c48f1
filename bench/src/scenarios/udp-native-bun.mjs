/**
 * The UDP scenarios on `Bun.udpSocket`: connected to the echo (`connect` option), the
 * `data` handler callback per datagram, `send()` of one reused `Uint8Array`. See
 * `udp-portable.mjs` for the scenario.
 *
 * @module
 */
/* global Bun */

async function echo(ctx, size) {
  const data = new Uint8Array(size).fill(0x75);
  const total = ctx.datagrams;
  let sent = 0;
  let received = 0;
  let finish;
  let fail;
  const finished = new Promise((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const socket = await Bun.udpSocket({
    binaryType: "uint8array",
    connect: { hostname: ctx.host, port: ctx.ports.udpEcho },
    socket: {
      data(s, message) {
        if (message.byteLength !== size) return fail(new Error(`Echo of ${message.byteLength} bytes, sent ${size}`));
        if (++received === total) return finish();
        if (sent < total) {
          sent++;
          s.send(data);
        }
      },
      error(_s, error) {
        fail(error);
      },
    },
  });
  for (; sent < Math.min(ctx.window, total); sent++) socket.send(data);
  await finished;
  socket.close();
  return total * size;
}

/** The UDP scenario table for native Bun. */
export const udpScenarios = { udp64: (ctx) => echo(ctx, 64), udp1400: (ctx) => echo(ctx, 1400) };
