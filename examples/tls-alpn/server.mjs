// A TLS server with ALPN on @sockets' listen({ secureTransport: "on" }): a socket is handed
// out only after its handshake succeeded, and `opened` says which protocol was negotiated.
// "http/1.1" gets a minimal HTTP response (try curl); "echo/1" gets an echo (try openssl).
//   node server.mjs [host:port]   |   deno run -A server.mjs [host:port]   |   bun server.mjs [host:port]
import { readFileSync } from "node:fs";
import { listen } from "@sockets/connect";

const certs = new URL("../certs/", import.meta.url);
const server = listen(process.argv[2] ?? "127.0.0.1:8443", {
  secureTransport: "on",
  allowHalfOpen: true,
  tls: {
    cert: readFileSync(new URL("server.pem", certs), "utf8"),
    key: readFileSync(new URL("server-key.pem", certs), "utf8"),
    alpn: ["http/1.1", "echo/1"],
  },
});
console.log(`TLS listening on ${(await server.opened).localAddress} (ALPN http/1.1, echo/1)`);
for await (const socket of server) handle(socket).catch((error) => console.error("connection failed:", error.message));

async function handle(socket) {
  const { alpn, remoteAddress } = await socket.opened;
  if (alpn === "echo/1") return socket.readable.pipeTo(socket.writable);
  // http/1.1 (or no ALPN): read the request head, answer, close.
  const reader = socket.readable.getReader();
  let head = "";
  const decoder = new TextDecoder();
  while (!head.includes("\r\n\r\n")) {
    const { done, value } = await reader.read();
    if (done) break;
    head += decoder.decode(value, { stream: true });
  }
  const body = `hello ${remoteAddress}, over TLS with ALPN ${alpn ?? "(none)"}\n`;
  const writer = socket.writable.getWriter();
  await writer.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
  await socket.close();
}
