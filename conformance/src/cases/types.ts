/**
 * The shape of a conformance case. Cases are plain async functions over web globals and
 * the spec types: no test-framework import, no runtime check, no `node:*`. The same case
 * file runs inside node, deno, bun and workerd.
 *
 * @module
 */
import type { Connect, Listen, Socket, Udp } from "@sockets/core";

/**
 * `spec`: the WinterTC spec requires it. `decision`: the spec is silent and this is the
 * behaviour @sockets decided (DESIGN.md "Decisions where the spec is silent").
 * `ext:*`: an extension (`signal`, `caCerts`, normalised error `code`s). `server`: needs the
 * module's `listen()` (skipped when it exports none); `udp`: needs its `udp()`;
 * `socket-worker`: a `connect(socket, env, ctx)` handler (the module's `serve()`, or
 * workerd's own inbound sockets).
 *
 * @example
 * ```ts
 * import { cases, type Tag } from "@sockets/conformance/cases";
 * const portable: readonly Tag[] = ["spec", "decision"];
 * const core = cases.filter((c) => c.tags.every((t) => portable.includes(t)));
 * ```
 */
export type Tag = "spec" | "decision" | "ext:signal" | "ext:caCerts" | "ext:codes" | "server" | "udp" | "socket-worker";

/**
 * Where the fixture peers listen, as `"127.0.0.1:port"` strings (JSON-serialisable: the
 * CLI passes it to a runner in another runtime). All peers run on Node, in the CLI.
 *
 * @example
 * ```ts
 * import type { PeerDirectory } from "@sockets/conformance/cases";
 * import { connect } from "@sockets/node";
 * declare const peers: PeerDirectory; // from startFixtures() in @sockets/conformance/fixtures
 * const socket = connect(peers.echo); // "127.0.0.1:<port>"
 * await socket.opened;
 * await socket.close();
 * ```
 */
export interface PeerDirectory {
  /** Echoes every byte back; ends its side when the client ends. */
  echo: string;
  /** The same echo server on `[::1]`; `null` when the machine has no IPv6 loopback. */
  echo6: string | null;
  /** Reads everything; when the client half-closes, replies with the decimal byte count and closes. */
  sink: string;
  /** Sends `SOURCE_BYTES` bytes (byte i = i & 0xff) then FIN. */
  source: string;
  /**
   * Like `source`, but waits for the client's first line "<id>\n" (any token of 1–64
   * characters `[A-Za-z0-9-]`) before sending, and keeps count of the bytes the operating
   * system has accepted from it so far (so a client that stops reading can be checked
   * for unbounded buffering: see `sourceProgress`).
   */
  countedSource: string;
  /**
   * Send "<id>\n"; receive the decimal number of bytes `countedSource` connection <id> has
   * handed to the operating system so far (waiting up to 5 s for that connection to
   * appear; "0" if it never does), then FIN.
   */
  sourceProgress: string;
  /**
   * The host client's control service (see `hostClient()`): real `node:net`/`node:tls`
   * clients, run in the CLI process, against a listener a `server` case opened.
   */
  hostClient: string;
  /** Sends "hello\n" then FIN at once, and keeps its side open for reading (half-open peer). */
  greet: string;
  /**
   * Half-close reply: reads until the client's FIN, then replies with the same bytes
   * and closes. Proves data still flows back after our FIN.
   */
  halfClose: string;
  /**
   * Half-open peer with a report: on accept it sends "hello <id>\n" and FIN at once, then
   * records every byte it receives until the client's FIN. Its side is closed, so it
   * cannot answer; the recorded bytes are fetched from `reportQuery`.
   */
  greetReport: string;
  /**
   * Recorder: on accept sends "<id>\n" (and keeps its side open), then records every byte
   * it receives until the client's FIN or reset; the bytes are fetched from
   * `reportQuery`. Proves what reached the peer even after the client closed.
   */
  record: string;
  /** Send "<id>\n"; receive the bytes `greetReport` or `record` recorded for connection <id> (after that connection ended, waiting up to 5 s), then FIN. */
  reportQuery: string;
  /** Resets (RST) every connection right after accepting it. */
  resetOnAccept: string;
  /** Resets the connection after the first bytes arrive. */
  resetOnData: string;
  /**
   * Sends "bye\n", then resets (RST) the connection 20 ms later: a server's last words
   * before it goes away (they must still be readable before the error).
   */
  greetThenReset: string;
  /** A port with nothing listening. */
  refused: string;
  /** Accepts, then never reads (the kernel buffers fill: write backpressure). */
  slowReader: string;
  /**
   * Reads nothing for the first 1.5 s after accepting, then reads everything; when the
   * client half-closes it replies "<byte count> <sha-256 hex>\n" and closes. Write
   * backpressure that must resolve without losing a byte.
   */
  pausedSink: string;
  /** TLS echo; certificate for localhost and 127.0.0.1 from the test CA. The first line it sends is JSON {"sni":..,"alpn":..}. */
  tlsInfo: string;
  /** TLS echo with no greeting, certificate for localhost, 127.0.0.1 and ::1, ALPN "x-test" offered if asked. */
  tls: string;
  /** TLS with a certificate from a CA nobody trusts. */
  tlsUntrusted: string;
  /** TLS with a certificate from the trusted test CA, but for "wrong.example" only. */
  tlsWrongName: string;
  /** TLS with a certificate from the *private* CA: trusted only through the `caCerts` option. */
  tlsPrivate: string;
  /**
   * STARTTLS: plain-text line protocol. The client sends "STARTTLS\n"; the server
   * answers "OK\n" and upgrades (cert from the test CA for localhost/127.0.0.1); then it
   * echoes. Any other line before that is echoed in plain text prefixed "PLAIN ".
   * "STARTTLS QUIET\n" upgrades without the "OK\n" reply, so a client may call
   * `startTls()` right after writing it (it must flush that line before the handshake).
   */
  starttls: string;
  /** Like starttls but its certificate is from the *private* CA (for `caCerts` with `startTls()`). */
  starttlsPrivate: string;
  /** Like starttls but its certificate is for "wrong.example": the upgrade must fail. */
  starttlsWrongName: string;
  /** Accepts TCP and never speaks: a TLS handshake against it hangs (for abort/timeout cases). */
  silent: string;
  /**
   * A TCP address that never completes the TCP handshake, or null if the machine cannot
   * make one (a listener whose accept queue is full drops further SYNs on Linux; gVisor
   * and some other stacks complete the handshake anyway, so this is probed at start-up).
   */
  blackhole: string | null;
  /** UDP (`node:dgram`): echoes every datagram to its sender, whole. */
  udpEcho: string;
  /** The same UDP echo on `[::1]`; `null` when the machine has no IPv6 loopback. */
  udpEcho6: string | null;
  /** A UDP port nothing is bound to: datagrams sent there get an ICMP port unreachable. */
  udpRefused: string;
  /**
   * UDP flood source: a datagram `"flood <port> <count>"` (count ≤ 10 000) makes it send
   * `count` 2-byte datagrams (the index, big-endian) to `127.0.0.1:<port>` as fast as it
   * can, then answer `"sent <count>"` to the asker.
   */
  udpFlood: string;
  /**
   * UDP peers on demand: a datagram `"peers <k> <token>"` (k ≤ 16) from a bound socket
   * makes `k` new sockets each send `"<token> <i>"` to it; for 5 s each answers whatever it
   * receives with `"ack <i> <what it received>"`.
   */
  udpPeers: string;
}

/**
 * Number of bytes the `source` peer sends.
 *
 * @example
 * ```ts
 * import { equal, readAll, SOURCE_BYTES, type CaseContext } from "@sockets/conformance/cases";
 * declare const ctx: CaseContext;
 * const received = await readAll(ctx.connect(ctx.peers.source).readable);
 * equal(received.byteLength, SOURCE_BYTES, "bytes from source");
 * ```
 */
export const SOURCE_BYTES: number = 64 * 1024 * 1024;

/**
 * What a case gets.
 *
 * @example
 * ```ts
 * import type { CaseContext } from "@sockets/conformance/cases";
 * async function openAndClose({ connect, peers, signal }: CaseContext): Promise<void> {
 *   const socket = connect(peers.echo, { signal });
 *   await socket.opened;
 *   await socket.close();
 * }
 * ```
 */
export interface CaseContext {
  /** The implementation under test. */
  readonly connect: Connect;
  readonly peers: PeerDirectory;
  /** PEM of the *private* CA (for `caCerts` cases); the main test CA is trusted through the environment. */
  readonly privateCa: string;
  /** Aborted when the case's time is up: cases pass it on to long waits. */
  readonly signal: AbortSignal;
  /** A server certificate from the main test CA (`localhost`, `127.0.0.1`, `::1`) and its key (PEM). */
  readonly serverTls: { readonly cert: string; readonly key: string };
  /** The implementation's `listen()`; cases tagged `server` run only when it exports one. */
  readonly listen?: Listen;
  /** The implementation's `udp()`; cases tagged `udp` run only when it exports one. */
  readonly udp?: Udp;
  /** A Socket Worker to hand handlers to; cases tagged `socket-worker` run only where there is one. */
  readonly inbound?: InboundServer;
}

/**
 * A running Socket Worker whose `connect` handler a case sets: through the module's
 * `serve()` on Node, Deno and Bun, through workerd's own inbound socket on workerd. What
 * the handler sees is reported back as plain data (`InboundRecord`), polled by the case:
 * on workerd the handler runs in another request's context, where the case's promises
 * and streams cannot be used.
 *
 * @example
 * ```ts
 * import type { CaseContext } from "@sockets/conformance/cases";
 * declare const ctx: CaseContext;
 * const record = ctx.inbound!.handle(async (socket, note) => {
 *   note((await socket.opened).remoteAddress);
 * });
 * ```
 */
export interface InboundServer {
  /** Where clients connect (`"127.0.0.1:port"`). */
  readonly address: string;
  /** Sets the handler for the next connections; returns where their outcome is recorded. */
  handle(handler: (socket: Socket, note: (value: unknown) => void) => Promise<void> | void): InboundRecord;
}

/**
 * What the handlers set by one `handle()` call did.
 *
 * @example
 * ```ts
 * import type { InboundRecord } from "@sockets/conformance/cases";
 * const empty: InboundRecord = { calls: 0, settled: 0, notes: [], errors: [] };
 * ```
 */
export interface InboundRecord {
  /** Handlers started. */
  calls: number;
  /** Handlers that returned or threw. */
  settled: number;
  /** Values the handlers noted, in order. */
  notes: unknown[];
  /** What the handlers threw (name, message, code). */
  errors: Array<{ name: string; message: string; code?: string }>;
}

/**
 * One conformance case.
 *
 * @example
 * ```ts
 * import { ByteReader, bytes, equal, type ConformanceCase } from "@sockets/conformance/cases";
 * export const echoLine: ConformanceCase = {
 *   id: "data/echo-line",
 *   title: "A line written to the echo peer comes back unchanged",
 *   tags: ["spec"],
 *   async run({ connect, peers }) {
 *     const socket = connect(peers.echo);
 *     await socket.writable.getWriter().write(bytes("hi\n"));
 *     equal(await new ByteReader(socket.readable).line(), "hi", "echoed line");
 *     await socket.close();
 *   },
 * };
 * ```
 */
export interface ConformanceCase {
  /** Stable kebab ID, `area/what-it-checks`. Never renamed once published. */
  readonly id: string;
  /** One sentence: the behaviour being checked. */
  readonly title: string;
  readonly tags: readonly Tag[];
  /** Milliseconds before the runner fails it as a hang (default 10 000). */
  readonly timeout?: number;
  run(ctx: CaseContext): Promise<void>;
}
