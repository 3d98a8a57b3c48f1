/**
 * `close()` on a TLS socket is a clean TLS close: close_notify, then FIN (RFC 8446 §6.1),
 * never a bare FIN (a truncation to a strict peer) nor a reset. Dialled, accepted and
 * upgraded sockets, against a real Node peer that sees the difference
 * (fixtures/tls-close-peer.mjs).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { connect, listen, type Socket } from "../src/index.js";
import { pem, readUntil } from "./_helpers.js";
import { accept, portOf, tracked } from "./_listen-helpers.js";

let cert: string;
let key: string;
let ca: string;

beforeAll(async () => {
  [cert, key, ca] = await Promise.all([pem("leaf"), pem("leaf-key"), pem("ca")]);
});

/** How the peer saw the connection end. */
interface CloseVerdict {
  readonly closeNotify: boolean;
  readonly bytes: number;
  readonly text: string;
  readonly error: string | null;
}

/** Command for fixtures/tls-close-peer.mjs. */
interface PeerCommand {
  role: "client" | "server";
  port?: number;
  starttls?: boolean;
  send?: string;
  chatter?: number;
  stallMs?: number;
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    for (let at = pending.indexOf("\n"); at >= 0; at = pending.indexOf("\n")) {
      yield pending.slice(0, at);
      pending = pending.slice(at + 1);
    }
  }
}

/** Starts the Node peer; `next()` is its next JSON line (a server's port, then the verdict). */
function closePeer(command: PeerCommand): { next<T = CloseVerdict>(): Promise<T> } {
  const child = Bun.spawn(["node", new URL("./fixtures/tls-close-peer.mjs", import.meta.url).pathname, JSON.stringify(command)], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const timer = setTimeout(() => child.kill(), 20_000);
  void child.exited.then(() => clearTimeout(timer));
  const out = lines(child.stdout);
  return {
    async next<T>(): Promise<T> {
      const line = await out.next();
      if (line.done) throw new Error(`tls-close-peer.mjs ended without an answer (exit code ${await child.exited})`);
      return JSON.parse(line.value) as T;
    },
  };
}

async function readLine(socket: Socket): Promise<string> {
  const reader = socket.readable.getReader();
  try {
    return await readUntil(reader, "\n");
  } finally {
    reader.releaseLock();
  }
}

async function send(socket: Socket, data: string | Uint8Array): Promise<void> {
  const writer = socket.writable.getWriter();
  await writer.write(data);
  writer.releaseLock();
}

describe("close() on a TLS socket sends close_notify before its FIN", () => {
  test("a dialled socket (secureTransport: on)", async () => {
    const peer = closePeer({ role: "server", send: "hello\n" });
    const { port } = await peer.next<{ port: number }>();
    const socket = tracked(connect(`localhost:${port}`, { secureTransport: "on", caCerts: [ca] }));
    expect(await readLine(socket)).toBe("hello\n");
    await send(socket, "ping");
    await socket.close();
    expect(await peer.next()).toEqual({ closeNotify: true, bytes: 4, text: "ping", error: null });
  });

  test("an accepted socket (secureTransport: on)", async () => {
    const server = tracked(listen("127.0.0.1:0", { secureTransport: "on", tls: { cert, key } }));
    const peer = closePeer({ role: "client", port: portOf((await server.opened).localAddress), send: "ping\n" });
    const socket = await accept(server);
    expect(await readLine(socket)).toBe("ping\n");
    await send(socket, "pong");
    await socket.close();
    expect(await peer.next()).toEqual({ closeNotify: true, bytes: 4, text: "pong", error: null });
  });

  test("an accepted socket after startTls() (secureTransport: starttls)", async () => {
    const server = tracked(listen("127.0.0.1:0", { secureTransport: "starttls", tls: { cert, key } }));
    const peer = closePeer({ role: "client", port: portOf((await server.opened).localAddress), starttls: true, send: "ping\n" });
    const plain = await accept(server);
    expect(await readLine(plain)).toBe("STARTTLS\n");
    await send(plain, "OK\n");
    const secure = tracked(plain.startTls());
    expect(await readLine(secure)).toBe("ping\n");
    await send(secure, "pong");
    await secure.close();
    expect(await peer.next()).toEqual({ closeNotify: true, bytes: 4, text: "pong", error: null });
  });

  test("with the peer's bytes left unread, everything written still arrives before close_notify (no reset)", async () => {
    // The peer sends 256 KiB nobody reads here, and reads nothing itself for a while: at
    // close() our bytes wait in the kernel, and unread bytes on our side would make it a RST
    // that drops them.
    const peer = closePeer({ role: "server", chatter: 256 * 1024, stallMs: 300 });
    const { port } = await peer.next<{ port: number }>();
    const socket = tracked(connect(`localhost:${port}`, { secureTransport: "on", caCerts: [ca] }));
    await socket.opened;
    await send(socket, new Uint8Array(4 << 20));
    await socket.close();
    expect(await peer.next()).toMatchObject({ closeNotify: true, bytes: 4 << 20, error: null });
  });

  test("a script that ends right after close() still delivers everything, then close_notify", async () => {
    // 4 MiB to a peer that reads nothing for a second: at close() the kernel's send buffer
    // is full and Bun still holds the rest and the close_notify; the process must wait.
    const peer = closePeer({ role: "server", stallMs: 1_000 });
    const { port } = await peer.next<{ port: number }>();
    const script = new URL("./fixtures/close-then-exit.ts", import.meta.url).pathname;
    const child = Bun.spawn([process.execPath, script, String(port), String(4 << 20)], { stdout: "inherit", stderr: "inherit" });
    expect(await child.exited).toBe(0);
    expect(await peer.next()).toMatchObject({ closeNotify: true, bytes: 4 << 20, error: null });
  });
});
