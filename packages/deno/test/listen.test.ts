/**
 * `listen()` over plain TCP, against real loopback clients: raw `Deno.connect` ones (written
 * with Deno's API, not ours, so a bug shared by both sides of ours cannot pass) and our
 * own `connect()`. Options Deno cannot honour are checked to be errors, not silence.
 */
import { connect, listen, SocketError, type Listener, type Socket } from "../src/index.js";
import { equal, ok, rejection, text, utf8, within } from "./_assert.js";

const port = (address: string): number => Number(address.slice(address.lastIndexOf(":") + 1));

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.byteLength) written += await conn.write(bytes.subarray(written));
}

/** Reads from a raw conn until `length` bytes arrived (or the end). */
async function readBytes(conn: Deno.Conn, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = await conn.read(out.subarray(got));
    if (n === null) break;
    got += n;
  }
  return out.subarray(0, got);
}

/**
 * Echoes until the peer's FIN, then half-closes (listeners here use `allowHalfOpen: true`,
 * so our end follows the client's). Resolves with the failure, if any (never rejects: the
 * test asserts it, and it is handled from the start).
 */
function echo(socket: Socket): Promise<unknown> {
  return socket.opened
    .then(() => socket.readable.pipeTo(socket.writable))
    .then(
      () => undefined,
      (error: unknown) => error,
    );
}

/** The little of `node:net` used here (imported by a computed name: this package's tsc has no Node types). */
interface NodeNetSocket {
  once(event: "connect" | "error", listener: (error?: unknown) => void): NodeNetSocket;
  resetAndDestroy(): void;
}
async function nodeNet(): Promise<{ connect(port: number, host: string): NodeNetSocket }> {
  const specifier = "node:net";
  return (await import(specifier)) as { connect(port: number, host: string): NodeNetSocket };
}

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: still false after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function nextSocket(server: Listener): Promise<Socket> {
  const reader = server.readable.getReader();
  try {
    const { value, done } = await within(reader.read(), 5000, "accept");
    ok(!done && value !== undefined, "a socket");
    return value;
  } finally {
    reader.releaseLock();
  }
}

Deno.test("port 0: opened gives the real port; an accepted socket echoes a raw Deno client", async () => {
  const server = listen("127.0.0.1:0", { allowHalfOpen: true });
  try {
    const { localAddress } = await within(server.opened, 5000, "opened");
    ok(/^127\.0\.0\.1:\d+$/.test(localAddress) && port(localAddress) > 0, `a real port in ${localAddress}`);
    const client = await Deno.connect({ hostname: "127.0.0.1", port: port(localAddress) });
    try {
      const socket = await nextSocket(server);
      const info = await within(socket.opened, 5000, "socket opened");
      equal(info.remoteAddress, `127.0.0.1:${(client.localAddr as Deno.NetAddr).port}`, "remoteAddress is the client's");
      equal(info.localAddress, localAddress, "localAddress is the listener's");
      equal(info.alpn, null, "no ALPN on plain TCP");
      const echoing = echo(socket);
      await writeAll(client, utf8("hello"));
      equal(text(await within(readBytes(client, 5), 5000, "echo")), "hello", "echoed");
      await client.closeWrite();
      equal(await within(client.read(new Uint8Array(8)), 5000, "end"), null, "the server ends after our FIN");
      equal(await within(echoing, 5000, "echo done"), undefined, "the echo ended cleanly");
      await within(socket.closed, 5000, "socket closed");
      equal(server.stats.accepted, 1, "stats.accepted");
    } finally {
      client.close();
    }
  } finally {
    await within(server.close(), 5000, "close");
  }
});

Deno.test("many concurrent raw clients each get their own bytes back", async () => {
  const server = listen({ hostname: "127.0.0.1", port: 0 }, { allowHalfOpen: true });
  const handlers: Promise<unknown>[] = [];
  const serving = (async () => {
    for await (const socket of server) handlers.push(echo(socket));
  })();
  try {
    const { localAddress } = await within(server.opened, 5000, "opened");
    const count = 25;
    const clients = await Promise.all(
      Array.from({ length: count }, () => Deno.connect({ hostname: "127.0.0.1", port: port(localAddress) })),
    );
    try {
      await within(
        Promise.all(
          clients.map(async (client, i) => {
            const message = utf8(`client ${i} `.repeat(100));
            await writeAll(client, message);
            equal(text(await readBytes(client, message.byteLength)), text(message), `client ${i}'s echo`);
            await client.closeWrite();
            equal(await client.read(new Uint8Array(8)), null, `client ${i} end`);
          }),
        ),
        10_000,
        "all echoes",
      );
      equal(server.stats.accepted, count, "stats.accepted");
    } finally {
      for (const client of clients) client.close();
    }
  } finally {
    await within(server.close(), 5000, "close");
    await within(serving, 5000, "the for-await loop ends on close()");
    for (const outcome of await within(Promise.all(handlers), 5000, "handlers")) equal(outcome, undefined, "every echo ended cleanly");
  }
});

Deno.test("our connect() talks to our listen()", async () => {
  await using server = listen("127.0.0.1:0", { allowHalfOpen: true });
  const { localAddress } = await server.opened;
  const client = connect(localAddress);
  const accepted = await nextSocket(server);
  const echoing = echo(accepted);
  const writer = client.writable.getWriter();
  const reader = client.readable.getReader({ mode: "byob" });
  await writer.write(utf8("ping"));
  equal(text((await within(reader.read(new Uint8Array(16)), 5000, "echo")).value), "ping", "echo");
  await writer.close();
  equal((await within(reader.read(new Uint8Array(16)), 5000, "end")).done, true, "end");
  equal(await within(echoing, 5000, "server side done"), undefined, "the echo ended cleanly");
  await within(client.close(), 5000, "client close");
});

Deno.test("a busy port rejects opened and closed with EADDRINUSE (no synchronous throw)", async () => {
  const holder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const busy = (holder.addr as Deno.NetAddr).port;
    const server = listen(`127.0.0.1:${busy}`); // must not throw
    const error = await within(rejection(server.opened, "opened"), 5000, "opened");
    ok(error instanceof SocketError, `a SocketError, got ${String(error)}`);
    equal((error as SocketError).code, "EADDRINUSE", "code");
    equal(await within(rejection(server.closed, "closed"), 5000, "closed"), error, "closed rejects with the same error");
    const read = await within(rejection(server.readable.getReader().read(), "read"), 5000, "read");
    equal(read, error, "a read rejects with it too");
  } finally {
    holder.close();
  }
});

Deno.test("an address --allow-net does not cover rejects opened with EACCES", async () => {
  // The test command allows 127.0.0.1 only: Deno's NotCapable is a permission refusal.
  const server = listen("127.0.0.2:0");
  const error = await within(rejection(server.opened, "opened"), 5000, "opened");
  ok(error instanceof SocketError, `a SocketError, got ${String(error)}`);
  equal((error as SocketError).code, "EACCES", "code");
  ok((error as SocketError).cause instanceof Deno.errors.NotCapable, "Deno's NotCapable as cause");
  await rejection(server.closed, "closed");
});

Deno.test("close() stops accepting but keeps handed-out sockets open", async () => {
  const server = listen("127.0.0.1:0", { allowHalfOpen: true });
  const { localAddress } = await server.opened;
  const client = await Deno.connect({ hostname: "127.0.0.1", port: port(localAddress) });
  try {
    const socket = await nextSocket(server);
    await within(server.close(), 5000, "close");
    equal((await within(server.readable.getReader().read(), 5000, "read after close")).done, true, "the readable ended");
    // The port is released: a new connection is refused.
    const refused = await rejection(Deno.connect({ hostname: "127.0.0.1", port: port(localAddress) }), "connect after close");
    ok(refused instanceof Deno.errors.ConnectionRefused, `refused, got ${String(refused)}`);
    // The socket handed out before close() still works both ways.
    const echoing = echo(socket);
    await writeAll(client, utf8("still here"));
    equal(text(await within(readBytes(client, 10), 5000, "echo")), "still here", "echo after the listener closed");
    await client.closeWrite();
    equal(await within(echoing, 5000, "echo done"), undefined, "the echo ended cleanly");
  } finally {
    client.close();
  }
});

Deno.test("a client that resets while waiting in the backlog is counted; the listener goes on", async () => {
  await using server = listen("127.0.0.1:0");
  const { localAddress } = await server.opened;
  // Deno cannot send RST; node:net's resetAndDestroy() can (an independent client anyway).
  const resetting = (await nodeNet()).connect(port(localAddress), "127.0.0.1");
  await new Promise<void>((resolve, reject) => resetting.once("connect", () => resolve()).once("error", reject));
  resetting.resetAndDestroy();
  await new Promise((resolve) => setTimeout(resolve, 50)); // the RST lands before the accept
  const accepting = nextSocket(server);
  accepting.catch(() => {}); // asserted below; no stray rejection if `until` fails first
  await until(() => server.stats.failed === 1, 2000, "stats.failed");
  const good = await Deno.connect({ hostname: "127.0.0.1", port: port(localAddress) });
  try {
    const socket = await accepting;
    equal((await socket.opened).remoteAddress, `127.0.0.1:${(good.localAddr as Deno.NetAddr).port}`, "the next client is accepted");
    await socket.close();
  } finally {
    good.close();
  }
});

Deno.test("pull-driven: nothing is accepted until a reader asks", async () => {
  await using server = listen("127.0.0.1:0", { allowHalfOpen: true });
  const { localAddress } = await server.opened;
  const client = await Deno.connect({ hostname: "127.0.0.1", port: port(localAddress) });
  try {
    await new Promise((resolve) => setTimeout(resolve, 50));
    equal(server.stats.accepted, 0, "no socket before a read");
    const socket = await nextSocket(server);
    equal(server.stats.accepted, 1, "one socket after one read");
    await socket.close();
  } finally {
    client.close();
  }
});

Deno.test("backlog is Deno's tcpBacklog (the listener opens and accepts)", async () => {
  await using server = listen("127.0.0.1:0", { backlog: 1 });
  const { localAddress } = await within(server.opened, 5000, "opened");
  const client = await Deno.connect({ hostname: "127.0.0.1", port: port(localAddress) });
  try {
    const socket = await nextSocket(server);
    await socket.close();
  } finally {
    client.close();
  }
});

Deno.test("options Deno cannot honour are a synchronous EINVAL naming them", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["ipv6Only", () => listen("[::1]:0", { ipv6Only: true }), /ipv6Only/],
    // The test command runs without --unstable-net; without the check Deno would exit the process.
    ["reusePort", () => listen("127.0.0.1:0", { reusePort: true }), /reusePort.*--unstable-net/],
  ];
  for (const [name, call, message] of cases) {
    let thrown: unknown;
    try {
      call();
    } catch (error) {
      thrown = error;
    }
    ok(thrown instanceof SocketError, `${name}: a SocketError, got ${String(thrown)}`);
    equal((thrown as SocketError).code, "EINVAL", `${name}: code`);
    ok(message.test((thrown as SocketError).message), `${name}: message ${(thrown as SocketError).message}`);
  }
});
