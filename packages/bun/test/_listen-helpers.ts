/**
 * Test plumbing for `listen()`: independent clients (real Node in a child process, see
 * fixtures/node-clients.mjs; raw `Bun.connect`), an echo handler, and cleanup of every
 * listener and socket a test opened.
 *
 * @module
 */
import { afterEach } from "bun:test";
import type { Listener, Socket } from "../src/index.js";
import { deferred } from "./_helpers.js";

/** What one Node client saw. */
export interface NodeOutcome {
  readonly received: string;
  readonly alpn: string | null;
  readonly localPort: number | null;
  readonly error: string | null;
}

/** Command for fixtures/node-clients.mjs. */
export interface NodeCommand {
  port: number;
  host?: string;
  count?: number;
  mode: "plain" | "tls" | "starttls";
  send?: string;
  alpn?: string[];
  trust?: "ca" | "none";
  timeoutMs?: number;
}

/** Runs `count` real Node clients at once; resolves with their outcomes. */
export async function nodeClients(command: NodeCommand): Promise<NodeOutcome[]> {
  const child = Bun.spawn(["node", new URL("./fixtures/node-clients.mjs", import.meta.url).pathname, JSON.stringify(command)], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const timer = setTimeout(() => child.kill(), 15_000);
  const text = await new Response(child.stdout).text();
  clearTimeout(timer);
  if ((await child.exited) !== 0 || text === "") throw new Error(`node-clients.mjs failed (exit code ${child.exitCode})`);
  return JSON.parse(text) as NodeOutcome[];
}

/** A raw `Bun.connect` client: what it received, whether it saw a FIN/close, and its socket. */
export interface RawClient {
  readonly socket: Bun.Socket<undefined>;
  readonly received: () => string;
  /** Resolves with the close error (`undefined`: a clean close or FIN). */
  readonly closed: Promise<Error | undefined>;
  /** Resolves when the server's FIN (or a close) arrived. */
  readonly ended: Promise<void>;
}

const rawClients = new Set<Bun.Socket<undefined>>();

/** Connects a raw Bun client (allowHalfOpen: the test decides when it ends). */
export async function rawClient(port: number, hostname = "127.0.0.1"): Promise<RawClient> {
  let text = "";
  const decoder = new TextDecoder();
  const closed = deferred<Error | undefined>();
  const ended = deferred();
  const socket = await Bun.connect({
    hostname,
    port,
    allowHalfOpen: true,
    socket: {
      binaryType: "uint8array",
      data: (_socket, chunk: Uint8Array) => void (text += decoder.decode(chunk, { stream: true })),
      end: () => ended.resolve(),
      close: (_socket, error) => {
        ended.resolve();
        closed.resolve(error);
      },
    },
  });
  rawClients.add(socket);
  return { socket, received: () => text, closed: closed.promise, ended: ended.promise };
}

const listeners = new Set<Listener>();
const sockets = new Set<Socket>();

/** Closes it after the test. */
export function tracked<T extends Listener | Socket>(value: T): T {
  if ("stats" in value) listeners.add(value);
  else sockets.add(value);
  return value;
}

afterEach(async () => {
  for (const socket of rawClients) socket.terminate();
  rawClients.clear();
  for (const socket of sockets) await socket.close(new Error("test over")).catch(() => {});
  sockets.clear();
  for (const listener of listeners) await listener.close().catch(() => {});
  listeners.clear();
});

/** Reads the next socket from a listener (fails after `ms`). */
export async function accept(listener: Listener, ms = 5_000): Promise<Socket> {
  const reader = listener.readable.getReader();
  try {
    const next = await within(reader.read(), ms, "accept");
    if (next.done) throw new Error("The listener ended");
    return tracked(next.value);
  } finally {
    reader.releaseLock();
  }
}

/** Echoes everything, then ends (the client's FIN ends the echo). */
export async function echo(socket: Socket): Promise<void> {
  await socket.readable.pipeTo(socket.writable);
}

/** Rejects when `promise` takes longer than `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `check` every 10 ms until it is true (fails after `ms`). */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

/** The port of a `"host:port"` / `"[v6]:port"` address. */
export function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(":") + 1));
}
