/**
 * Runs one contract case against a runtime's openers: every transport, listener, accepted
 * connection and datagram socket it made is torn down and every peer it started is stopped
 * afterwards, whatever happened; a case listed as an expected failure must fail (its
 * passing is reported, so the list stays true).
 *
 * @module
 */
import type {
  AcceptedConnection,
  DatagramTransport,
  ListenerTransport,
  OpenDatagram,
  OpenListener,
  OpenTransport,
  Transport,
} from "@sockets/core";
import { ContractError, within } from "./helpers.js";
import type { ContractContext, ExpectedFailure, Peer } from "./types.js";

/**
 * How a runtime's test runs the cases.
 *
 * @example
 * ```ts
 * import type { RunOptions } from "@sockets/transport-contract";
 * import type { OpenTransport } from "@sockets/core";
 * declare const open: OpenTransport, peers: { control: string; ca: string; cert: string; key: string };
 * const options: RunOptions = { open, ...peers };
 * ```
 */
export interface RunOptions {
  /** The runtime's dialler (`openNodeTransport`, …), for `transportCases`. */
  readonly open?: OpenTransport;
  /** The runtime's listener (`openNodeListener`, …), for `listenerCases`. */
  readonly openListener?: OpenListener;
  /** The runtime's datagram opener (`openNodeDatagram`, …), for `datagramCases`. */
  readonly openDatagram?: OpenDatagram;
  /** The peers' control URL, CA, certificate and key: the line `peers/peers.mjs` prints. */
  readonly control: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** Cases this runtime is known to fail, by id. */
  readonly expectedFailures?: Readonly<Record<string, ExpectedFailure>>;
}

/** What a case made, torn down after it. */
interface Made {
  readonly transports: Transport[];
  readonly listeners: ListenerTransport[];
  readonly unclaimed: Set<AcceptedConnection>;
  readonly datagrams: DatagramTransport[];
}

/** Delegates to `transport`, recording it (and what its `startTls` returns). */
function tracked(transport: Transport, made: Made): Transport {
  made.transports.push(transport);
  return {
    get info() {
      return transport.info;
    },
    pull: (view) => transport.pull(view),
    pause: () => transport.pause(),
    write: (bytes) => transport.write(bytes),
    shutdown: () => transport.shutdown(),
    close: () => transport.close(),
    abort: () => transport.abort(),
    startTls: async (tls, events, cancel) => tracked(await transport.startTls(tls, events, cancel), made),
  };
}

function trackedAccepted(accepted: AcceptedConnection, made: Made): AcceptedConnection {
  made.unclaimed.add(accepted);
  return {
    get info() {
      return accepted.info;
    },
    attach(events) {
      made.unclaimed.delete(accepted);
      return tracked(accepted.attach(events), made);
    },
    abort() {
      made.unclaimed.delete(accepted);
      accepted.abort();
    },
  };
}

function missing(what: string): never {
  throw new ContractError(`this runtime's test gave no ${what}`);
}

async function call(control: string, method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
  const init: RequestInit =
    method === "GET" ? { method } : { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? {}) };
  const response = await fetch(`${control}${path}`, init);
  const json = (await response.json()) as { error?: string };
  if (!response.ok) throw new Error(`peer control ${path}: ${json.error ?? response.status}`);
  return json;
}

/** Starts a peer (listener, client or UDP socket) through the control service. */
async function startPeer(control: string, kind: "peer" | "client" | "udp", options: object): Promise<Peer & { readonly id: string }> {
  const { id, hostname, port } = (await call(control, "POST", `/${kind}`, options)) as { id: string; hostname: string; port: number };
  return {
    id,
    hostname,
    port,
    report: (o) => call(control, "GET", `/report/${id}${o?.closed ? "?closed=1" : ""}`) as ReturnType<Peer["report"]>,
    progress: async () => ((await call(control, "GET", `/progress/${id}`)) as { progress: number }).progress,
    release: async () => void (await call(control, "POST", `/release/${id}`)),
  };
}

/**
 * Runs `testCase`: resolves when it passed (or failed as expected), rejects with its error
 * otherwise.
 *
 * @example
 * ```ts
 * import { runTransportCase, transportCases } from "@sockets/transport-contract";
 * import type { OpenTransport } from "@sockets/core";
 * declare const openMyTransport: OpenTransport, peers: { control: string; ca: string; cert: string; key: string };
 * for (const testCase of transportCases) await runTransportCase(testCase, { open: openMyTransport, ...peers });
 * ```
 */
export async function runTransportCase(
  testCase: { readonly id: string; readonly timeout?: number; run(ctx: ContractContext): Promise<void> },
  options: RunOptions,
): Promise<void> {
  const made: Made = { transports: [], listeners: [], unclaimed: new Set(), datagrams: [] };
  const peers: string[] = [];
  const start = async (kind: "peer" | "client" | "udp", peerOptions: object): Promise<Peer> => {
    const peer = await startPeer(options.control, kind, peerOptions);
    peers.push(peer.id);
    return peer;
  };
  const openDatagram = options.openDatagram;
  // Not async: an option the runtime cannot honour must stay a synchronous throw.
  const trackedOpenDatagram: OpenDatagram = Object.assign(
    (...args: Parameters<OpenDatagram>) =>
      (openDatagram ?? missing("openDatagram"))(...args).then((transport) => {
        made.datagrams.push(transport);
        return transport;
      }),
    { resolve: (hostname: string, family?: 4 | 6) => (openDatagram ?? missing("openDatagram")).resolve(hostname, family) },
  );
  const ctx: ContractContext = {
    open: async (request, events) => tracked(await (options.open ?? missing("open"))(request, events), made),
    openListener: async (request, events) => {
      const listener = await (options.openListener ?? missing("openListener"))(request, {
        connection: (accepted) => events.connection(trackedAccepted(accepted, made)),
        failed: (error) => events.failed(error),
        error: (error) => events.error(error),
      });
      made.listeners.push(listener);
      return listener;
    },
    openDatagram: trackedOpenDatagram,
    peer: (peerOptions) => start("peer", peerOptions),
    client: (clientOptions) => start("client", clientOptions),
    udp: (udpOptions) => start("udp", udpOptions),
    ca: options.ca,
    cert: options.cert,
    key: options.key,
  };
  let failure: { readonly error: unknown } | null = null;
  try {
    await within(testCase.run(ctx), testCase.timeout ?? 10_000, testCase.id);
  } catch (error) {
    failure = { error };
  } finally {
    for (const transport of made.transports) transport.abort();
    for (const accepted of made.unclaimed) accepted.abort();
    await Promise.all([
      ...made.listeners.map((listener) => Promise.resolve(listener.close()).catch(() => {})),
      ...made.datagrams.map((datagram) => Promise.resolve(datagram.close()).catch(() => {})),
      ...peers.map((id) => call(options.control, "POST", `/stop/${id}`).catch(() => {})),
    ]);
  }
  const expected = options.expectedFailures?.[testCase.id];
  if (expected !== undefined) {
    if (failure === null)
      throw new ContractError(
        `${testCase.id} passed, but is listed as failing here (${expected.reason}, ${expected.link}): remove it from the list`,
      );
    return;
  }
  if (failure !== null) throw failure.error;
}
