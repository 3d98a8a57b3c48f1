/**
 * Starts the fixture peers once for the whole vitest run and trusts the run's test CA in
 * the worker processes (they are forked after this runs, and Node reads
 * NODE_EXTRA_CA_CERTS only at start-up).
 */
import type { TestProject } from "vitest/node";
import type { PeerDirectory } from "../src/cases/types.js";
import { startFixtures } from "../src/fixtures/index.js";

declare module "vitest" {
  export interface ProvidedContext {
    fixtures: { peers: PeerDirectory; privateCa: string; caPem: string; caFile: string; serverTls: { cert: string; key: string } };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fixtures = await startFixtures();
  process.env.NODE_EXTRA_CA_CERTS = fixtures.caFile;
  project.provide("fixtures", {
    peers: fixtures.peers,
    privateCa: fixtures.privateCa,
    caPem: fixtures.caPem,
    caFile: fixtures.caFile,
    serverTls: fixtures.serverTls,
  });
  return () => fixtures.close();
}
