/**
 * Test plumbing for `listen()`: listeners, accepted sockets and independent `node:net` /
 * `node:tls` clients that are always closed after each test, and small readers.
 */
import { once } from "node:events";
import * as net from "node:net";
import * as tls from "node:tls";
import { afterEach } from "vitest";
import type { Listener, Socket } from "@sockets/core";

/** Everything a test opened; all of it is closed (at once) after each test. */
export class Tracked {
  readonly #listeners = new Set<Listener>();
  readonly #sockets = new Set<Socket>();
  readonly #clients = new Set<net.Socket>();

  constructor() {
    afterEach(async () => {
      for (const client of this.#clients) client.destroy();
      this.#clients.clear();
      for (const socket of this.#sockets) await socket.close(new Error("test over")).catch(() => {});
      this.#sockets.clear();
      for (const listener of this.#listeners) await listener.close().catch(() => {});
      this.#listeners.clear();
    });
  }

  listener<T extends Listener>(listener: T): T {
    this.#listeners.add(listener);
    return listener;
  }

  socket(socket: Socket): Socket {
    this.#sockets.add(socket);
    return socket;
  }

  client<T extends net.Socket>(client: T): T {
    this.#clients.add(client);
    client.on("error", () => {}); // outcomes are asserted through `outcome()`
    return client;
  }

  /** A plain `node:net` client, connected. */
  async dial(port: number, host = "127.0.0.1"): Promise<net.Socket> {
    const client = this.client(net.connect({ host, port, allowHalfOpen: true }));
    await once(client, "connect");
    return client;
  }

  /** A `node:tls` client; resolves once its handshake is done (rejects when it fails). */
  async dialTls(port: number, options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
    const client = this.client(tls.connect({ host: "127.0.0.1", port, servername: "localhost", ...options }));
    await once(client, "secureConnect");
    return client;
  }
}

/**
 * What a `node:net` socket saw until `'close'`: its error, whether it got a FIN, its bytes.
 * A half-open client ends its side too once the peer's FIN came, so it does close.
 */
export function outcome(socket: net.Socket): Promise<{ error: NodeJS.ErrnoException | null; ended: boolean; data: string }> {
  const chunks: Buffer[] = [];
  let error: NodeJS.ErrnoException | null = null;
  let ended = false;
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  socket.on("end", () => {
    ended = true;
    socket.end();
  });
  socket.on("error", (e: NodeJS.ErrnoException) => (error = e));
  if (socket.destroyed) return Promise.resolve({ error, ended, data: "" });
  return new Promise((resolve) => socket.once("close", () => resolve({ error, ended, data: Buffer.concat(chunks).toString("utf8") })));
}

/** Reads a socket until `expected` bytes of text arrived (or the stream ended). */
export async function readText(socket: Socket, length: number): Promise<string> {
  const reader = socket.readable.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < length) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return text;
}

/** Reads a `node:net` client until `length` characters arrived. */
export async function clientRead(client: net.Socket, length: number): Promise<string> {
  let text = "";
  for await (const chunk of client.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    text += chunk.toString("utf8");
    if (text.length >= length) break;
  }
  return text;
}

/** The listener's next socket, or a rejection after `ms`. */
export async function nextSocket(listener: Listener, ms = 5_000): Promise<Socket> {
  const reader = listener.readable.getReader();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`No socket accepted within ${ms} ms`)), ms);
    });
    const { value, done } = await Promise.race([reader.read(), timeout]);
    if (done) throw new Error("The listener's readable ended");
    return value;
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
}

/** Whether a read of the listener's readable stays pending for `ms` (no socket handed out). */
export async function nothingAccepted(listener: Listener, ms: number): Promise<boolean> {
  const reader = listener.readable.getReader();
  const read = reader.read();
  const winner = await Promise.race([read.then(() => "socket"), new Promise((r) => setTimeout(() => r("nothing"), ms))]);
  reader.releaseLock(); // the pending read rejects; a socket that comes later waits in the readable
  read.catch(() => {});
  return winner === "nothing";
}

/** The port of a `"host:port"` / `"[v6]:port"`. */
export function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(":") + 1));
}
