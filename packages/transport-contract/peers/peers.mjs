// Loopback peers for the Transport contract cases, run with Node (`node peers.mjs`) by each
// runtime's test, whatever runtime it is: Node's node:net/node:tls are the reference the
// conformance peers use too, and they can send RST (Deno cannot). They are independent of
// every transport under test: the cases drive them over HTTP (`fetch`, a web global).
//
// Prints one JSON line {"control": "http://127.0.0.1:<port>", "ca", "cert", "key"} (PEM: the
// CA that signed the TLS peers' certificate, and that certificate and key, for the listener
// cases' TLS listeners) and exits when its stdin
// closes (the test process ends it that way, or by killing it).
//
// POST /peer {"behaviour": ..., "host"?: "::1", "text"?: string, "bytes"?: number, "delay"?: number}
//   starts one listener with that behaviour on host:0 and answers {"id", "hostname", "port"}.
// POST /client {"behaviour", "port", "host"?, "text"?, "alpn"?}  a client of a listener under test.
// POST /udp {"behaviour": "udp-echo" | "udp-send", ...}  a UDP peer.
// GET /report/<id>?closed=1  what its connections saw (waits up to 5 s for every connection,
//   at least one, to close when `closed` is given).
// GET /progress/<id>  bytes a `source` connection has handed to the OS so far.
// POST /release/<id>  a `paused-sink` starts reading.
import { readFileSync } from "node:fs";
import { createSocket } from "node:dgram";
import { createServer as createHttpServer } from "node:http";
import { connect as tcpConnect, createServer as createTcpServer } from "node:net";
import { connect as tlsConnect, createServer as createTlsServer, TLSSocket } from "node:tls";

const certs = new URL("./certs/", import.meta.url);
const caPem = readFileSync(new URL("ca.pem", certs), "utf8");
const leaf = { cert: readFileSync(new URL("leaf.pem", certs)), key: readFileSync(new URL("leaf-key.pem", certs)) };
const ALPN = ["x-test"];

let nextId = 1;
/** id → { server, conns: Conn[], release(): void, progress: number } */
const peers = new Map();

/** What one accepted connection saw. */
function track(peer, socket) {
  const conn = { received: [], bytes: 0, ended: false, error: null, closed: false, sni: null, alpn: null };
  peer.conns.push(conn);
  peer.sockets.push(socket);
  socket.on("data", (chunk) => {
    const room = (1 << 20) - conn.bytes;
    if (room > 0) conn.received.push(chunk.subarray(0, room));
    conn.bytes += chunk.byteLength;
  });
  socket.on("end", () => {
    conn.ended = true;
    // After the behaviour's own 'end' handler (a reply): our FIN, so the connection closes.
    setImmediate(() => socket.writable && socket.end());
  });
  socket.on("error", (error) => (conn.error ??= error.code ?? error.message));
  socket.on("close", () => (conn.closed = true));
  return conn;
}

function echo(socket) {
  socket.on("data", (chunk) => socket.write(chunk));
  socket.on("end", () => socket.end());
}

const behaviours = {
  /** Echoes; ends its side when the client ends. */
  echo: (peer, socket) => (track(peer, socket), echo(socket)),
  /** Sends `text` and FIN at once; keeps reading (half-open) and records. */
  "greet-fin": (peer, socket, options) => (track(peer, socket), socket.end(options.text ?? "")),
  /** Reads until the client's FIN, then replies "got <text>" and ends. */
  "reply-on-fin": (peer, socket) => {
    const conn = track(peer, socket);
    socket.on("end", () => socket.end(`got ${Buffer.concat(conn.received).toString()}`));
  },
  /** Sends `text` (if any) and records everything until the client goes away. */
  record: (peer, socket, options) => {
    track(peer, socket);
    if (options.text) socket.write(options.text);
  },
  /** Sends `bytes` bytes (byte i = i & 0xff) in 64 KiB writes as fast as the OS takes them, then FIN. */
  source: (peer, socket, options, record = true) => {
    if (record) track(peer, socket);
    const total = options.bytes;
    const pattern = Buffer.alloc(65536);
    for (let i = 0; i < pattern.length; i++) pattern[i] = i & 0xff;
    const pump = () => {
      while (peer.progress < total) {
        const size = Math.min(pattern.length, total - peer.progress);
        peer.progress += size;
        if (!socket.write(size === pattern.length ? pattern : pattern.subarray(0, size))) return void socket.once("drain", pump);
      }
      socket.end();
    };
    pump();
  },
  /** Resets (RST) the connection when the first bytes arrive. */
  "reset-on-data": (peer, socket) => {
    track(peer, socket);
    socket.once("data", () => socket.resetAndDestroy());
  },
  /** Sends `text`, then resets the connection `delay` ms later (default 20). */
  "send-then-reset": (peer, socket, options) => {
    track(peer, socket);
    socket.write(options.text ?? "");
    setTimeout(() => socket.resetAndDestroy(), options.delay ?? 20);
  },
  /** Reads nothing until POST /release/<id>; then records everything. */
  "paused-sink": (peer, socket) => {
    socket.pause();
    track(peer, socket);
    socket.pause();
    peer.waiting.push(socket);
  },
  /** Accepts and never speaks; records. */
  silent: (peer, socket) => void track(peer, socket),
  /**
   * Line protocol: "STARTTLS\n" is answered "OK\n", then the server handshake (leaf for
   * localhost, 127.0.0.1, ::1; ALPN x-test), then echo. With `text: "silent"` it answers
   * "OK\n" and then never speaks (a handshake against it hangs).
   */
  starttls: (peer, tcp, options) => {
    const conn = track(peer, tcp);
    let line = "";
    const onData = (chunk) => {
      line += chunk.toString("latin1");
      if (!line.includes("\n")) return;
      tcp.off("data", onData);
      tcp.write("OK\n");
      if (options.text === "silent") return;
      const tls = new TLSSocket(tcp, { isServer: true, ...leaf, ALPNProtocols: ALPN });
      tls.on("secure", () => ((conn.alpn = tls.alpnProtocol || null), (conn.sni = tls.servername || null), echo(tls)));
      tls.on("error", (error) => (conn.error ??= error.code ?? error.message));
    };
    tcp.on("data", onData);
  },
};

function startPeer(options) {
  const id = String(nextId++);
  const peer = { id, conns: [], sockets: [], waiting: [], released: false, progress: 0 };
  const host = options.host ?? "127.0.0.1";
  let server;
  if (options.behaviour === "tls-echo") {
    server = createTlsServer({ ...leaf, ALPNProtocols: ALPN, allowHalfOpen: true }, (tls) => {
      const conn = track(peer, tls);
      conn.sni = tls.servername || null;
      conn.alpn = tls.alpnProtocol || null;
      echo(tls);
    });
    server.on("tlsClientError", (error, socket) => {
      peer.conns.push({ received: [], bytes: 0, ended: false, error: error.code ?? error.message, closed: true });
      socket.destroy();
    });
  } else {
    const behaviour = behaviours[options.behaviour];
    if (behaviour === undefined) throw new Error(`unknown behaviour ${options.behaviour}`);
    server = createTcpServer({ allowHalfOpen: true }, (socket) => behaviour(peer, socket, options));
  }
  peer.server = server;
  peers.set(id, peer);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      if (options.behaviour === "refused") server.close();
      resolve({ id, hostname: host, port });
    });
  });
}

behaviours.refused = () => {};

function report(peer) {
  return {
    datagrams: peer.datagrams ?? [],
    connections: peer.conns.length,
    conns: peer.conns.map((c) => {
      const bytes = Buffer.concat(c.received);
      return {
        bytes: c.bytes,
        text: bytes.toString("utf8"),
        runs: runs(bytes),
        ended: c.ended,
        error: c.error,
        closed: c.closed,
        sni: c.sni,
        alpn: c.alpn,
      };
    }),
  };
}

/** Run-length encoding of the first MiB received: [byte, count] pairs. */
function runs(bytes) {
  const out = [];
  for (const byte of bytes) {
    const last = out.at(-1);
    if (last !== undefined && last[0] === byte) last[1]++;
    else if (out.length < 10_000) out.push([byte, 1]);
  }
  return out;
}

async function waitClosed(peer) {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && (peer.conns.length === 0 || peer.conns.some((c) => !c.closed))) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A client of a listener under test (the listener cases): connects to host:port and
 *   - "send": sends `text`, records what comes back, ends when the server ends;
 *   - "send-fin": sends `text` and FIN at once;
 *   - "reset": resets the connection right after it is established;
 *   - "silent": connects and says nothing (a TLS listener's handshake hangs);
 *   - "flood": sends `bytes` bytes as fast as its OS takes them (GET /progress), then FIN;
 *   - "tls": a TLS client trusting the peers' CA (SNI localhost, ALPN `alpn`), then as "send";
 *   - "tls-untrusting": a TLS client that trusts no CA: it fails the handshake itself;
 *   - "starttls": sends "STARTTLS\n", and on "OK\n" upgrades (server handshake by the
 *     listener under test), then sends `text` over TLS and records the reply.
 */
function startClient(options) {
  const id = String(nextId++);
  const peer = { id, conns: [], sockets: [], waiting: [], progress: 0, server: { close() {} } };
  peers.set(id, peer);
  const host = options.host ?? "127.0.0.1";
  const tlsOptions = { host, port: options.port, servername: "localhost", ca: caPem, ALPNProtocols: options.alpn, allowHalfOpen: true };
  let socket;
  return new Promise((resolve) => {
    const ready = () => resolve({ id, hostname: host, port: socket.localPort });
    if (options.behaviour === "tls" || options.behaviour === "tls-untrusting") {
      socket = tlsConnect(options.behaviour === "tls" ? tlsOptions : { ...tlsOptions, ca: [] }, () => {
        const conn = peer.conns[0];
        conn.alpn = socket.alpnProtocol || null;
        if (options.text) socket.write(options.text);
      });
      track(peer, socket);
      socket.once("connect", ready);
      return;
    }
    socket = tcpConnect({ host, port: options.port, allowHalfOpen: true }, () => {
      if (options.behaviour === "send") socket.write(options.text ?? "");
      if (options.behaviour === "send-fin") socket.end(options.text ?? "");
      if (options.behaviour === "reset") setTimeout(() => socket.resetAndDestroy(), 20);
      if (options.behaviour === "starttls") socket.write("STARTTLS\n");
      if (options.behaviour === "flood") behaviours.source(peer, socket, options, false);
      ready();
    });
    const conn = track(peer, socket);
    if (options.behaviour !== "starttls") return;
    let line = "";
    const onData = (chunk) => {
      line += chunk.toString("latin1");
      if (!line.includes("OK\n")) return;
      socket.off("data", onData);
      const secure = tlsConnect({ ...tlsOptions, socket }, () => {
        conn.alpn = secure.alpnProtocol || null;
        secure.write(options.text ?? "");
      });
      const inner = track(peer, secure);
      secure.on("error", (error) => (inner.error ??= error.code ?? error.message));
    };
    socket.on("data", onData);
  });
}

/**
 * UDP (the datagram cases): "udp-echo" echoes every datagram to its sender and records the
 * sizes; "udp-send" sends `count` datagrams of `bytes` bytes (byte i = i & 0xff) to
 * host:port from a fresh socket, and records what comes back.
 */
function startUdp(options) {
  const id = String(nextId++);
  const host = options.host ?? "127.0.0.1";
  const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
  const peer = { id, conns: [], sockets: [], waiting: [], progress: 0, datagrams: [], server: { close: () => socket.close() } };
  peers.set(id, peer);
  socket.on("message", (message, remote) => {
    peer.datagrams.push({
      bytes: message.byteLength,
      text: message.byteLength <= 1024 ? message.toString() : "",
      address: remote.address,
      port: remote.port,
    });
    if (options.behaviour === "udp-echo") socket.send(message, remote.port, remote.address);
  });
  socket.on("error", () => {});
  return new Promise((resolve) => {
    socket.bind(0, host, () => {
      const port = socket.address().port;
      if (options.behaviour === "udp-send") {
        for (let n = 0; n < (options.count ?? 1); n++) {
          const data = options.text !== undefined ? Buffer.from(options.text) : Buffer.alloc(options.bytes ?? 1, 0).map((_, i) => i & 0xff);
          socket.send(data, options.port, options.target ?? host);
        }
      }
      resolve({ id, hostname: host, port });
    });
  });
}

const control = createHttpServer(async (request, response) => {
  const url = new URL(request.url, "http://x");
  const [, verb, id] = url.pathname.split("/");
  const reply = (status, body) => {
    response.writeHead(status, { "content-type": "application/json", connection: "close" });
    response.end(JSON.stringify(body));
  };
  try {
    if (verb === "peer" && request.method === "POST") {
      let body = "";
      for await (const chunk of request) body += chunk;
      return reply(200, await startPeer(JSON.parse(body)));
    }
    if ((verb === "client" || verb === "udp") && request.method === "POST") {
      let body = "";
      for await (const chunk of request) body += chunk;
      return reply(200, await (verb === "client" ? startClient : startUdp)(JSON.parse(body)));
    }
    const peer = peers.get(id);
    if (peer === undefined) return reply(404, { error: `no peer ${id}` });
    if (verb === "report") {
      if (url.searchParams.has("closed")) await waitClosed(peer);
      return reply(200, report(peer));
    }
    if (verb === "progress") return reply(200, { progress: peer.progress });
    if (verb === "release") {
      for (const socket of peer.waiting.splice(0)) socket.resume();
      return reply(200, {});
    }
    if (verb === "stop") {
      peer.server.close();
      for (const socket of peer.sockets) socket.destroy();
      peers.delete(id);
      return reply(200, {});
    }
    return reply(404, { error: `unknown ${url.pathname}` });
  } catch (error) {
    return reply(500, { error: String(error) });
  }
});
control.keepAliveTimeout = 0;
control.listen(0, "127.0.0.1", () => {
  const line = { control: `http://127.0.0.1:${control.address().port}`, ca: caPem, cert: String(leaf.cert), key: String(leaf.key) };
  process.stdout.write(JSON.stringify(line) + "\n");
});
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
