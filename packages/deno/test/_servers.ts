/**
 * Loopback peers for the Deno tests, written with Deno's own API. Each returns its port and
 * a `stop()` that closes the listener and every connection it accepted.
 *
 * TLS material in `fixtures/` is test-only (a CA and a leaf for localhost, 127.0.0.1 and
 * ::1, valid until 2126).
 *
 * @module
 */

/** A running peer. */
export interface Peer {
  readonly port: number;
  stop(): void;
}

const fixture = (name: string): string => Deno.readTextFileSync(new URL(`./fixtures/${name}`, import.meta.url));
/** PEM of the CA that signed the test leaf. */
export const caPem: string = fixture("ca.pem");
const cert = fixture("leaf.pem");
const key = fixture("leaf-key.pem");

function closeQuietly(c: { close(): void }): void {
  try {
    c.close();
  } catch {
    // already closed
  }
}

async function readAll(conn: Deno.Conn, onChunk: (bytes: Uint8Array) => void | Promise<void>): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  try {
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) await onChunk(buffer.subarray(0, n));
  } catch {
    // closed or reset
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.byteLength) written += await conn.write(bytes.subarray(written));
}

function serve(listener: Deno.Listener, handle: (conn: Deno.Conn) => Promise<void>): Peer {
  const conns = new Set<Deno.Conn>();
  void (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        void handle(conn)
          .catch(() => {})
          .finally(() => conns.delete(conn));
      }
    } catch {
      // listener closed
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    stop() {
      closeQuietly(listener);
      for (const conn of conns) closeQuietly(conn);
    },
  };
}

/** Echoes bytes; half-closes when the client does, then closes. */
export function startEcho(): Peer {
  return serve(Deno.listen({ hostname: "127.0.0.1", port: 0 }), async (conn) => {
    await readAll(conn, (bytes) => writeAll(conn, bytes));
    await conn.closeWrite().catch(() => {});
    await readAll(conn, () => {});
    closeQuietly(conn);
  });
}

/** Sends `greeting`, FIN at once, then records what the client sends until its FIN. */
export function startGreeter(greeting: Uint8Array, received: (bytes: Uint8Array) => void): Peer {
  return serve(Deno.listen({ hostname: "127.0.0.1", port: 0 }), async (conn) => {
    await writeAll(conn, greeting);
    await conn.closeWrite();
    const chunks: number[] = [];
    await readAll(conn, (bytes) => void chunks.push(...bytes));
    received(new Uint8Array(chunks));
    closeQuietly(conn);
  });
}

/** Accepts and stays silent; resolves `closedByClient` once a client's connection ends. */
export function startSilent(): Peer & { readonly clientGone: Promise<void> } {
  let gone!: () => void;
  const clientGone = new Promise<void>((resolve) => (gone = resolve));
  const peer = serve(Deno.listen({ hostname: "127.0.0.1", port: 0 }), async (conn) => {
    await readAll(conn, () => {});
    gone();
  });
  return { ...peer, clientGone };
}

/**
 * STARTTLS: a plain line protocol; "STARTTLS\n" is answered with "OK\n", after which the
 * raw bytes are spliced to a TLS echo server (`Deno.listenTls`, ALPN "x-test"): Deno has
 * no server-side `startTls`.
 */
export function startStarttls(): Peer {
  const tls = serve(Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert, key, alpnProtocols: ["x-test"] }), async (conn) => {
    await readAll(conn, (bytes) => writeAll(conn, bytes));
    await conn.closeWrite().catch(() => {});
    closeQuietly(conn);
  });
  const plain = serve(Deno.listen({ hostname: "127.0.0.1", port: 0 }), async (conn) => {
    const buffer = new Uint8Array(64);
    let line = "";
    while (!line.endsWith("\n")) {
      const n = await conn.read(buffer);
      if (n === null) return closeQuietly(conn);
      line += new TextDecoder().decode(buffer.subarray(0, n));
    }
    if (line !== "STARTTLS\n") return closeQuietly(conn);
    await writeAll(conn, new TextEncoder().encode("OK\n"));
    const back = await Deno.connect({ hostname: "127.0.0.1", port: tls.port });
    const up = readAll(conn, (bytes) => writeAll(back, bytes)).then(() => back.closeWrite().catch(() => {}));
    const down = readAll(back, (bytes) => writeAll(conn, bytes)).then(() => conn.closeWrite().catch(() => {}));
    await Promise.all([up, down]);
    closeQuietly(back);
    closeQuietly(conn);
  });
  return {
    port: plain.port,
    stop() {
      plain.stop();
      tls.stop();
    },
  };
}

/** A TLS echo server (leaf for localhost/127.0.0.1/::1 from the test CA). */
export function startTlsEcho(): Peer {
  return serve(Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert, key, alpnProtocols: ["x-test"] }), async (conn) => {
    await readAll(conn, (bytes) => writeAll(conn, bytes));
    await conn.closeWrite().catch(() => {});
    closeQuietly(conn);
  });
}

/**
 * A port nothing listens on (bound, then released), below Linux's ephemeral range
 * (32768 up): a parallel suite's `listen(0)` cannot take it, nor can a connect's own
 * source port (a TCP connect whose source port equals the destination connects to itself).
 * The same choice as `unusedPort` in `@sockets/conformance/fixtures`.
 */
export function freePort(): number {
  for (let attempt = 0; attempt < 64; attempt++) {
    const port = 20_768 + Math.floor(Math.random() * 12_000);
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch {
      // taken: try another
    }
  }
  throw new Error("No unused port found between 20768 and 32767");
}
