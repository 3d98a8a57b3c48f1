/**
 * The UDP scenarios on `node:dgram`: a connected `udp4` socket, `'message'` events,
 * `send()` of one reused `Buffer` (dgram copies nothing it does not need to; no callback,
 * errors come as `'error'`). See `udp-portable.mjs` for the scenario.
 *
 * @module
 */
import * as dgram from "node:dgram";

async function echo(ctx, size) {
  const socket = dgram.createSocket("udp4");
  await new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.connect(ctx.ports.udpEcho, ctx.host, resolve);
  });
  const data = Buffer.alloc(size, 0x75);
  const total = ctx.datagrams;
  let sent = 0;
  let received = 0;
  await new Promise((resolve, reject) => {
    socket.on("error", reject);
    socket.on("message", (message) => {
      if (message.length !== size) return reject(new Error(`Echo of ${message.length} bytes, sent ${size}`));
      if (++received === total) return resolve();
      if (sent < total) {
        sent++;
        socket.send(data);
      }
    });
    for (; sent < Math.min(ctx.window, total); sent++) socket.send(data);
  });
  await new Promise((resolve) => socket.close(resolve));
  return total * size;
}

/** The UDP scenario table for native Node. */
export const udpScenarios = { udp64: (ctx) => echo(ctx, 64), udp1400: (ctx) => echo(ctx, 1400) };
