/**
 * The shape of a contract case: a plain async function over web globals and core's types
 * (no test-framework import, no runtime check), like the conformance cases. The runtime's
 * test file runs every case with its own opener; the peers are Node's (`peers/peers.mjs`),
 * driven over HTTP.
 *
 * @module
 */
import type { OpenTransport } from "@sockets/core";

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

/** One running peer listener. */
export interface Peer {
  readonly hostname: string;
  readonly port: number;
  /** What its connections saw; with `closed`, after every connection (at least one) closed, waiting up to 5 s. */
  report(options?: { closed?: boolean }): Promise<{ connections: number; conns: ConnectionReport[] }>;
  /** `source`: bytes handed to the OS so far. */
  progress(): Promise<number>;
  /** `paused-sink`: start reading. */
  release(): Promise<void>;
}

/** What a case gets. */
export interface ContractContext {
  /** The runtime's opener, wrapped so every transport it makes is torn down after the case. */
  readonly open: OpenTransport;
  /** Starts a peer listener (stopped after the case). */
  peer(options: PeerOptions): Promise<Peer>;
  /** PEM of the CA that signed the TLS peers' certificate (localhost, 127.0.0.1, ::1); in no system store. */
  readonly ca: string;
}

/** One contract case. */
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
 */
export interface ExpectedFailure {
  readonly reason: string;
  readonly link: string;
}
