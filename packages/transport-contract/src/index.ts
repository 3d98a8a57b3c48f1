/**
 * `@sockets/transport-contract` (private): the rules of `@sockets/core`'s Transport seam
 * (`packages/core/src/transport.ts`) as framework-free cases, run by each runtime
 * package's tests against its own opener over real loopback sockets. The peers are Node's
 * (`peers/peers.mjs`, spawned by the runtime's test with `node`), driven over HTTP.
 *
 * @example
 * ```ts
 * import { peersScript, runTransportCase, transportCases } from "@sockets/transport-contract";
 * import type { OpenTransport } from "@sockets/core";
 * declare const openMyTransport: OpenTransport;
 * declare function spawnNode(script: string): Promise<string>; // the first line it prints
 * const peers = JSON.parse(await spawnNode(peersScript)) as { control: string; ca: string; cert: string; key: string };
 * for (const testCase of transportCases) await runTransportCase(testCase, { open: openMyTransport, ...peers });
 * ```
 *
 * @module
 */
import { connectionCases } from "./cases-connection.js";
import { datagramCases as datagram } from "./cases-datagram.js";
import { listenerCases as listener } from "./cases-listener.js";
import { openCases } from "./cases-open.js";
import { startTlsCases } from "./cases-starttls.js";
import type { TransportCase } from "./types.js";

export type {
  Behaviour,
  ClientOptions,
  ConnectionReport,
  ContractContext,
  DatagramReport,
  ExpectedFailure,
  Peer,
  PeerOptions,
  TransportCase,
  UdpOptions,
} from "./types.js";
export { runTransportCase, type RunOptions } from "./run.js";
export { ContractError, Recorder } from "./helpers.js";

/** Every Transport contract case, in the order of the rules in `transport.ts`. */
export const transportCases: readonly TransportCase[] = [...openCases, ...connectionCases, ...startTlsCases];

/** The listener seam's contract cases (`listener-transport.ts`): run with `openListener`. */
export const listenerCases: readonly TransportCase[] = listener;

/** The datagram seam's contract cases (`datagram-transport.ts`): run with `openDatagram`. */
export const datagramCases: readonly TransportCase[] = datagram;

/** Path of the Node script that runs the peers (`node <peersScript>` prints `{"control", "ca"}`). */
export const peersScript: string = decodeURIComponent(new URL("../peers/peers.mjs", import.meta.url).pathname);
