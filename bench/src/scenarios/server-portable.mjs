/**
 * The server scenarios written once against `listen()` (WICG Direct Sockets shape with
 * web streams): the same code measures `@sockets/*` and the floor. Each accepted socket
 * is echoed with a default reader and a writer (respecting `writer.ready`) until the
 * client's FIN, then closed; the driver in the peer-server process is the client.
 *
 * - `acceptChurn`: the driver opens connections one after another (1 byte, echo, close).
 * - `echoServer`: one connection, `bytes` echoed.
 *
 * @module
 */
import { drive, jobFor, portOf } from "./_drive.mjs";

const noop = () => {};

async function echo(socket) {
  socket.closed.catch(noop);
  const reader = socket.readable.getReader();
  const writer = socket.writable.getWriter();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    await writer.ready;
    writer.write(value).catch(noop);
  }
  await socket.close();
}

/** Builds the server scenario table for one `listen()`. */
export function portableServerScenarios(listen) {
  async function serve(scenario, ctx) {
    const server = listen({ hostname: ctx.host, port: 0 });
    const { localAddress } = await server.opened;
    const driving = drive(ctx, jobFor(scenario, ctx, portOf(localAddress)));
    const inFlight = new Set();
    let failure = null;
    const reader = server.readable.getReader();
    const accepting = (async () => {
      for (;;) {
        const { value: socket, done } = await reader.read();
        if (done) return;
        const handled = echo(socket).catch((error) => (failure ??= error));
        inFlight.add(handled);
        handled.then(() => inFlight.delete(handled));
      }
    })();
    let moved;
    try {
      moved = await driving;
    } finally {
      await server.close();
      await accepting;
      await Promise.all(inFlight);
    }
    if (failure !== null) throw failure;
    return moved;
  }
  return {
    acceptChurn: (ctx) => serve("acceptChurn", ctx),
    echoServer: (ctx) => serve("echoServer", ctx),
  };
}
