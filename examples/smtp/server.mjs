// An SMTP server with STARTTLS on @sockets' listen(): the connection starts in plain text
// and `socket.startTls()` performs the server's TLS handshake when the client asks.
//   node server.mjs [host:port]   |   deno run -A server.mjs [host:port]   |   bun server.mjs [host:port]
import { readFileSync } from "node:fs";
import { listen } from "@sockets/connect";
import { smtpSession } from "./session.mjs";

const certs = new URL("../certs/", import.meta.url);
const address = process.argv[2] ?? "127.0.0.1:8587";
const server = listen(address, {
  secureTransport: "starttls",
  tls: { cert: readFileSync(new URL("server.pem", certs), "utf8"), key: readFileSync(new URL("server-key.pem", certs), "utf8") },
});
console.log(`SMTP (STARTTLS) listening on ${(await server.opened).localAddress}`);
for await (const socket of server) {
  smtpSession(socket, { startTls: true })
    .catch((error) => console.error("session failed:", error.message))
    .finally(() => socket.close());
}
