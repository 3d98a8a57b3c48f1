/**
 * The UDP scenarios on `Deno.listenDatagram` (needs `--unstable-net`): bound to an
 * ephemeral port, `receive()` into one reused 64 KiB buffer, `send()` of one reused
 * `Uint8Array` to the echo's address, not awaited one by one (each send's promise is
 * still checked). See `udp-portable.mjs` for the scenario.
 *
 * @module
 */
/* global Deno */

async function echo(ctx, size) {
  const conn = Deno.listenDatagram({ transport: "udp", hostname: ctx.host, port: 0 });
  const target = { transport: "udp", hostname: ctx.host, port: ctx.ports.udpEcho };
  const data = new Uint8Array(size).fill(0x75);
  const buffer = new Uint8Array(65536);
  const total = ctx.datagrams;
  let failure = null;
  const fail = (error) => (failure ??= error);
  let sent = 0;
  for (; sent < Math.min(ctx.window, total); sent++) conn.send(data, target).catch(fail);
  for (let received = 0; received < total; received++) {
    const [message] = await conn.receive(buffer);
    if (failure !== null) throw failure;
    if (message.byteLength !== size) throw new Error(`Echo of ${message.byteLength} bytes, sent ${size}`);
    if (sent < total) {
      sent++;
      conn.send(data, target).catch(fail);
    }
  }
  conn.close();
  return total * size;
}

/** The UDP scenario table for native Deno. */
export const udpScenarios = { udp64: (ctx) => echo(ctx, 64), udp1400: (ctx) => echo(ctx, 1400) };
