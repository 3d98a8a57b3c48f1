/**
 * The shape of a contract case: a plain async function over web globals and core's types
 * (no test-framework import, no runtime check), like the conformance cases. The runtime's
 * test file runs every case with its own opener; the peers are Node's (`peers/peers.mjs`),
 * driven over HTTP.
 *
 * @module
 */
import type { OpenDatagram, OpenListener, OpenTransport } from "@sockets/core";

/** What a peer listener does with each connection (see `peers/peers.mjs`). */
export type Behaviour =
  | "echo"
  | "greet-fin"
  | "reply-on-fin"
  | "record"
  | "source"
  | "reset-on-data"
  | "send-then-reset"
  | "paused-sink"
  | "silent"
  | "starttls"
  | "tls-echo"
  | "refused";

/** How to start a peer. */
export interface PeerOptions {
  readonly behaviour: Behaviour;
  /** Where it listens; `127.0.0.1` unless given. */
  readonly host?: "127.0.0.1" | "::1";
  /** Text to send (`greet-fin`, `record`, `send-then-reset`); `"silent"` for a `starttls` peer that never handshakes. */
  readonly text?: string;
  /** Bytes a `source` sends. */
  readonly bytes?: number;
  /** Milliseconds before a `send-then-reset` resets. */
  readonly delay?: number;
}

/** What one accepted connection saw. */
export interface ConnectionReport {
  /** Bytes received. */
  readonly bytes: number;
  /** The first MiB received, as UTF-8. */
  readonly text: string;
  /** The first MiB received, run-length encoded: `[byte, count]` pairs. */
  readonly runs: readonly (readonly [number, number])[];
  /** The client's FIN arrived. */
  readonly ended: boolean;
  /** The error code the peer saw (`ECONNRESET` for an RST), or `null`. */
  readonly error: string | null;
  readonly closed: boolean;
  /** TLS peers: the SNI and ALPN of the handshake. */
  readonly sni: string | null;
  readonly alpn: string | null;
}

/** A client the peers process dials a listener under test with (see `peers/peers.mjs`). */
export interface ClientOptions {
  readonly behaviour: "send" | "send-fin" | "reset" | "silent" | "tls" | "tls-untrusting" | "starttls" | "flood";
  readonly port: number;
  readonly host?: "127.0.0.1" | "::1";
  /** What it sends (over TLS for `tls` and `starttls`). */
  readonly text?: string;
  /** Bytes a `flood` client sends as fast as its OS takes them (its progress: `Peer.progress()`). */
  readonly bytes?: number;
  /** ALPN protocols a `tls` client offers. */
  readonly alpn?: readonly string[];
}

/** A UDP socket in the peers process. */
export interface UdpOptions {
  /** `udp-echo` echoes every datagram to its sender; `udp-send` sends `count` datagrams to `port`. */
  readonly behaviour: "udp-echo" | "udp-send";
  readonly host?: "127.0.0.1" | "::1";
  readonly port?: number;
  readonly count?: number;
  /** Datagram size (byte i = i & 0xff), unless `text` is given. */
  readonly bytes?: number;
  readonly text?: string;
}

/** A datagram a UDP peer received. */
export interface DatagramReport {
  readonly bytes: number;
  /** The datagram as UTF-8 when it is at most 1 KiB. */
  readonly text: string;
  readonly address: string;
  readonly port: number;
}

/** One running peer listener (or client, or UDP socket) in the peers process. */
export interface Peer {
  readonly hostname: string;
  readonly port: number;
  /** What its connections saw; with `closed`, after every connection (at least one) closed, waiting up to 5 s. */
  report(options?: { closed?: boolean }): Promise<{ connections: number; conns: ConnectionReport[]; datagrams: DatagramReport[] }>;
  /** `source`: bytes handed to the OS so far. */
  progress(): Promise<number>;
  /** `paused-sink`: start reading. */
  release(): Promise<void>;
}

/**
 * What a case gets. The openers are wrapped so everything they make (transports, listeners,
 * accepted connections, datagram sockets) is torn down after the case; one the runtime's
 * test did not give throws.
 */
export interface ContractContext {
  readonly open: OpenTransport;
  readonly openListener: OpenListener;
  readonly openDatagram: OpenDatagram;
  /** Starts a peer listener (stopped after the case). */
  peer(options: PeerOptions): Promise<Peer>;
  /** Starts a client of a listener under test; `port` of the result is the client's own. */
  client(options: ClientOptions): Promise<Peer>;
  /** Starts a UDP socket; `port` of the result is where it is bound. */
  udp(options: UdpOptions): Promise<Peer>;
  /** PEM of the CA that signed the peers' certificate (localhost, 127.0.0.1, ::1); in no system store. */
  readonly ca: string;
  /** That certificate and its key (PEM), for TLS listeners under test. */
  readonly cert: string;
  readonly key: string;
}

/**
 * One contract case.
 *
 * @example
 * ```ts
 * import type { TransportCase } from "@sockets/transport-contract";
 * const nothing: TransportCase = { id: "example/nothing", title: "Checks nothing", async run() {} };
 * ```
 */
export interface TransportCase {
  /** Stable kebab ID, `area/what-it-checks`. */
  readonly id: string;
  /** One sentence: the rule of `transport.ts` being checked. */
  readonly title: string;
  /** Milliseconds (default 10 000). */
  readonly timeout?: number;
  run(ctx: ContractContext): Promise<void>;
}

/**
 * A case known to fail on one runtime: the reason, and a link to where it is tracked.
 * The runner then requires the case to fail (an unexpected pass is an error too).
 *
 * @example
 * ```ts
 * import type { ExpectedFailure } from "@sockets/transport-contract";
 * const noRst: ExpectedFailure = { reason: "no way to send RST", link: "https://github.com/denoland/deno/pull/33415" };
 * ```
 */
export interface ExpectedFailure {
  readonly reason: string;
  readonly link: string;
}
