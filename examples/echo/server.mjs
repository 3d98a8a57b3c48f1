// An echo server on @sockets' listen(): every accepted connection is the same Socket a
// client gets from connect(); its readable is piped back into its writable.
//   node server.mjs [host:port]   |   deno run -A server.mjs [host:port]   |   bun server.mjs [host:port]
import { listen } from "@sockets/connect";

// allowHalfOpen: the client's FIN ends our readable only; pipeTo then closes our side
// after the last echoed byte (with false, our writable would close at the FIN itself).
const server = listen(process.argv[2] ?? "127.0.0.1:7007", { allowHalfOpen: true });
console.log(`echo listening on ${(await server.opened).localAddress}`);
for await (const socket of server) {
  // Ends when the client half-closes (our FIN follows) or goes away.
  socket.readable.pipeTo(socket.writable).catch(() => socket.close());
}
