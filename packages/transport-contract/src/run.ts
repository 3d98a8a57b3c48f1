/**
 * Runs one contract case against a runtime's opener: every transport it made is aborted
 * and every peer it started is stopped afterwards, whatever happened; a case listed as an
 * expected failure must fail (its passing is reported, so the list stays true).
 *
 * @module
 */
import type { OpenTransport, Transport } from "@sockets/core";
import { ContractError, within } from "./helpers.js";
import type { ContractContext, ExpectedFailure, Peer, PeerOptions } from "./types.js";

/** How a runtime's test runs the cases. */
export interface RunOptions {
  /** The runtime's opener (`openNodeTransport`, …). */
  readonly open: OpenTransport;
  /** The peers' control URL: the line `peers/peers.mjs` prints (`{"control": …}`). */
  readonly control: string;
  /** PEM of the peers' CA (`peers/certs/ca.pem`). */
  readonly ca: string;
  /** Cases this runtime is known to fail, by id. */
  readonly expectedFailures?: Readonly<Record<string, ExpectedFailure>>;
}

/** Delegates to `transport`, recording it (and what its `startTls` returns) in `list`. */
function tracked(transport: Transport, list: Transport[]): Transport {
  list.push(transport);
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
    startTls: async (tls, events, cancel) => tracked(await transport.startTls(tls, events, cancel), list),
  };
}

async function call(control: string, method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
  const init: RequestInit =
    method === "GET" ? { method } : { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? {}) };
  const response = await fetch(`${control}${path}`, init);
  const json = (await response.json()) as { error?: string };
  if (!response.ok) throw new Error(`peer control ${path}: ${json.error ?? response.status}`);
  return json;
}

/** Starts a peer through the control service. */
async function startPeer(control: string, options: PeerOptions): Promise<Peer & { readonly id: string }> {
  const { id, hostname, port } = (await call(control, "POST", "/peer", options)) as { id: string; hostname: string; port: number };
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
 * declare const openMyTransport: OpenTransport, control: string, ca: string;
 * for (const testCase of transportCases) await runTransportCase(testCase, { open: openMyTransport, control, ca });
 * ```
 */
export async function runTransportCase(
  testCase: { readonly id: string; readonly timeout?: number; run(ctx: ContractContext): Promise<void> },
  options: RunOptions,
): Promise<void> {
  const transports: Transport[] = [];
  const peers: string[] = [];
  const ctx: ContractContext = {
    open: async (request, events) => tracked(await options.open(request, events), transports),
    peer: async (peerOptions) => {
      const peer = await startPeer(options.control, peerOptions);
      peers.push(peer.id);
      return peer;
    },
    ca: options.ca,
  };
  let failure: { readonly error: unknown } | null = null;
  try {
    await within(testCase.run(ctx), testCase.timeout ?? 10_000, testCase.id);
  } catch (error) {
    failure = { error };
  } finally {
    for (const transport of transports) transport.abort();
    await Promise.all(peers.map((id) => call(options.control, "POST", `/stop/${id}`).catch(() => {})));
  }
  const expected = options.expectedFailures?.[testCase.id];
  if (expected !== undefined) {
    if (failure === null) throw new ContractError(`${testCase.id} passed, but is listed as failing here (${expected.reason}, ${expected.link}): remove it from the list`);
    return;
  }
  if (failure !== null) throw failure.error;
}
