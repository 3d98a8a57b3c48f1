/**
 * The UDP scenarios written once against `udp()` (WICG Direct Sockets message shape):
 * the same code measures `@sockets/*` and the floor. A connected socket sends
 * `datagrams` datagrams of `size` bytes to the peer-server's UDP echo, keeping
 * `ctx.window` in flight (a new one for each echo that comes back), and checks every
 * echo's size. One "datagram" in the metric is one sent plus its echo received.
 *
 * @module
 */

const noop = () => {};

/** Builds the UDP scenario table for one `udp()`. */
export function portableUdpScenarios(udp) {
  async function echo(ctx, size) {
    const socket = udp({ remoteAddress: ctx.host, remotePort: ctx.ports.udpEcho });
    socket.closed.catch(noop);
    await socket.opened;
    const writer = socket.writable.getWriter();
    const reader = socket.readable.getReader();
    const total = ctx.datagrams;
    // One buffer for every write, as native does: a write neither copies nor transfers it.
    const data = new Uint8Array(size).fill(0x75);
    let sent = 0;
    for (; sent < Math.min(ctx.window, total); sent++) writer.write(data).catch(noop);
    for (let received = 0; received < total; received++) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`The readable ended after ${received} datagrams`);
      if (value.data.byteLength !== size) throw new Error(`Echo of ${value.data.byteLength} bytes, sent ${size}`);
      if (sent < total) {
        sent++;
        writer.write(data).catch(noop);
      }
    }
    await socket.close();
    return total * size;
  }
  return {
    udp64: (ctx) => echo(ctx, 64),
    udp1400: (ctx) => echo(ctx, 1400),
  };
}
