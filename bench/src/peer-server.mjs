/**
 * The peer servers every client talks to, in their own Node process (pinned to a core of
 * its own by `main.mjs`), so the server never competes with the client being measured.
 *
 * Protocols (plain TCP, and the same `sink`/`source` over TLS):
 * - `sink`    counts the bytes it receives until the client's FIN, then replies with the
 *             count in decimal and closes.
 * - `source`  reads one line `"<n>\n"`, sends n bytes (from one preallocated buffer,
 *             respecting backpressure), then closes.
 * - `echo`    sends every byte back (`TCP_NODELAY`); ends when the client ends.
 * - `idle`    sends a one-byte greeting and then holds the connection open until the client
 *             closes it.
 *
 * Started with the TLS key and certificate paths as arguments; prints one JSON line with
 * the ports, then serves until stdin closes (the parent exited) or SIGTERM.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";

const SEND_CHUNK = Buffer.alloc(256 * 1024, 0x61);
const GREETING = Buffer.from("!");

/** @param {import("node:net").Socket} socket */
function sink(socket) {
  socket.setNoDelay(true);
  let count = 0;
  socket.on("data", (chunk) => (count += chunk.length));
  socket.on("end", () => socket.end(String(count)));
  socket.on("error", () => socket.destroy());
}

/** @param {import("node:net").Socket} socket */
function source(socket) {
  socket.setNoDelay(true);
  let line = "";
  const onData = (chunk) => {
    line += chunk.toString("latin1");
    const newline = line.indexOf("\n");
    if (newline < 0) return;
    socket.off("data", onData);
    let left = Number(line.slice(0, newline));
    const pump = () => {
      while (left > 0) {
        const part = left >= SEND_CHUNK.length ? SEND_CHUNK : SEND_CHUNK.subarray(0, left);
        left -= part.length;
        if (left === 0) {
          socket.end(part);
          return;
        }
        if (!socket.write(part)) {
          socket.once("drain", pump);
          return;
        }
      }
    };
    pump();
    // Discard anything more the client sends, so its FIN is seen.
    socket.resume();
  };
  socket.on("data", onData);
  socket.on("error", () => socket.destroy());
}

/** @param {import("node:net").Socket} socket */
function echo(socket) {
  socket.setNoDelay(true);
  socket.on("data", (chunk) => socket.write(chunk));
  socket.on("error", () => socket.destroy());
}

/** @param {import("node:net").Socket} socket */
function idle(socket) {
  socket.write(GREETING);
  socket.on("data", () => {});
  socket.on("error", () => socket.destroy());
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, backlog: 4096 }, () => resolve(server.address().port));
  });
}

async function main() {
  const [keyFile, certFile] = process.argv.slice(2);
  const secure = { key: readFileSync(keyFile), cert: readFileSync(certFile) };
  const servers = {
    sink: net.createServer({ allowHalfOpen: true }, sink),
    source: net.createServer(source),
    echo: net.createServer(echo),
    idle: net.createServer(idle),
    tlsSink: tls.createServer({ ...secure, allowHalfOpen: true }, sink),
    tlsSource: tls.createServer(secure, source),
  };
  const ports = {};
  for (const [name, server] of Object.entries(servers)) {
    server.on("tlsClientError", (_error, socket) => socket.destroy());
    ports[name] = await listen(server);
  }
  process.stdout.write(`${JSON.stringify({ ready: true, ports })}\n`);
  const stop = () => process.exit(0);
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.resume();
  process.on("SIGTERM", stop);
}

await main();
