/**
 * The server scenarios on Node's own server API (`net.createServer`): `'data'` → `write()`,
 * `pause()` when `write()` returns `false`, `resume()` on `'drain'` (what `pipe()` does,
 * without its machinery); Node's default `allowHalfOpen: false` ends our side at the
 * client's FIN. Accepted sockets have no `onread` (an option of `net.connect` only), so
 * `'data'` events are Node's fastest server read path.
 *
 * @module
 */
import * as net from "node:net";
import { drive, jobFor } from "./_drive.mjs";

function onConnection(socket) {
  const resume = () => socket.resume();
  socket.on("data", (chunk) => {
    if (!socket.write(chunk)) {
      socket.pause();
      socket.once("drain", resume);
    }
  });
  socket.on("error", () => socket.destroy());
}

async function serve(scenario, ctx) {
  const server = net.createServer({ noDelay: true }, onConnection);
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: ctx.host, port: 0 }, resolve);
  });
  try {
    return await drive(ctx, jobFor(scenario, ctx, server.address().port));
  } finally {
    server.close();
  }
}

/** The server scenario table for native Node. */
export const serverScenarios = {
  acceptChurn: (ctx) => serve("acceptChurn", ctx),
  echoServer: (ctx) => serve("echoServer", ctx),
};
