/**
 * Test helpers: loopback servers (Bun.listen for plain TCP, a Node child for TLS and
 * STARTTLS, see fixtures/tls-peers.mjs), PEM fixtures and small stream utilities.
 *
 * @module
 */
import type { Subprocess } from "bun";

/** PEM text of a file in fixtures/certs. */
export function pem(name: string): Promise<string> {
  return Bun.file(new URL(`./fixtures/certs/${name}.pem`, import.meta.url)).text();
}

/** A promise with its resolve and reject exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (reason: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** What a plain test server saw on one connection. */
export interface ServerConnection {
  readonly socket: Bun.Socket<undefined>;
  received: number;
  /**
   * Resolves when the client's FIN arrived. Bun reports a FIN that comes after the
   * server's own `shutdown()` as a clean `close` with no `end` event, so that counts too.
   */
  readonly ended: Promise<void>;
  /** Resolves with the close error (`undefined` for a clean close). */
  readonly closed: Promise<Error | undefined>;
}

/** A plain TCP server on 127.0.0.1 with per-connection hooks; `stop()` closes everything. */
export interface TestServer {
  readonly port: number;
  readonly address: string;
  /** Resolves with the next accepted connection (in accept order). */
  accepted(): Promise<ServerConnection>;
  stop(): void;
}

/** Hooks for {@link listen}; `onData` replaces the default (count and drop). */
export interface ServerHooks {
  onOpen?(connection: ServerConnection): void;
  onData?(connection: ServerConnection, chunk: Uint8Array): void;
  onEnd?(connection: ServerConnection): void;
  onDrain?(connection: ServerConnection): void;
}

/** Starts a plain TCP server (allowHalfOpen: the test decides when the server ends). */
export function listen(hooks: ServerHooks = {}): TestServer {
  const waiting: ((connection: ServerConnection) => void)[] = [];
  const ready: ServerConnection[] = [];
  const state = new Map<Bun.Socket<undefined>, { conn: ServerConnection; end: () => void; close: (e?: Error) => void }>();
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    allowHalfOpen: true,
    socket: {
      binaryType: "uint8array",
      open(socket) {
        const end = deferred();
        const close = deferred<Error | undefined>();
        const conn: ServerConnection = { socket, received: 0, ended: end.promise, closed: close.promise };
        state.set(socket, { conn, end: () => end.resolve(), close: (e) => close.resolve(e) });
        hooks.onOpen?.(conn);
        const next = waiting.shift();
        if (next !== undefined) next(conn);
        else ready.push(conn);
      },
      data(socket, chunk: Uint8Array) {
        const entry = state.get(socket)!;
        entry.conn.received += chunk.byteLength;
        hooks.onData?.(entry.conn, chunk);
      },
      end(socket) {
        const entry = state.get(socket)!;
        entry.end();
        hooks.onEnd?.(entry.conn);
      },
      drain(socket) {
        const entry = state.get(socket);
        if (entry !== undefined) hooks.onDrain?.(entry.conn);
      },
      close(socket, error) {
        const entry = state.get(socket);
        if (error === undefined) entry?.end();
        entry?.close(error);
      },
    },
  });
  return {
    port: listener.port,
    address: `127.0.0.1:${listener.port}`,
    accepted: () => {
      const conn = ready.shift();
      return conn !== undefined ? Promise.resolve(conn) : new Promise((resolve) => waiting.push(resolve));
    },
    stop: () => listener.stop(true),
  };
}

/** Ports of the Node TLS peers (fixtures/tls-peers.mjs). */
export interface TlsPeers {
  readonly tls: number;
  /** Requires a client certificate: an alert after the client's handshake (TLS 1.3). */
  readonly clientCert: number;
  readonly wrongName: number;
  readonly untrusted: number;
  readonly private: number;
  readonly starttls: number;
  readonly starttlsWrongName: number;
  readonly silent: number;
  stop(): Promise<void>;
}

/** Spawns the Node TLS peers and waits for their ports. */
export async function startTlsPeers(): Promise<TlsPeers> {
  const child: Subprocess<"pipe", "pipe", "inherit"> = Bun.spawn(["node", new URL("./fixtures/tls-peers.mjs", import.meta.url).pathname], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The TLS peers exited before printing their ports (exit code ${await child.exited})`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const ports = JSON.parse(text) as Omit<TlsPeers, "stop">;
  return {
    ...ports,
    stop: async () => {
      child.kill();
      await child.exited;
    },
  };
}

/** Reads a readable to its end; returns the bytes and every chunk seen. */
export async function readAll(readable: ReadableStream<Uint8Array>): Promise<{ bytes: Uint8Array; chunks: Uint8Array[] }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of readable) {
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { bytes, chunks };
}

/** Reads until `text` appears; returns everything read. */
export async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, text: string): Promise<string> {
  const decoder = new TextDecoder();
  let seen = "";
  while (!seen.includes(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The stream ended before ${JSON.stringify(text)}; read ${JSON.stringify(seen)}`);
    seen += decoder.decode(value, { stream: true });
  }
  return seen;
}

/** The error a promise rejects with (fails if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("Expected a rejection, but the promise resolved");
}

/** Waits for a macrotask `n` times (lets native I/O run). */
export async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
