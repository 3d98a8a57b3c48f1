/**
 * `openDenoDatagram` against core's datagram seam: the shared contract cases of
 * @sockets/transport-contract (over Node's `node:dgram` peers in a child process). Its own
 * file: `Deno.listenDatagram` needs `--unstable-net`, which the other test files run without.
 */
import { datagramCases, runTransportCase } from "@sockets/transport-contract";
import { openDenoDatagram } from "../src/index.js";
import { startPeers, stopPeers } from "./_contract-peers.js";

const peers = await startPeers();

for (const testCase of datagramCases) {
  Deno.test(`${testCase.id}: ${testCase.title}`, () => runTransportCase(testCase, { openDatagram: openDenoDatagram, ...peers }));
}

Deno.test("stop the contract peers", () => stopPeers(peers));
