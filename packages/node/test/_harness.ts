/**
 * Test plumbing: loopback servers that are always stopped, and a recorder of transport
 * events with bounded waits.
 */
import * as net from "node:net";
import { afterEach } from "vitest";
import type { Socket, TransportEvents } from "@sockets/core";

/** Servers and server-side sockets started by a test file; `stopAll()` in `afterEach`. */
export class Servers {
  #servers = new Set<net.Server>();
  #sockets = new Set<net.Socket>();

  /** Listens on `host:0`, tracks every accepted socket; resolves with the port. */
  async listen(server: net.Server, host = "127.0.0.1"): Promise<number> {
    this.#servers.add(server);
    server.on("connection", (socket: net.Socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
    // TLS servers report accepted TCP sockets as "connection" too; errors on them are test data.
    server.on("tlsClientError", (nodeError: Error, socket: net.Socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, host, () => resolve());
    });
    return (server.address() as net.AddressInfo).port;
  }

  /** Destroys every accepted socket and closes every server. */
  async stopAll(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await Promise.all([...this.#servers].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    this.#servers.clear();
  }
}

/** Polls `check` every 5 ms until it returns true; rejects after `ms` with `what`. */
export async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves after `ms` (used only to let the kernel and Node settle, never as an assertion). */
export function settle(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Collects what a transport reports. */
export class Recorder implements TransportEvents {
  readonly chunks: Uint8Array[] = [];
  bytes = 0;
  ends = 0;
  errors: unknown[] = [];
  /** Called after each chunk (e.g. to pause like core does). */
  onData: ((chunk: Uint8Array) => void) | null = null;

  readonly data = (chunk: Uint8Array): void => {
    this.chunks.push(chunk);
    this.bytes += chunk.byteLength;
    this.onData?.(chunk);
  };
  readonly end = (): void => {
    this.ends++;
  };
  readonly error = (error: unknown): void => {
    this.errors.push(error);
  };

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }

  waitText(expected: string, ms?: number): Promise<void> {
    return until(() => this.text().includes(expected), JSON.stringify(expected), ms);
  }

  waitEnd(ms?: number): Promise<void> {
    return until(() => this.ends > 0, "the peer's end", ms);
  }

  waitError(ms?: number): Promise<unknown> {
    return until(() => this.errors.length > 0, "an error", ms).then(() => this.errors[0]);
  }
}

/** Resolves when a server-side socket emits `'close'`, with the error it saw (if any). */
export function serverOutcome(socket: net.Socket): Promise<{ error: NodeJS.ErrnoException | null; ended: boolean; data: Buffer }> {
  const chunks: Buffer[] = [];
  let error: NodeJS.ErrnoException | null = null;
  let ended = false;
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  socket.on("end", () => (ended = true));
  socket.on("error", (e: NodeJS.ErrnoException) => (error = e));
  return new Promise((resolve) => socket.once("close", () => resolve({ error, ended, data: Buffer.concat(chunks) })));
}

/**
 * For test files that open sockets: after each test every tracked socket is closed (with a
 * reason: at once) and `servers` are stopped. Returns `track`, which registers a socket.
 */
export function closeAfterEach(servers: Servers): (socket: Socket) => Socket {
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) await socket.close(new Error("test over")).catch(() => {});
    await servers.stopAll();
  });
  return (socket) => (sockets.push(socket), socket);
}
