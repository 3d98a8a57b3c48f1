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

export type { ExpectedFailure, TransportCase } from "./types.js";
export { runTransportCase, type RunOptions } from "./run.js";

/**
 * Every Transport contract case, in the order of the rules in `transport.ts`: run with `open`.
 *
 * @example
 * ```ts
 * import { transportCases } from "@sockets/transport-contract";
 * console.log(transportCases.map((c) => c.id)); // ["open/plain-info", …]
 * ```
 */
export const transportCases: readonly TransportCase[] = [...openCases, ...connectionCases, ...startTlsCases];

/**
 * The listener seam's contract cases (`listener-transport.ts`): run with `openListener`.
 *
 * @example
 * ```ts
 * import { listenerCases } from "@sockets/transport-contract";
 * console.log(listenerCases.length);
 * ```
 */
export const listenerCases: readonly TransportCase[] = listener;

/**
 * The datagram seam's contract cases (`datagram-transport.ts`): run with `openDatagram`.
 *
 * @example
 * ```ts
 * import { datagramCases } from "@sockets/transport-contract";
 * console.log(datagramCases.length);
 * ```
 */
export const datagramCases: readonly TransportCase[] = datagram;

/**
 * Path of the Node script that runs the peers: `node <peersScript>` prints one JSON line
 * `{"control", "ca", "cert", "key"}` and exits when its stdin closes.
 *
 * @example
 * ```ts
 * import { peersScript } from "@sockets/transport-contract";
 * declare function firstLineOf(command: string, args: string[]): Promise<string>; // the runtime's spawn
 * const { control } = JSON.parse(await firstLineOf("node", [peersScript])) as { control: string };
 * console.log(control); // "http://127.0.0.1:<port>"
 * ```
 */
export const peersScript: string = decodeURIComponent(new URL("../peers/peers.mjs", import.meta.url).pathname);
