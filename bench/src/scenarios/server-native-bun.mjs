/**
 * The server scenarios on Bun's own server API (`Bun.listen` with handler callbacks):
 * `data` writes the bytes back; what a partial `write()` leaves waits in `socket.data`,
 * the socket `pause()`d until `drain` has written it; `end` ends our side.
 *
 * @module
 */
/* global Bun */
import { drive, jobFor } from "./_drive.mjs";

function concat(a, b) {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

const handlers = {
  binaryType: "uint8array",
  open(socket) {
    socket.setNoDelay(true);
    socket.data = null;
  },
  data(socket, bytes) {
    if (socket.data !== null) return void (socket.data = concat(socket.data, bytes));
    const n = socket.write(bytes);
    if (n < bytes.byteLength) {
      socket.data = bytes.subarray(Math.max(n, 0));
      socket.pause();
    }
  },
  drain(socket) {
    const rest = socket.data;
    if (rest === null) return;
    const n = socket.write(rest);
    if (n < rest.byteLength) socket.data = rest.subarray(Math.max(n, 0));
    else {
      socket.data = null;
      socket.resume();
    }
  },
  end(socket) {
    socket.end();
  },
  error() {},
};

async function serve(scenario, ctx) {
  const server = Bun.listen({ hostname: ctx.host, port: 0, socket: handlers });
  try {
    return await drive(ctx, jobFor(scenario, ctx, server.port));
  } finally {
    server.stop();
  }
}

/** The server scenario table for native Bun. */
export const serverScenarios = {
  acceptChurn: (ctx) => serve("acceptChurn", ctx),
  echoServer: (ctx) => serve("echoServer", ctx),
};
