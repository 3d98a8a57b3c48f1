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
 * - `driver`  the client side of the server scenarios: reads one JSON line
 *             `{ mode, port, connections, bytes, chunk }` and drives the measured process's
 *             server on `port` — `"churn"`: `connections` connections one after another,
 *             each sending one byte, checking its echo and closing; `"echo"`: one
 *             connection sending `bytes` in `chunk`-sized writes, reading the echo back,
 *             half-closing once every byte came back — then replies `"ok <n>\n"` (or
 *             `"error <message>\n"`) and closes.
 *
 * - `udpEcho` (UDP) sends every datagram back to its sender.
 *
 * Started with the TLS key and certificate paths as arguments; prints one JSON line with
 * the ports, then serves until stdin closes (the parent exited) or SIGTERM.
 *
 * @module
 */
import * as dgram from "node:dgram";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";

const SEND_CHUNK = Buffer.alloc(256 * 1024, 0x61);
const GREETING = Buffer.from("!");
const ECHO_BYTE = Buffer.from([0x64]);

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

/** Churn: one connection after another, one byte each way, closed by the driver. */
async function driveChurn(port, connections) {
  for (let i = 0; i < connections; i++) {
    await new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
      socket.once("error", reject);
      socket.once("data", (chunk) => {
        if (chunk.length !== 1 || chunk[0] !== 0x64)
          return socket.destroy(new Error(`Echo returned ${chunk.length} bytes on connection ${i}`));
        socket.end();
      });
      socket.once("close", (hadError) => (hadError ? null : resolve()));
      socket.write(ECHO_BYTE);
    });
  }
  return connections;
}

/** Echo throughput: `bytes` out and back over one connection. */
function driveEcho(port, bytes, chunkSize) {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(chunkSize, 0x65);
    const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
    let sent = 0;
    let received = 0;
    socket.once("error", reject);
    socket.on("data", (data) => {
      received += data.length;
      if (received === bytes) socket.end();
      else if (received > bytes) socket.destroy(new Error(`Echoed ${received} bytes, sent ${bytes}`));
    });
    socket.once("close", (hadError) => {
      if (hadError) return;
      if (received === bytes) resolve(received);
      else reject(new Error(`The server closed after echoing ${received} of ${bytes} bytes`));
    });
    const pump = () => {
      while (sent < bytes) {
        const part = bytes - sent >= chunk.length ? chunk : chunk.subarray(0, bytes - sent);
        sent += part.length;
        if (!socket.write(part)) return void socket.once("drain", pump);
      }
    };
    socket.once("connect", pump);
  });
}

/** @param {import("node:net").Socket} control */
function driver(control) {
  let line = "";
  control.setEncoding("utf8");
  control.on("error", () => control.destroy());
  control.on("data", (text) => {
    line += text;
    const newline = line.indexOf("\n");
    if (newline < 0) return;
    const job = JSON.parse(line.slice(0, newline));
    const run = job.mode === "churn" ? driveChurn(job.port, job.connections) : driveEcho(job.port, job.bytes, job.chunk);
    run.then(
      (n) => control.end(`ok ${n}\n`),
      (error) => control.end(`error ${String(error?.message ?? error).replace(/\n/g, " ")}\n`),
    );
  });
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
    driver: net.createServer(driver),
    tlsSink: tls.createServer({ ...secure, allowHalfOpen: true }, sink),
    tlsSource: tls.createServer(secure, source),
  };
  const ports = {};
  for (const [name, server] of Object.entries(servers)) {
    server.on("tlsClientError", (_error, socket) => socket.destroy());
    ports[name] = await listen(server);
  }
  const udpEcho = dgram.createSocket("udp4");
  udpEcho.on("message", (message, peer) => udpEcho.send(message, peer.port, peer.address));
  udpEcho.on("error", () => {});
  ports.udpEcho = await new Promise((resolve) => udpEcho.bind(0, "127.0.0.1", () => resolve(udpEcho.address().port)));
  process.stdout.write(`${JSON.stringify({ ready: true, ports })}\n`);
  const stop = () => process.exit(0);
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.resume();
  process.on("SIGTERM", stop);
}

await main();
